"""The detector against every leak shape and every look-alike we know of.

Each case is a template: `{key}` becomes a fresh 64-hex key, `{b64}` its base64 form. Keys are
made at run time so that this file passes the project's own hook.
"""
from __future__ import annotations

import secrets

import pytest

from testing.leaks import LEAKS
from testing.leaks import render
from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.detector import entropy
from vastai_guard.detect.detector import find_secrets


@pytest.mark.parametrize(('path', 'template', 'rule', 'line'), LEAKS)
def test_leak_is_found(path: str, template: str, rule: rules.Rule, line: int) -> None:
    key = new_key()
    matches = find_secrets(render(template, key), path)
    assert [(m.rule, m.line, m.secret) for m in matches] == [(rule, line, key)]


@pytest.mark.parametrize(
    'value',
    (
        pytest.param(f'Zq8{secrets.token_urlsafe(24)}', id='urlsafe'),
        pytest.param('sk_vast_' + secrets.token_hex(12) + 'Q', id='prefixed-token'),
    ),
)
@pytest.mark.parametrize('name', ('VASTAI_SECRET', 'VASTAI_READ_KEY', 'VASTAI_WRITE_KEY'))
def test_other_secret_under_vast_named_variable(name: str, value: str) -> None:
    matches = find_secrets(f'{name}={value}\n', '.env')
    assert [(m.rule, m.secret) for m in matches] == [(rules.NAMED_SECRET, value)]


LOOK_ALIKES = (
    # SHA-256 digests and other hex
    pytest.param(
        'poetry.lock',
        '[[package]]\nname = "vastai"\nfiles = [\n'
        '    {file = "vastai-0.2.tar.gz", hash = "sha256:{key}"},\n]\n',
        id='poetry-lock',
    ),
    pytest.param('requirements.txt', 'vastai==0.3.1 --hash=sha256:{key}\n', id='pip-hash'),
    pytest.param('compose.yml', 'image: vastai/pytorch@sha256:{key}\n', id='image-digest'),
    pytest.param(
        'Dockerfile', 'FROM vastai/base-image@sha256:{key}\nENV VAST_TIMEOUT=30\n',
        id='dockerfile-digest',
    ),
    pytest.param('SHA256SUMS', '{key}  vast_api_key\n{key}  vastai-0.3.tar.gz\n', id='sha256sums'),
    pytest.param('a.py', 'VAST_API_KEY_SHA256 = "{key}"\n', id='digest-of-key'),
    pytest.param('a.py', 'vast_api_key_hash: {key}\n', id='hash-of-key'),
    pytest.param('a.py', 'CALIBRATION_WORKER_DIGEST = "{key}"  # vast worker\n', id='digest-constant'),
    pytest.param('a.py', 'ETH_KEY = "0x{key}"  # funds the vast wallet\n', id='ethereum-key'),
    pytest.param('a.txt', 'api_key={key}\n', id='api-key-without-vast-context'),
    pytest.param('a.sh', 'curl -H "Authorization: Bearer {key}" https://api.example.com/\n', id='bearer-elsewhere'),
    pytest.param(
        'show.json', '{"jupyter_token": "{key}", "url": "https://console.vast.ai/"}\n',
        id='jupyter-token',
    ),
    pytest.param(
        'a.env', 'OPEN_BUTTON_TOKEN={key}\n# instance on https://cloud.vast.ai/\n',
        id='open-button-token',
    ),
    pytest.param('x.md', 'The vast majority of digests like {key} are fine.\n', id='english-vast'),
    pytest.param('x.md', 'Vast ID 9042 heeft een vaste hash {key}\n', id='dutch-vast'),
    pytest.param(
        'ad.xml',
        '<VAST version="4.0"><Ad id="{key}"><InLine><Impression>'
        'https://ads.example.com/imp?apikey={key}</Impression></InLine></Ad></VAST>\n',
        id='iab-vast-xml',
    ),
    pytest.param('.env', 'AVAST_API_KEY={key}\n', id='avast'),
    pytest.param('.env', 'VAST_DATA_TOKEN={key}\n', id='vast-data'),
    pytest.param('a.js', 'canvastoblob_key = "{key}"\n', id='substring-canvastoblob'),
    pytest.param('a.js', 'const devastateKey = "{key}";\n', id='substring-devastate'),
    pytest.param(
        'package.json', '{"dependencies": {"@vastai/tripo-sdk": "1.0"}, "apiKey": "{key}"}\n',
        id='vastai-npm-scope-is-tripo',
    ),
    pytest.param('a.go', 'import "github.com/avast/retry-go"\nvar key = "{key}"\n', id='avast-go'),
    # inline suppressions
    pytest.param('.env', 'VAST_API_KEY={key}  # pragma: allowlist secret\n', id='pragma'),
    pytest.param(
        '.env', '# pragma: allowlist nextline secret\nVAST_API_KEY={key}\n', id='pragma-nextline',
    ),
    pytest.param('.env', 'VAST_API_KEY={key}  # vastai-guard:allow\n', id='own-allow'),
    pytest.param(
        '.env', '# vastai-guard:allow-next-line\nVAST_API_KEY={key}\n', id='own-allow-next-line',
    ),
)


