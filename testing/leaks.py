"""Every leak shape the detector must find, as templates: `{key}` becomes a fresh 64-hex key,
`{b64}` its base64 form. Shared by the detector's tests and history's (each shape in every
encoding a blob can have)."""
from __future__ import annotations

import base64

import pytest

from vastai_guard.detect import rules


def render(template: str, key: str) -> str:
    b64 = base64.b64encode(key.encode()).decode()
    return template.replace('{key}', key).replace('{b64}', b64)


LEAKS = (
    # Vast-named variables in every common syntax
    pytest.param('.env', 'VAST_API_KEY={key}\n', rules.ASSIGNMENT, 1, id='dotenv'),
    pytest.param('.env', 'VASTAI_API_KEY="{key}"\n', rules.ASSIGNMENT, 1, id='dotenv-vastai'),
    pytest.param('.env', 'VAST_AI_API_KEY={key}\n', rules.ASSIGNMENT, 1, id='dotenv-vast-ai'),
    pytest.param('.env', 'BOOKFORGE_VAST_API_KEY={key}\n', rules.ASSIGNMENT, 1, id='prefixed'),
    pytest.param('a.sh', 'export VAST_API_KEY="{key}"\n', rules.ASSIGNMENT, 1, id='export'),
    pytest.param(
        'a.sh', 'VAST_API_KEY="{key}" python3 run.py\n', rules.ASSIGNMENT, 1, id='inline-env',
    ),
    pytest.param(
        'a.sh', 'VAST_API_KEY="${VAST_API_KEY:-{key}}"\n', rules.ASSIGNMENT, 1,
        id='shell-default',
    ),
    pytest.param('a.py', 'VAST_API_KEY = "{key}"\n', rules.ASSIGNMENT, 1, id='python-constant'),
    pytest.param(
        'a.py', 'vast_api_key: str = "{key}"\n', rules.ASSIGNMENT, 1, id='python-annotated',
    ),
    pytest.param(
        'a.py', 'import os\nos.environ["VAST_API_KEY"] = "{key}"\n', rules.ASSIGNMENT, 2,
        id='os-environ-set',
    ),
    pytest.param(
        'a.py', 'os.environ.setdefault("VAST_API_KEY", "{key}")\n', rules.ASSIGNMENT, 1,
        id='setdefault',
    ),
    pytest.param(
        'a.py', 'cfg = dict(vast_api_key="{key}")\n', rules.ASSIGNMENT, 1, id='keyword-arg',
    ),
    pytest.param('a.js', 'const vastApiKey = "{key}";\n', rules.ASSIGNMENT, 1, id='js-camel'),
    pytest.param('a.ts', '  vastApiKey: "{key}",\n', rules.ASSIGNMENT, 1, id='ts-object'),
    pytest.param('a.go', 'VastAPIKey := "{key}"\n', rules.ASSIGNMENT, 1, id='go'),
    pytest.param('c.toml', 'vast_api_key = "{key}"\n', rules.ASSIGNMENT, 1, id='toml'),
    pytest.param('c.ini', '[vast]\nvast_api_key={key}\n', rules.ASSIGNMENT, 2, id='ini'),
    pytest.param('main.tf', 'vast_api_key = "{key}"\n', rules.ASSIGNMENT, 1, id='hcl'),
    pytest.param('c.yaml', 'vastai_access_key: {key}\n', rules.ASSIGNMENT, 1, id='yaml'),
    pytest.param('c.json', '{"vast_api_key": "{key}"}\n', rules.ASSIGNMENT, 1, id='json'),
    pytest.param('Dockerfile', 'ENV VAST_API_KEY {key}\n', rules.ASSIGNMENT, 1, id='docker-env'),
    pytest.param(
        'Dockerfile', 'ENV VAST_API_KEY={key}\n', rules.ASSIGNMENT, 1, id='docker-env-eq',
    ),
    pytest.param(
        'compose.yml', 'services:\n  app:\n    environment:\n      - VAST_API_KEY={key}\n',
        rules.ASSIGNMENT, 4, id='compose-list',
    ),
    pytest.param(
        'compose.yml', 'environment:\n  VAST_API_KEY: "{key}"\n', rules.ASSIGNMENT, 2,
        id='compose-map',
    ),
    pytest.param(
        'w.service', '[Service]\nEnvironment="VAST_API_KEY={key}"\n', rules.ASSIGNMENT, 2,
        id='systemd',
    ),
    pytest.param('a.ps1', '$env:VAST_API_KEY = "{key}"\n', rules.ASSIGNMENT, 1, id='powershell'),
    pytest.param(
        'n.ipynb', '   "source": [\n    "VAST_API_KEY = \\"{key}\\"\\n",\n', rules.ASSIGNMENT, 2,
        id='notebook-escaped',
    ),
    pytest.param(
        'run.sh', "vastai create instance 1 --env '-e VAST_API_KEY={key} -e X=1'\n",
        rules.ASSIGNMENT, 1, id='instance-env',
    ),
    # the CLI
    pytest.param('README.md', 'vastai set api-key {key}\n', rules.CLI, 1, id='cli-set'),
    pytest.param('README.md', '    ./vast set api-key {key}\n', rules.CLI, 1, id='cli-legacy'),
    pytest.param('README.md', './vast.py set api-key {key}\n', rules.CLI, 1, id='cli-vast-py'),
    pytest.param('nb.py', '!vastai set api-key {key}\n', rules.CLI, 1, id='cli-notebook-bang'),
    pytest.param(
        'a.sh', 'vastai show instances --api-key {key}\n', rules.CLI, 1, id='cli-flag',
    ),
    pytest.param('a.sh', 'vastai show user --api-key={key}\n', rules.CLI, 1, id='cli-flag-eq'),
    pytest.param(
        'a.sh', 'vastai create instance 42 \\\n  --image x \\\n  --api-key {key}\n', rules.CLI, 3,
        id='cli-continued-lines',
    ),
    # Vast hosts
    pytest.param(
        'a.py', 'URL = "https://console.vast.ai/api/v0/instances/?api_key={key}"\n', rules.URL, 1,
        id='url-query',
    ),
    pytest.param(
        'a.sh', 'curl "https://vast.ai/api/v0/users/current/?owner=me&api_key={key}"\n',
        rules.URL, 1, id='url-second-param',
    ),
    pytest.param(
        'a.sh',
        'curl -s \\\n  -H "Authorization: Bearer {key}" \\\n'
        '  https://console.vast.ai/api/v0/instances/\n',
        rules.HOST_CONTEXT, 2, id='curl-bearer',
    ),
    pytest.param(
        'a.py',
        'BASE = "https://console.vast.ai/api/v0"\n'
        'headers = {"Authorization": "Bearer {key}"}\n',
        rules.HOST_CONTEXT, 2, id='requests-bearer',
    ),
    pytest.param(
        'a.py',
        'client = OpenAI(\n    api_key="{key}",\n    base_url="https://openai.vast.ai/my-ep",\n)\n',
        rules.HOST_CONTEXT, 2, id='openai-compatible',
    ),
    pytest.param(
        'a.py', 'sdk = VastAI(api_key="{key}")\n', rules.HOST_CONTEXT, 1, id='sdk-constructor',
    ),
    pytest.param(
        'a.py',
        'from vastai import Serverless\n' + '\n' * 30 + 'client = Serverless(api_key="{key}")\n',
        rules.HOST_CONTEXT, 32, id='sdk-import-far-away',
    ),
    pytest.param(
        'config.yml',
        'projects:\n- name: main\n  backends:\n  - type: vastai\n    creds:\n'
        '      type: api_key\n      api_key: {key}\n',
        rules.HOST_CONTEXT, 7, id='dstack-backend',
    ),
    # key files, the per-instance key, base64, other secrets
    pytest.param('.vast_api_key', '{key}\n', rules.KEY_FILE, 1, id='legacy-key-file'),
    pytest.param(
        'home/.config/vastai/vast_api_key', '{key}', rules.KEY_FILE, 1, id='xdg-key-file',
    ),
    pytest.param(
        'var/lib/vastai_kaalia/api_key', '{key}\n', rules.KEY_FILE, 1, id='host-key-file',
    ),
    pytest.param('.env', 'CONTAINER_API_KEY={key}\n', rules.CONTAINER, 1, id='container-key'),
    pytest.param(
        'secret.yaml', 'kind: Secret\ndata:\n  VAST_API_KEY: {b64}\n', rules.BASE64, 3,
        id='k8s-secret-base64',
    ),
)
