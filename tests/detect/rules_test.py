"""The rules and patterns every detector is built from: what they match, what they leave."""
from __future__ import annotations

import re

import pytest

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets


def test_rule_identities_are_unique() -> None:
    # baselines key on secret_type and plugin; SARIF on id: a duplicate merges two rules
    for field in ('id', 'secret_type', 'plugin'):
        values = [getattr(rule, field) for rule in rules.ALL_RULES]
        assert len(set(values)) == len(values), field
    assert all(rule.plugin.isidentifier() for rule in rules.ALL_RULES)


def test_named_value_finds_name_and_secret() -> None:
    key = new_key()
    match = re.search(rules.NAMED_VALUE, f'export VAST_API_KEY="{key}"\n')
    assert match is not None
    assert match['name'].endswith('VAST_API_KEY')
    assert match['secret'] == key


@pytest.mark.parametrize(
    'line',
    (
        'vast_key_dir = vast_dir + "/x"',  # code, not a value
        'VAST_DIR=/home/user/vast',  # no credential word
    ),
)
def test_named_value_leaves_code(line: str) -> None:
    assert re.search(rules.NAMED_VALUE, line) is None


@pytest.mark.parametrize(
    ('text', 'marks'),
    (
        ('curl https://console.vast.ai/api/v0/instances/', True),
        ('client = VastAI(api_key=k)', True),
        ('pip install vastai', True),
        ('npm install @vastai/sdk', False),  # another company's npm scope
        ('image: vastai/pytorch', False),  # an image name
        ('Vastai Technologies GPU driver', False),  # a chip vendor
        ('Avast antivirus', False),
    ),
)
def test_host_marker(text: str, marks: bool) -> None:
    assert (re.search(rules.HOST_MARKER, text) is not None) is marks


@pytest.mark.parametrize(
    ('before', 'digest'),
    (
        ('sha256:', True),
        ('--hash=sha256:', True),
        ('image@sha-256:', True),
        ('sha256sum ', True),
        ('VAST_API_KEY=', False),
    ),
)
def test_digest_prefix(before: str, digest: bool) -> None:
    assert (re.search(rules.DIGEST_PREFIX, before) is not None) is digest


@pytest.mark.parametrize(
    ('value', 'path_like'),
    (
        ('~/.ssh/id_ed25519', True),
        ('/etc/vast/key.pem', True),
        ('secrets/vast.json', True),
        ('A1b2C3d4E5f6G7h8', False),
    ),
)
def test_path_like(value: str, path_like: bool) -> None:
    assert (re.search(rules.PATH_LIKE, value) is not None) is path_like


def test_long_hex_run_cuts_keys_not_words() -> None:
    key = new_key()
    assert rules.LONG_HEX_RUN.search(f'label {key}') is not None
    assert rules.LONG_HEX_RUN.search('VAST_API_KEY_PROD') is None


def test_key_write_patterns() -> None:
    assert re.search(rules.KEY_FILE_WRITE, 'echo "$K" > ~/.vast_api_key') is not None
    assert re.search(rules.KEY_FILE_WRITE, 'echo x | tee -a ~/.config/vastai/vast_api_key')


def test_key_written_by_heredoc_or_open_for_writing() -> None:
    # the heredoc and open() checks are linear scans now, not patterns: held at find_secrets
    key = new_key()
    heredoc = f'cat > ~/.vast_api_key <<EOF\n{key}\nEOF\n'
    assert [m.rule for m in find_secrets(heredoc, 'setup.sh')] == [rules.KEY_FILE]
    opened = 'with open(os.path.expanduser("~/.vast_api_key"), "{mode}") as f:\n    f.write("{key}")\n'
    written = opened.format(mode='w', key=key)
    assert [m.rule for m in find_secrets(written, 'setup.py')] == [rules.KEY_FILE]
    assert find_secrets(opened.format(mode='r', key=key), 'setup.py') == []


def test_cli_name_and_installer() -> None:
    assert re.search(rules.CLI_NAME, 'vastai set api-key K') is not None
    assert re.search(rules.CLI_NAME, '!vastai show instances') is not None
    assert re.search(rules.CLI_NAME, 'devastai set x') is None
    assert re.search(rules.HOST_INSTALL, 'wget x -O install; python3 install ') is not None
