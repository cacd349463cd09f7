"""A corpus of how real code writes Vast.ai keys, and of what only looks like one.

Modelled on public repositories (Terraform, Kubernetes, Spring, .NET, Rust, SDK constructors,
key-file writes, docs tables, logs, notebooks), rewritten by hand: no line is copied and no key
is real. `{key}` becomes a fresh 64-hex key at run time (`{b64}` its base64 form), so this file
passes the project's own hook. Used by tests/corpus_test.py and benchmarks/detector_bench.py.

A case is a positive when `rule` is set (the key must be found, on `line`, with that rule) and a
look-alike when it is None (nothing may be found in the file).
"""
from __future__ import annotations

import base64
from typing import NamedTuple

from vastai_guard.detect import rules


class Case(NamedTuple):
    id: str
    path: str
    template: str
    rule: rules.Rule | None
    line: int = 0
    # a word that must be in the finding's context (the "say why" contract)
    context: str = ''


def render(template: str, key: str) -> str:
    b64 = base64.b64encode(key.encode()).decode()
    # `echo KEY | base64`: the newline is encoded too
    b64nl = base64.b64encode(key.encode() + b'\n').decode()
    return template.replace('{key}', key).replace('{b64}', b64).replace('{b64nl}', b64nl)


A = rules.ASSIGNMENT
CLI = rules.CLI
URL = rules.URL
HOST = rules.HOST_CONTEXT
FILE = rules.KEY_FILE
CONTAINER = rules.CONTAINER
B64 = rules.BASE64