@pytest.mark.parametrize(('path', 'template'), LOOK_ALIKES)
def test_look_alike_is_not_reported(path: str, template: str) -> None:
    assert find_secrets(render(template, new_key()), path) == []


PLACEHOLDERS = (
    'your_api_key_here', 'your-api-key-here', 'YOUR_API_KEY', '<YOUR_VAST_API_KEY>', '<API_KEY>',
    '<KEY>', 'APIKEY', 'x' * 39, 'vast-123456789abcdef', '$VAST_API_KEY', '${VAST_API_KEY}',
    '${{ secrets.VAST_API_KEY }}', '"${VAST_API_KEY:?set VAST_API_KEY}"', '$(cat ~/.vast_api_key)',
    'CHANGE_ME_VAST_API_KEY', '***', '[REDACTED]', 'REVOKED', 'test-vast-key-12345',
    'env-key-123', 'os.environ["VAST_API_KEY"]', 'os.getenv("VAST_API_KEY")',
    'get_key_v2_from_vault_store()', 'settings.vast_api_key_v2', '0' * 64, 'f' * 64,
    '0123456789abcdef' * 4, 'deadbeef' * 8, 'abcd' * 16,
    '123e4567-e89b-12d3-a456-426614174000', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
)


@pytest.mark.parametrize('value', PLACEHOLDERS)
@pytest.mark.parametrize(
    'template',
    ('VAST_API_KEY={value}\n', 'VASTAI_SECRET: "{value}"\n', 'vastai set api-key {value}\n'),
)
def test_placeholder_is_not_reported(template: str, value: str) -> None:
    assert find_secrets(template.replace('{value}', value), 'README.md') == []


@pytest.mark.parametrize(
    'value',
    ('/home/me/.ssh/id_ed25519', '~/.ssh/vastai_key', './keys/vast.pem', 'id_rsa_vast_2024_01'),
)
def test_ssh_key_path_in_vast_key_variable_is_not_reported(value: str) -> None:
    assert find_secrets(f'VAST_KEY={value}\nVAST_SSH_KEY={value}\n', '.env') == []


def test_key_file_name_is_the_context() -> None:
    """A bare key line is nothing in most files, a leak in the CLI's key file."""
    key = new_key()
    assert find_secrets(f'{key}\n', 'notes.txt') == []
    assert [m.rule for m in find_secrets(f'{key}\n', 'deploy/.vast_api_key')] == [rules.KEY_FILE]


def test_several_keys_in_one_file_each_with_its_line() -> None:
    first, second = new_key(), new_key()
    text = f'# config\nVAST_API_KEY={first}\n\nvastai set api-key {second}\n'
    assert [(m.line, m.secret) for m in find_secrets(text, 'README.md')] == [
        (2, first), (4, second),
    ]


def test_same_key_twice_on_a_line_is_one_match() -> None:
    key = new_key()
    text = f'VAST_API_KEY="${{VAST_API_KEY:-{key}}}"; export VAST_API_KEY={key}\n'
    assert len(find_secrets(text, 'a.sh')) == 1


def test_crlf_and_non_ascii_text() -> None:
    key = new_key()
    text = f'# clé de l’API — ne pas committer\r\nVAST_API_KEY={key}\r\n'
    assert [(m.line, m.secret) for m in find_secrets(text, '.env')] == [(2, key)]


def test_host_marker_far_away_counts_for_the_file_unless_nearer_names_another() -> None:
    # issue 21 item 3: a file that calls a vast.ai host makes its generic slots Vast ones, at
    # any distance; a nearer context that names another vendor wins
    key = new_key()
    text = 'URL = "https://console.vast.ai/api/v0"\n' + '\n' * 20 + f'api_key = "{key}"\n'
    assert [m.context for m in find_secrets(text, 'a.py')] == ['file calls console.vast.ai']
    other = ('URL = "https://console.vast.ai/api/v0"\n' + '\n' * 20
             + f'BASE = "https://api.openai.com/v1"\napi_key = "{key}"\n')
    assert find_secrets(other, 'a.py') == []


def test_random_keys_clear_the_entropy_floor() -> None:
    """The hex entropy floor must never reject a real key: random keys sit far above it."""
    lowest = min(entropy(new_key()) for _ in range(2000))
    assert lowest > rules.MIN_HEX_ENTROPY + 0.3


@pytest.mark.parametrize(('path', 'template', 'rule', 'line'), LEAKS)
def test_the_line_prefilter_passes_every_leak(
        path: str, template: str, rule: rules.Rule, line: int,
) -> None:
    """may_hold_secret is line-local and a superset of find_secrets: history relies on both."""
    from vastai_guard.detect.detector import is_key_file
    from vastai_guard.detect.detector import may_hold_secret

    text = render(template, new_key())
    if is_key_file(path):
        return  # the key files' content is judged by their name, never prefiltered
    assert may_hold_secret(text.encode())
    assert any(may_hold_secret(part.encode()) for part in text.split('\n'))
