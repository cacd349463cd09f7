"""Line-scanned documents: Markdown, INI/TOML sections, HCL blocks."""
from __future__ import annotations

import time

import pytest

from testing.util import new_key
from vastai_guard.detect.detector import find_secrets


@pytest.mark.parametrize(('path', 'template', 'context'), (
    pytest.param(
        'README.md', '# Setup\n\n## Vast.ai API Key\n\nPaste it into the CLI:\n\n```\n{key}\n```\n',
        'heading Vast.ai API Key / fenced block', id='heading-and-fence',
    ),
    pytest.param(
        'docs/keys.md', '| Service | Key | Notes |\n|---|---|---|\n| Vast.ai | {key} | GPU |\n',
        'table row Vast.ai / column Key', id='table-column',
    ),
    pytest.param(
        'accounts.csv', 'service,api_key,notes\nOpenAI,none,-\nVast.ai,{key},gpu\n',
        'table row Vast.ai / column api_key', id='csv-column',
    ),
    pytest.param(
        'config.toml',
        '[tool.vastai]\n' + ''.join(f'option_{i} = {i}\n' for i in range(60))
        + 'api_key = "{key}"\n',
        'section [tool.vastai] / api_key', id='toml-section-far-above',
    ),
    pytest.param(
        'config.toml', '[vast.credentials]\n' + 'x = 1\n' * 50 + 'api_key = "{key}"\n',
        'section [vast.credentials] / api_key', id='toml-dotted-section',
    ),
    pytest.param(
        'settings.ini',
        '[Vast.ai]\n' + ''.join(f'opt{i} = x\n' for i in range(60)) + 'api_key = {key}\n',
        'section [Vast.ai] / api_key', id='ini-section-far-above',
    ),
    pytest.param(
        'main.tf',
        'locals {\n  api_keys = {\n    vastai = "{key}"\n    other  = var.other\n  }\n}\n',
        'locals / api_keys / vastai', id='hcl-locals-map',
    ),
))
def test_structure_names_the_key(path: str, template: str, context: str) -> None:
    key = new_key()
    found = find_secrets(template.replace('{key}', key), path)
    assert [(m.secret, m.context) for m in found] == [(key, context)]


@pytest.mark.parametrize(('path', 'template'), (
    pytest.param('README.md', '## Vast.ai image checksum\n\n```\n{key}\n```\n', id='checksum'),
    pytest.param(
        'README.md', '## Vast.ai API key rotation\n\n```\n$ sha256sum key.txt\n{key}  key.txt\n```\n',
        id='checksum-output-under-a-key-heading',
    ),
    pytest.param('docs/img.md', '| Provider | SHA256 |\n|---|---|\n| Vast.ai | {key} |\n',
                 id='digest-column'),
    pytest.param('notes.md', '| Vast.ai | Other |\n|---|---|\n| cpu | {key} |\n',
                 id='table-header-only'),
    pytest.param('images.csv', 'provider,image,sha256\nVast.ai,pytorch,{key}\n', id='csv-digest'),
    pytest.param(
        'config.toml',
        '[tool.vastai]\n' + 'x = 1\n' * 60 + '[tool.openai]\napi_key = "{key}"\n',
        id='toml-later-section',
    ),
    pytest.param(
        'main.tf', 'locals {\n  vastai_image = {\n    sha256 = "{key}"\n  }\n}\n', id='hcl-digest',
    ),
))
def test_structure_that_names_something_else_is_quiet(path: str, template: str) -> None:
    assert find_secrets(template.replace('{key}', new_key()), path) == []


@pytest.mark.parametrize(('path', 'line'), (
    pytest.param('big.md', '| Vast.ai | api key | {key} |'),
    pytest.param('big.tf', 'vastai {'),
    pytest.param('big.toml', '[vastai]\napi_key = "{key}"'),
))
def test_line_scanners_stay_linear(path: str, line: str) -> None:
    block = line.replace('{key}', new_key()) + '\n'
    head = '| a | key |\n|---|---|\n' if path.endswith('.md') else ''
    text = head + block * ((1 << 20) // len(block))
    start = time.process_time()
    find_secrets(text, path)
    assert time.process_time() - start < 3.0