POSITIVES: tuple[Case, ...] = (
    # names with any prefix, suffix or casing
    Case('suffix-prod', '.env.production', 'VAST_API_KEY_PROD={key}\n', A, 1, 'VAST_API_KEY_PROD'),
    Case('suffix-number', '.env', 'VAST_API_KEY_2={key}\n', A, 1, 'VAST_API_KEY_2'),
    Case('airflow-var', 'airflow.env', 'AIRFLOW_VAR_VASTAI_API_KEY={key}\n', A, 1, 'AIRFLOW'),
    Case('vast-ai-key', '.env', 'VAST_AI_KEY={key}\n', A, 1, 'VAST_AI_KEY'),
    Case('kebab-spring', 'application.yml', 'gpu:\n  vast-api-key: {key}\n', A, 2, 'vast-api-key'),
    Case('dotnet-colon', 'env.list', 'VastAi:ApiKey={key}\n', A, 1, 'VastAi:ApiKey'),
    Case('weird-casing', '.env', 'vAsT_api_key={key}\n', A, 1, 'vAsT_api_key'),
    Case('camel', 'cfg.ts', 'export const vastApiKey = "{key}";\n', A, 1, 'vastApiKey'),
    Case('pascal-go', 'main.go', 'const VastAPIKey = "{key}"\n', A, 1, 'VastAPIKey'),
    Case('token-name', 'settings.py', 'VASTAI_TOKEN = "{key}"\n', A, 1, 'VASTAI_TOKEN'),
    Case('lower-env', 'run.sh', 'vast_key="{key}"\n', A, 1, 'vast_key'),
    Case('dotted-properties', 'application.properties', 'vast.api.key={key}\n', A, 1, 'vast.api.key'),
    Case('dotted-properties-ai', 'app.properties', 'vastai.apikey = {key}\n', A, 1, 'vastai.apikey'),
    # typed constants
    Case('rust-const', 'src/main.rs', 'const VAST_API_KEY: &str = "{key}";\n', A, 1),
    Case('rust-static', 'src/lib.rs', "static VAST_API_KEY: &'static str = \"{key}\";\n", A, 1),
    Case('kotlin-val', 'Client.kt', 'private val vastApiKey: String = "{key}"\n', A, 1),
    Case('java-final', 'Vast.java', 'private static final String VAST_API_KEY = "{key}";\n', A, 1),
    Case('csharp-const', 'Vast.cs', 'public const string VastApiKey = "{key}";\n', A, 1),
    Case('go-var-typed', 'cfg.go', 'var VastApiKey string = "{key}"\n', A, 1),
    Case('ts-typed', 'cfg.ts', 'const vastKey: string = "{key}";\n', A, 1),
    Case('swift-let', 'Vast.swift', 'let vastApiKey = "{key}"\n', A, 1),
    Case('php-define', 'config.php', "define('VAST_API_KEY', '{key}');\n", A, 1),
    Case('php-array', 'config.php', "return ['vast_api_key' => '{key}'];\n", A, 1),
    Case('ruby-const', 'vast.rb', "VAST_API_KEY = '{key}'.freeze\n", A, 1),
    # env-read defaults in every language
    Case('js-or-default', 'index.js', "const key = process.env.VAST_API_KEY || '{key}';\n", A, 1),
    Case('js-nullish', 'index.ts', 'const key = process.env.VAST_API_KEY ?? "{key}";\n', A, 1),
    Case('py-or-default', 'app.py', "key = os.environ.get('VAST_API_KEY') or '{key}'\n", A, 1),
    Case('py-get-default', 'app.py', "key = os.environ.get('VAST_API_KEY', '{key}')\n", A, 1),
    Case('py-getenv-default', 'app.py', 'key = os.getenv("VASTAI_API_KEY", "{key}")\n', A, 1),
    Case('spring-default', 'application.yml', 'vast:\n  key: ${VAST_API_KEY:{key}}\n', A, 2),
    Case('spring-default-dotted', 'app.properties', 'api.key=${vast.api-key:{key}}\n', A, 1),
    Case('bash-default-equals', 'run.sh', ': "${VAST_API_KEY:={key}}"\n', A, 1),
    Case('go-getenv-fallback', 'main.go',
         'key := os.Getenv("VAST_API_KEY")\nif key == "" {\n\tkey = "{key}" // vast.ai fallback\n}\n',
         HOST, 3),
    # flags and comments
    Case('own-flag', 'run.sh', 'python train.py --vastai-api-key {key}\n', A, 1, 'flag'),
    Case('own-flag-eq', 'Makefile', '\tpython launch.py --vast-api-key={key}\n', A, 1, 'flag'),
    Case('comment-above', 'config.py', '# Vast.ai API key\nAPI_KEY = "{key}"\n', HOST, 2, 'vast.ai'),
    Case('comment-on-line', '.env', 'API_KEY={key}  # vast.ai\n', HOST, 1, 'vast.ai'),
    # enclosing structures
    Case('yaml-parent', 'config.yaml', 'providers:\n  vast:\n    api_key: {key}\n', HOST, 3, 'vast'),
    Case('yaml-parent-far', 'config.yaml',
         'vastai:\n' + ''.join(f'  opt{i}: {i}\n' for i in range(12)) + '  api_key: "{key}"\n',
         HOST, 14, 'vastai'),
    Case('ini-section', 'config.ini', '[vast]\nregion = eu\napi_key = {key}\n', HOST, 3, 'section'),
    Case('toml-section', 'config.toml', '[providers.vastai]\ntoken = "{key}"\n', HOST, 2, 'section'),
    Case('toml-double', 'cfg.toml', '[[clouds.vast]]\nname = "a"\nkey = "{key}"\n', HOST, 3),
    Case('appsettings', 'appsettings.json',
         '{\n  "Logging": {"LogLevel": "Info"},\n  "VastAi": {\n    "BaseUrl": "x",\n'
         '    "ApiKey": "{key}"\n  }\n}\n', HOST, 5, 'VastAi'),
    Case('json-nested', 'secrets.json',
         '{\n  "gpu": {\n    "vast": {\n      "token": "{key}"\n    }\n  }\n}\n', HOST, 4),
    Case('k8s-env-name-value', 'deploy.yaml',
         'env:\n  - name: VAST_API_KEY\n    value: "{key}"\n', A, 3, 'VAST_API_KEY'),
    Case('k8s-env-name-value-flat', 'deploy.yaml',
         'containers:\n- env:\n  - name: VASTAI_API_KEY\n    value: {key}\n', A, 4),
    Case('k8s-secret-stringdata', 'secret.yaml',
         'kind: Secret\nstringData:\n  VAST_API_KEY: "{key}"\n', A, 3),
    Case('k8s-secret-base64', 'secret.yaml',
         'apiVersion: v1\nkind: Secret\ndata:\n  vast-api-key: {b64}\n', B64, 4),
    Case('helm-values', 'values.yaml', 'vast:\n  enabled: true\n  apiKey: "{key}"\n', HOST, 3),
    Case('compose-env-map', 'docker-compose.yml',
         'services:\n  worker:\n    environment:\n      VAST_API_KEY: {key}\n', A, 4),
    Case('terraform-variable-default', 'variables.tf',
         'variable "vastai_api_key" {\n  type      = string\n  sensitive = true\n'
         '  default   = "{key}"\n}\n', A, 4, 'vastai_api_key'),
    Case('terraform-provider', 'main.tf',
         'provider "vastai" {\n  api_key = "{key}"\n}\n', HOST, 2, 'vastai'),
    Case('terraform-tfvars', 'terraform.tfvars', 'vastai_api_key = "{key}"\n', A, 1),
    Case('terraform-state', 'terraform.tfstate',
         '{\n  "resources": [\n    {\n      "type": "vastai_api_key",\n      "name": "ci",\n'
         '      "provider": "provider[\\"registry.terraform.io/acme/vastai\\"]",\n'
         '      "instances": [\n        {\n          "attributes": {\n'
         '            "key": "{key}"\n          }\n        }\n      ]\n    }\n  ]\n}\n',
         HOST, 10),
    Case('markdown-heading-slot', 'SETUP.md', '## Vast.ai\n\n- API key: `{key}`\n', HOST, 3),
    Case('markdown-label-above', 'SETUP.md', '## Vast.ai\n\nYour API key:\n\n    {key}\n', HOST, 5),
    Case('markdown-label-fenced', 'docs/setup.md',
         '# Renting on Vast.ai\n\n**API key:**\n\n```\n{key}\n```\n', HOST, 6, 'heading'),
    Case('markdown-heading-far', 'NOTES.md',
         '# Vast.ai credentials\n' + 'Some text.\n' * 10 + '\napi_key: `{key}`\n', HOST, 13, 'heading'),
    Case('markdown-table', 'docs/keys.md',
         '| Service | Key |\n|---|---|\n| Vast.ai API key | {key} |\n', HOST, 3),
    Case('markdown-table-name', 'docs/env.md',
         '| Variable | Value |\n|---|---|\n| VAST_API_KEY | `{key}` |\n', A, 3),
    Case('xml-appsettings', 'App.config',
         '<appSettings>\n  <add key="VastApiKey" value="{key}" />\n</appSettings>\n', A, 2),
    Case('xml-element', 'settings.xml', '<settings>\n  <VastApiKey>{key}</VastApiKey>\n</settings>\n', A, 2),
    Case('xml-vast-parent', 'creds.xml', '<vast>\n  <apiKey>{key}</apiKey>\n</vast>\n', HOST, 2),
    # calls
    Case('sdk-positional', 'main.py', 'from vastai import VastAI\nclient = VastAI("{key}")\n', HOST, 2),
    Case('sdk-positional-no-import', 'job.py', 'client = VastAI("{key}")\n', HOST, 1, 'VastAI'),
    Case('sdk-keyword', 'job.py', 'vast = VastAI(api_key="{key}")\n', HOST, 1),
    Case('sdk-serverless', 'serve.py',
         'from vastai import Serverless\nclient = Serverless("{key}")\n', HOST, 2, 'sdk'),
    Case('sdk-module-client', 'job.py', 'sdk = vastai.Client(api_key="{key}")\n', HOST, 1),
    Case('js-client', 'vast.js', 'const client = new VastClient("{key}");\n', HOST, 1),
    Case('java-client', 'App.java', 'VastAiClient client = new VastAiClient("{key}");\n', HOST, 1),
    Case('go-client', 'main.go', 'c := vastai.NewClient("{key}")\n', HOST, 1),
    Case('openai-vast-endpoint', 'llm.py',
         'client = OpenAI(\n    base_url="https://openai.vast.ai/my-endpoint/v1",\n'
         '    api_key="{key}",\n)\n', HOST, 3, 'openai.vast.ai'),
    Case('openai-env-names', '.env',
         'OPENAI_BASE_URL=https://openai.vast.ai/ep-123/v1\nOPENAI_API_KEY={key}\n', HOST, 2),
    Case('route-body', 'client.py',
         'resp = requests.post("https://run.vast.ai/route/", json={\n'
         '    "endpoint": "my-ep",\n    "api_key": "{key}",\n    "cost": 100,\n})\n', HOST, 3),
    Case('route-body-json', 'route.json',
         '{"endpoint": "my-ep", "api_key": "{key}", "cost": 100, "url": "https://run.vast.ai/route/"}\n',
         HOST, 1),
    Case('curl-bearer-host', 'api.sh',
         'curl -H "Authorization: Bearer {key}" https://console.vast.ai/api/v0/instances/\n', HOST, 1),
    Case('requests-headers', 'api.py',
         'API = "https://console.vast.ai/api/v0"\nHEADERS = {"Authorization": "Bearer {key}"}\n',
         HOST, 2),
    Case('powershell-header', 'vast.ps1',
         '$uri = "https://console.vast.ai/api/v0/users/current/"\n'
         '$headers = @{ Authorization = "Bearer {key}" }\n', HOST, 2),
    # key-file writes and the host install
    Case('echo-legacy-file', 'setup.sh', 'echo {key} > ~/.vast_api_key\n', FILE, 1, 'vast_api_key'),
    Case('echo-quoted-xdg', 'setup.sh',
         'echo "{key}" > ~/.config/vastai/vast_api_key\n', FILE, 1),
    Case('printf-file', 'setup.sh', "printf '%s' '{key}' > \"$HOME/.vast_api_key\"\n", FILE, 1),
    Case('echo-n-tee', 'setup.sh', 'echo -n {key} | tee ~/.config/vastai/vast_api_key\n', FILE, 1),
    Case('dockerfile-run-echo', 'Dockerfile',
         'FROM python:3.11\nRUN echo "{key}" > /root/.vast_api_key\n', FILE, 2),
    Case('python-write', 'setup.py',
         'with open(os.path.expanduser("~/.vast_api_key"), "w") as f:\n    f.write("{key}")\n',
         FILE, 2, 'written'),
    Case('python-write-text', 'bootstrap.py',
         'Path("~/.vast_api_key").expanduser().write_text("{key}")\n', FILE, 1, 'written'),
    Case('node-write-file', 'setup.js',
         'fs.writeFileSync(os.homedir() + "/.vast_api_key", "{key}");\n', FILE, 1, 'written'),
    Case('heredoc', 'provision.sh',
         'mkdir -p ~/.config/vastai\ncat > ~/.config/vastai/vast_api_key <<EOF\n{key}\nEOF\n', FILE, 3),
    Case('tfa-file', 'login.sh', 'echo {key} > ~/.config/vastai/vast_tfa_key\n', FILE, 1),
    Case('kaalia-file', 'host.sh', 'echo "{key}" > /var/lib/vastai_kaalia/api_key\n', FILE, 1),
    Case('host-install', 'host-setup.md',
         'wget https://console.vast.ai/install -O install\nsudo python3 install {key}\n', CLI, 2),
    Case('key-file-legacy', '.vast_api_key', '{key}\n', FILE, 1, 'key file'),
    Case('key-file-xdg', 'dotfiles/.config/vastai/vast_api_key', '{key}', FILE, 1),
    Case('key-file-tfa', 'dotfiles/.config/vastai/vast_tfa_key', '{key}\n', FILE, 1),
    Case('file-named-vast', 'secrets/vast.yaml', 'api_key: {key}\n', HOST, 1, 'file'),
    Case('file-named-vastai-env', 'config/vastai.env', 'API_KEY={key}\n', HOST, 1, 'file'),
    Case('module-imports-sdk', 'jobs/train.py',
         'import vastai\n\n\nclass Job:\n' + '    pass\n' * 20 + 'TOKEN = "{key}"\n', HOST, 25, 'sdk'),
    # logs, notebooks, CI
    Case('log-url', 'debug.log',
         '2024-03-01 12:00:01 GET https://console.vast.ai/api/v0/instances/?owner=me&api_key={key} 200\n',
         URL, 1, 'console.vast.ai'),
    Case('explain-output', 'issue.md',
         'Running: curl "https://console.vast.ai/api/v0/users/current/?api_key={key}"\n', URL, 1),
    Case('notebook-cli', 'nb.ipynb',
         '{"cells": [{"source": ["!vastai set api-key {key}\\n"]}]}\n', CLI, 1),
    Case('notebook-env', 'nb.ipynb',
         '  "source": [\n    "os.environ[\\"VAST_API_KEY\\"] = \\"{key}\\"\\n",\n', A, 2),
    Case('gha-inline', '.github/workflows/ci.yml',
         'steps:\n  - run: vastai set api-key {key}\n', CLI, 2),
    Case('gitlab-variables', '.gitlab-ci.yml', 'variables:\n  VAST_API_KEY: "{key}"\n', A, 2),
    Case('systemd-env', 'vast.service', '[Service]\nEnvironment=VAST_API_KEY={key}\n', A, 2),
    Case('ansible-vars', 'group_vars/all.yml', 'vastai_api_key: "{key}"\n', A, 1),
    Case('dstack-config', 'config.yml',
         'projects:\n- name: main\n  backends:\n  - type: vastai\n    creds:\n      type: api_key\n'
         '      api_key: {key}\n', HOST, 7),
    Case('skypilot-style', 'setup.sh', 'mkdir -p ~/.config/vastai && echo {key} > ~/.config/vastai/vast_api_key\n', FILE, 1),
    Case('fish-set', 'config.fish', 'set -gx VAST_API_KEY {key}\n', A, 1),
    Case('windows-set', 'run.bat', 'set VAST_API_KEY={key}\n', A, 1),
    Case('powershell-env', 'run.ps1', '$env:VAST_API_KEY = "{key}"\n', A, 1),
    Case('n8n-credential', 'credentials.json',
         '{"type": "vastAICredentialsApi", "data": {"apiKey": "{key}"}}\n', HOST, 1),
    Case('cli-tfa-login-doc', 'README.md', 'vastai --api-key {key} show instances\n', CLI, 1),
)

