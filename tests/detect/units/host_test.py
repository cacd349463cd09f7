"""The host-context unit and its evidence: a generic slot in a Vast.ai context, near or at the
scope of the whole file; a file name never decides alone for a name that says another secret."""
from __future__ import annotations

import pytest

from testing.util import new_key
from vastai_guard.detect.detector import find_secrets


@pytest.mark.parametrize(('path', 'template', 'context'), (
    pytest.param(
        'run.sh', 'curl --oauth2-bearer {key} https://console.vast.ai/api/v0/instances/\n',
        'host console.vast.ai', id='curl-oauth2-bearer',
    ),
    pytest.param(
        'job.py', 'client = VastClient(\n    region="x",\n    api_key="{key}",\n)\n',
        'call VastClient / api_key', id='keyword-of-a-vast-call-over-lines',
    ),
    pytest.param(
        'gpu.py', "VAST = '{key}'  # vast.ai key\n", 'name VAST and its comment',
        id='same-line-comment',
    ),
    pytest.param(
        'setup.py',
        'import os\nAPI_KEY = "{key}"\n\n\n\n\n\n\n\n\ndef login():\n'
        '    os.system("./vast.py " + "set api-key " + API_KEY)\n',
        'file runs the vastai CLI', id='cli-run-anywhere',
    ),
    pytest.param(
        'client.py',
        'import requests\nTOKEN = "{key}"\n' + '\n' * 40
        + 'requests.get("https://console.vast.ai/api/v0/instances/")\n',
        'file calls console.vast.ai', id='api-call-anywhere',
    ),
))
def test_generic_slot_in_a_vast_context(path: str, template: str, context: str) -> None:
    key = new_key()
    found = find_secrets(template.replace('{key}', key), path)
    assert [(m.secret, m.context) for m in found] == [(key, context)]


@pytest.mark.parametrize(('path', 'template'), (
    # a nearer URL names another vendor
    pytest.param(
        'client.py',
        'requests.get("https://console.vast.ai/api/v0/instances/")\n' + '\n' * 40
        + 'OPENAI = "https://api.openai.com/v1"\nAPI_KEY = "{key}"\n', id='nearer-vendor-url',
    ),
    # a nearer section names another vendor
    pytest.param(
        'config.toml', '[tool.vastai]\nx = 1\n[openai]\napi_key = "{key}"\n',
        id='nearer-section',
    ),
    # the file name adds weight, never decides for a name that says another secret
    pytest.param('vast-template-env.txt', 'MASTER_PKEY={key}\n', id='file-name-other-secret'),
    # a base URL is not a call
    pytest.param('app.py', 'BASE = "https://console.vast.ai"\n' + '\n' * 30 + 'api_key = "{key}"\n',
                 id='base-url-not-a-call'),
    # a keyword of another vendor's client, with vast elsewhere in the file
    pytest.param('ai.py', 'vast = 1\nclient = OpenAI(\n    api_key="{key}",\n)\n', id='other-client'),
    # a web framework's session secret in a module that calls the Vast API
    pytest.param(
        'app.py',
        'app = Flask(__name__)\napp.secret_key = "{key}"\n' + '\n' * 30
        + 'requests.get("https://console.vast.ai/api/v0/instances/")\n', id='flask-secret-key',
    ),
    # the comment says vast but names no credential
    pytest.param('gpu.py', "VAST = '{key}'  # vast.ai image digest\n", id='comment-digest'),
))
def test_nearer_context_wins(path: str, template: str) -> None:
    assert find_secrets(template.replace('{key}', new_key()), path) == []


def test_file_name_still_decides_for_a_plain_credential_name() -> None:
    key = new_key()
    found = find_secrets(f'API_KEY={key}\n', 'vast.env')
    assert [(m.secret, m.context) for m in found] == [(key, 'file vast.env')]
