"""The named unit: Vast-named slots, and a default whose owner the code names."""
from __future__ import annotations

import pytest

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets


@pytest.mark.parametrize(('path', 'template', 'line'), (
    pytest.param(
        'settings.py',
        'class Settings(BaseSettings):\n'
        '    vast_api_key: str = Field(default="{key}", alias="VAST_API_KEY")\n', 2,
        id='pydantic-field',
    ),
    pytest.param(
        'cfg.py', 'VAST = create_config(\n    env_name="VAST_API_KEY",\n'
        '    default_value="{key}",\n)\n', 3, id='config-helper-multiline',
    ),
    pytest.param(
        'Main.kt', 'val apiKey = System.getenv("VAST_API_KEY") ?: "{key}"\n', 1,
        id='kotlin-elvis',
    ),
    pytest.param(
        'env.txt', 'Name                           Value\n----                           -----\n'
        'VAST_API_KEY                   {key}\n', 3, id='powershell-env-listing',
    ),
    pytest.param(
        'app.py', 'key = settings.get("vast_api_key", fallback="{key}")\n', 1,
        id='fallback-keyword',
    ),
    pytest.param(
        'main.rs', 'let key = env::var("VAST_API_KEY").unwrap_or("{key}".to_string());\n', 1,
        id='rust-unwrap-or',
    ),
    pytest.param(
        'main.rs', 'let key = env::var("VAST_API_KEY").unwrap_or_else(|_| "{key}".into());\n', 1,
        id='rust-unwrap-or-else',
    ),
))
def test_vast_named_owner(path: str, template: str, line: int) -> None:
    key = new_key()
    found = find_secrets(template.replace('{key}', key), path)
    assert [(m.rule, m.line, m.secret) for m in found] == [(rules.ASSIGNMENT, line, key)]


@pytest.mark.parametrize(('path', 'text'), (
    pytest.param('config.json', '{"vast_api_key": "vast_sk_abc123..."}\n', id='placeholder'),
    pytest.param('config.json', '{"vast_api_key": "vast_sk_abc123def456"}\n', id='placeholder-2'),
    pytest.param(
        'NOTES.md', 'Inputs: vast-api-key-input, r2-access-key-input, hf-token-input\n',
        id='ui-element-ids',
    ),
))
def test_placeholders_and_names_are_not_named_secrets(path: str, text: str) -> None:
    assert find_secrets(text, path) == []


@pytest.mark.parametrize('template', (
    # the call names another setting
    'OTHER = create_config(\n    env_name="OPENAI_API_KEY",\n    default_value="{key}",\n)\n'
    '# vast\n',
    # a fallback for another vendor's setting
    '// vast\nlet key = env::var("OPENAI_API_KEY").unwrap_or("{key}".to_string());\n',
    # a default under a Vast name that holds a digest
    'vast_image_sha256: str = Field(default="{key}")\n',
))
def test_call_owner_must_be_a_vast_credential(template: str) -> None:
    assert find_secrets(template.replace('{key}', new_key()), 'cfg.py') == []