LOOK_ALIKES: tuple[Case, ...] = (
    Case('jupyter-token-env', '.env', 'JUPYTER_TOKEN={key}\n# vast.ai instance\n', None),
    Case('jupyter-url', 'notes.md',
         'Open https://1.2.3.4:8080/lab?token={key} (vast.ai instance)\n', None),
    Case('open-button', 'onstart.sh', 'export OPEN_BUTTON_TOKEN={key}  # vast.ai portal\n', None),
    Case('ssh-host-pin', 'known.yaml',
         'vast:\n  host_key_fingerprint: {key}\n  host: ssh4.vast.ai\n', None),
    Case('webhook-signature', 'hook.py',
         '# vast.ai webhook\nsignature = "{key}"\nWEBHOOK_SECRET_HASH = "{key}"\n', None),
    Case('sops-file', 'secrets.enc.yaml',
         'vast_api_key: ENC[AES256_GCM,data:Zm9vYmFy,iv:aXY=,tag:dGFn,type:str]\n'
         'sops:\n  mac: ENC[AES256_GCM,data:bWFj,type:str]\n  lastmodified: "2024-01-01"\n', None),
    Case('ansible-vault', 'group_vars/vault.yml',
         'vast_api_key: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  {key}\n  {key}\n', None),
    Case('r2-env-var', 'setup.sh',
         'vastai create env-var R2_SECRET_ACCESS_KEY {key}\nvastai create env-var CF_KEY {key}\n', None),
    Case('r2-env-var-eq', 'setup.sh',
         'vastai create env-var --name R2_SECRET --value {key}  # vast.ai\n', None),
    Case('ledger', '.vastai-guard.yaml',
         'rotated:\n  - fingerprint: {key}\n    date: "2024-01-01"\nallow_fingerprints:\n  - {key}\n', None),
    Case('sha256-field', 'release.json',
         '{"name": "vastai-0.3.tar.gz", "vastai_sha256": "{key}"}\n', None),
    Case('checksum-field', 'Cargo.lock',
         '[[package]]\nname = "vastai-sdk"\nchecksum = "{key}"\n', None),
    Case('0x-hash', 'wallet.py', 'VAST_WALLET_KEY = "0x{key}"  # vast.ai rewards\n', None),
    Case('sha512', 'checksums.txt', 'vastai.tar.gz sha512 {key}{key}\n', None),
    Case('ad-tag-url', 'player.js',
         'const vastTag = "https://ads.example.com/vast?sig={key}&cb=1";\n', None),
    Case('vast-ad-xml', 'ad.xml',
         '<VAST version="4.2">\n  <Ad id="1">\n    <Tracking>https://t.example.com/?key={key}</Tracking>\n'
         '  </Ad>\n</VAST>\n', None),
    Case('image-digest', 'compose.yml', 'image: vastai/pytorch@sha256:{key}\n', None),
    Case('docker-inspect', 'inspect.json',
         '{"Image": "vastai/base", "Id": "sha256:{key}", "RepoDigests": ["vastai/base@sha256:{key}"]}\n',
         None),
    Case('git-lfs-pointer', 'model.bin',
         'version https://git-lfs.github.com/spec/v1\noid sha256:{key}\nsize 12345\n# vast\n', None),
    Case('sha256sums-vast', 'SHA256SUMS', '{key}  vastai-cli-linux-amd64\n', None),
    Case('pip-hash', 'requirements.txt', 'vastai==0.3.0 \\\n    --hash=sha256:{key}\n', None),
    Case('npm-integrity', 'package-lock.json',
         '"node_modules/@vastai/tripo-sdk": {\n  "integrity": "sha512-abc",\n  "shasum": "{key}"\n}\n', None),
    Case('tripo-npm', 'tripo.js',
         'import { TripoClient } from "@vastai/tripo-sdk";\nconst apiKey = "{key}";\n', None),
    Case('vast-data', 'vms.env', 'VAST_DATA_TOKEN={key}\nVMS_PASSWORD={key}\n', None),
    Case('vastpy', 'storage.py', 'from vastpy import VASTClient\ntoken = "{key}"\n', None),
    Case('avast-go', 'retry.go', 'import "github.com/avast/retry-go"\nvar apiKey = "{key}"\n', None),
    Case('devastate', 'game.js', 'const devastateToken = "{key}";\n', None),
    Case('canvas', 'draw.js', 'canvastoblob_secret = "{key}"\n', None),
    Case('dutch-vast', 'README.nl.md', 'De vaste sleutel is {key}\n', None),
    Case('english-vast', 'blog.md', 'A vast number of tokens like {key} exist.\n', None),
    Case('vastly', 'notes.txt', 'vastly better: token {key}\n', None),
    Case('ieee-vast', 'vis.md', '# IEEE VAST Challenge\nsubmission_token: {key}\n', None),
    # a write into another file, or next to a key file opened for reading
    Case('python-write-digests', 'setup.py',
         'with open("digests.txt", "w") as f:\n    f.write("{key}")  # vast image\n', None),
    Case('python-read-key-file', 'setup.py',
         'with open(os.path.expanduser("~/.vast_api_key")) as f:\n    log.write("{key}")\n', None),
    # a hex line under a label in a Vast.ai section: the label names what it is
    Case('markdown-label-checksum', 'SETUP.md', '## Vast.ai\n\nChecksum:\n\n    {key}\n', None),
    Case('markdown-label-digest', 'SETUP.md',
         '## Vast.ai template\n\nImage digest:\n\n```\n{key}\n```\n', None),
    Case('markdown-label-no-vast', 'SETUP.md', '## Install\n\nYour API key:\n\n    {key}\n', None),
    Case('markdown-label-not-a-secret', 'SETUP.md', '## Vast.ai\n\nInstance ID:\n\n    {key}\n', None),
    Case('markdown-label-far', 'SETUP.md',
         '## Vast.ai\n\nYour API key:\n\nSee the console.\n\nBuild id:\n\n    {key}\n', None),
    Case('chip-vendor', 'vaststream.py', 'import vaststream\nlicense_key = "{key}"  # Vastai Technologies\n', None),
    Case('ssh-identity', '.env', 'VAST_KEY=~/.ssh/id_ed25519\nVAST_SSH_KEY=/home/me/.ssh/vast\n', None),
    Case('api-key-no-context', 'service.env', 'API_KEY={key}\n', None),
    Case('bearer-other-host', 'api.sh',
         'curl -H "Authorization: Bearer {key}" https://api.example.com/v1/\n', None),
    Case('host-too-far', 'app.py',
         'BASE = "https://console.vast.ai"\n' + '\n' * 30 + 'api_key = "{key}"\n', None),
    Case('section-other', 'config.ini', '[vast]\nregion = eu\n[stripe]\napi_key = {key}\n', None),
    Case('yaml-sibling-section', 'config.yaml', 'vast:\n  region: eu\nstripe:\n  api_key: {key}\n', None),
    Case('k8s-other-name', 'deploy.yaml',
         'env:\n  - name: VAST_REGION\n    value: eu\n  - name: STRIPE_KEY\n    value: "{key}"\n', None),
    Case('placeholder-sequence', '.env', 'VAST_API_KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n', None),
    Case('placeholder-zeros', '.env', 'VAST_API_KEY=' + '0' * 64 + '\n', None),
    Case('template-var', '.env.example', 'VAST_API_KEY=${VAST_API_KEY}\n', None),
    Case('gha-secret', 'ci.yml', 'env:\n  VAST_API_KEY: ${{ secrets.VAST_API_KEY }}\n', None),
    Case('git-sha-in-vast-log', 'CHANGELOG.md', 'vastai 0.3: commit {key} fixes api key handling\n', None),
    Case('uuid-instance', 'notes.md', 'vast.ai instance id 123e4567-e89b-12d3-a456-426614174000\n', None),
    Case('template-hash', 'templates.json',
         '{"template_hash": "0123abcd0123abcd0123abcd0123abcd", "vastai": true, "image_sha256": "{key}"}\n', None),
    Case('pragma', '.env', 'VAST_API_KEY={key}  # pragma: allowlist secret\n', None),
    Case('own-allow', 'README.md', 'vastai set api-key {key}  <!-- vastai-guard:allow -->\n', None),
    Case('hmac-vast', 'sign.py', '# vast.ai route\nhmac_key = "{key}"\n', None),
    Case('session-key', 'notes.md', 'vast.ai session_key: {key}\n', None),
    Case('md5-pair', 'docs.md',
         '# vast.ai per-instance recipe\ncat ~/.ssh/authorized_keys | md5sum\necho {key} | cut -c1-32\n', None),
    Case('etag', 'cache.json', '{"url": "https://console.vast.ai/static/app.js", "etag": "{key}"}\n', None),
    Case('hf-token-vast', '.env', 'HF_TOKEN={key}\nVAST_INSTANCE=123\n', None),
    Case('wandb-vast', 'onstart.sh', 'export WANDB_API_KEY={key}  # on vast.ai\n', None),
    Case('github-token-vast', '.env', 'GITHUB_TOKEN={key}\n# deploy to vast.ai\n', None),
)

# Detector v3 (issue 21): shapes that need the document model, file-scope evidence or a
# decoder; modelled on public CI files, IaC, HTTP captures, API-client exports and docs.
POSITIVES_V3 = (
    Case('k8s-secret-named-vast', 'k8s/secret.yaml',
         'apiVersion: v1\nkind: Secret\nmetadata:\n  name: vast-api-secret\ntype: Opaque\n'
         'data:\n  api-key: {b64nl}\n', B64, 7, 'vast-api-secret'),
    Case('k8s-stringdata-named-vast', 'deploy/creds.yaml',
         'kind: Secret\nmetadata:\n  name: vastai-credentials\nstringData:\n  token: "{key}"\n',
         HOST, 5, 'vastai-credentials'),
    Case('tfstate-vastai-resource', 'terraform.tfstate',
         '{"version": 4, "resources": [{"type": "vastai_instance", "name": "gpu", "instances": '
         '[{"attributes": {"id": "1", "api_key": "{key}"}}]}]}\n', HOST, 1, 'vastai'),
    Case('md-heading-fenced-key', 'docs/setup.md',
         '# Setup\n\n## Vast.ai API Key\n\nRun once:\n\n```\n{key}\n```\n', HOST, 8, 'heading'),
    Case('md-table-vast-row', 'docs/keys.md',
         '| Service | Key | Notes |\n|---|---|---|\n| Vast.ai | {key} | GPUs |\n', HOST, 3, 'table'),
    Case('toml-section-far', 'pyproject.toml',
         '[tool.vastai]\n' + 'opt = 1\n' * 50 + 'api_key = "{key}"\n', HOST, 52, 'tool.vastai'),
    Case('ini-section-far', 'settings.ini',
         '[Vast.ai]\n' + 'opt = x\n' * 50 + 'api_key = {key}\n', HOST, 52, 'Vast.ai'),
    Case('pydantic-field-default', 'settings.py',
         'class Settings(BaseSettings):\n'
         '    vast_api_key: str = Field(default="{key}", alias="VAST_API_KEY")\n', A, 2, 'VAST_API_KEY'),
    Case('config-helper-default-value', 'cfg.py',
         'VAST = create_config(\n    env_name="VAST_API_KEY",\n    default_value="{key}",\n)\n',
         A, 3, 'VAST_API_KEY'),
    Case('kotlin-elvis', 'Main.kt', 'val key = System.getenv("VAST_API_KEY") ?: "{key}"\n', A, 1),
    Case('curl-oauth2-bearer', 'run.sh',
         'curl --oauth2-bearer {key} https://console.vast.ai/api/v0/instances/\n', HOST, 1),
    Case('postman-bearer', 'gpu.postman_collection.json',
         '{"info": {"name": "GPU"}, "auth": {"type": "bearer", "bearer": [{"key": "token", '
         '"value": "{key}", "type": "string"}]}, "item": [{"request": {"url": '
         '{"raw": "https://console.vast.ai/api/v0/instances/"}}}]}\n', HOST, 1, 'console.vast.ai'),
    Case('insomnia-bearer-yaml', 'insomnia.yaml',
         'resources:\n  - _type: request\n    url: https://console.vast.ai/api/v0/instances/\n'
         + '    description: list\n' * 12
         + '    authentication:\n      type: bearer\n      token: {key}\n', HOST, 18),
    Case('ansible-copy-key-file', 'playbook.yml',
         '- name: install key\n  copy:\n    content: "{key}"\n'
         '    dest: /root/.config/vastai/vast_api_key\n', FILE, 3),
    Case('hcl-locals-map', 'main.tf',
         'locals {\n  api_keys = {\n    vastai = "{key}"\n  }\n}\n', HOST, 3, 'api_keys'),
    Case('url-encoded-api-key', 'access.log',
         'GET /go?next=https%3A%2F%2Fconsole.vast.ai%2Fapi%2Fv0%2Finstances%3Fapi_key%3D{key} 302\n',
         URL, 1),
    Case('powershell-env-listing', 'env.txt',
         'Name                           Value\n----                           -----\n'
         'VAST_API_KEY                   {key}\n', A, 3),
    Case('name-and-comment', 'gpu.py', "VAST = '{key}'  # vast.ai key\n", HOST, 1, 'comment'),
    Case('cli-run-anywhere', 'setup.py',
         'import os\nAPI_KEY = "{key}"\n' + '\n' * 20
         + 'os.system("./vast.py " + "set api-key " + API_KEY)\n', HOST, 2, 'CLI'),
    Case('gitlab-job-named-vast', '.gitlab-ci.yml',
         'stages: [train]\nvast-train:\n  stage: train\n' + '  tags: [gpu]\n' * 45
         + '  variables:\n    API_TOKEN: "{key}"\n', HOST, 50, 'vast-train'),
    Case('har-authorization', 'capture.har',
         '{"log": {"entries": [{"request": {"url": "https://console.vast.ai/api/v0/users/current/", '
         '"headers": [{"name": "Authorization", "value": "Bearer {key}"}]}}]}}\n', HOST, 1),
)
LOOK_ALIKES_V3 = (
    Case('placeholder-vast-sk', 'config.json', '{"vast_api_key": "vast_sk_abc123..."}\n', None),
    Case('ui-element-ids', 'NOTES.md',
         'Inputs: vast-api-key-input, r2-access-key-input, hf-token-input\n', None),
    Case('eth-key-vast-file-name', 'vast-template-env.txt', 'MASTER_PKEY={key}\n', None),
    Case('md-heading-checksum', 'README.md', '## Vast.ai image checksum\n\n```\n{key}\n```\n', None),
    Case('md-table-digest-column', 'docs/img.md',
         '| Provider | SHA256 |\n|---|---|\n| Vast.ai | {key} |\n', None),
    Case('toml-later-vendor-section', 'config.toml',
         '[tool.vastai]\nx = 1\n[openai]\napi_key = "{key}"\n', None),
    Case('configmap-vast-digest', 'k8s/vast.yaml',
         'kind: ConfigMap\nmetadata:\n  name: vast-worker\ndata:\n  image_sha256: "{key}"\n', None),
    Case('secret-vast-ssh-key', 'k8s/vast.yaml',
         'kind: Secret\nmetadata:\n  name: vast-worker\ndata:\n  ssh_key: {b64}\n', None),
    Case('postman-other-host', 'c.postman_collection.json',
         '{"info": {"name": "vast notes"}, "auth": {"type": "bearer", "bearer": [{"key": "token", '
         '"value": "{key}"}]}, "item": [{"request": {"url": {"raw": "https://api.example.com/v1"}}}]}\n',
         None),
    Case('tfstate-other-provider', 'terraform.tfstate',
         '{"resources": [{"type": "aws_instance", "name": "vast-like", "instances": '
         '[{"attributes": {"sha256": "{key}"}}]}]}\n', None),
    Case('hcl-vast-digest', 'main.tf', 'locals {\n  vastai_image = {\n    sha256 = "{key}"\n  }\n}\n', None),
    Case('url-encoded-token-param', 'access.log',
         'next=https%3A%2F%2Fconsole.vast.ai%2Fjupyter%3Ftoken%3D{key}\n', None),
    Case('base-url-far', 'client.py',
         'BASE = "https://console.vast.ai"\n' + '\n' * 30 + 'api_key = "{key}"\n', None),
    Case('nearer-vendor-url', 'client.py',
         'requests.get("https://console.vast.ai/api/v0/instances/")\n' + '\n' * 30
         + 'OPENAI = "https://api.openai.com/v1"\napi_key = "{key}"\n', None),
)
POSITIVES = POSITIVES + POSITIVES_V3
LOOK_ALIKES = LOOK_ALIKES + LOOK_ALIKES_V3

# Leaks a reader sees but the detector does not (yet): reported as misses by the benchmark,
# kept out of the tests so that the tests state only what is promised.
KNOWN_MISSES: tuple[Case, ...] = ()  # none today: a miss found goes here, with its shape

CASES = POSITIVES + LOOK_ALIKES
