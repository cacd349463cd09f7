"""parse_config / load_config / config_path: settings read, every mistake one line with its line."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.util import new_key
from testing.util import redacted
from vastai_guard.findings import Rotation
from vastai_guard.findings import fingerprint
from vastai_guard.policy.config import CONFIG_ENV
from vastai_guard.policy.config import DEFAULT_MAX_FILE_MB
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.config import parse_config

PATH = '.vastai-guard.yaml'


def test_every_setting() -> None:
    allowed, short_allowed, rotated = (fingerprint(new_key()) for _ in range(3))
    text = f'''\
exclude_paths:
  - tests/fixtures/**
  - '*.ipynb'
allow_fingerprints:
  - {allowed}
  - fingerprint: {short_allowed[:12]}
    note: docs example
rotated:
  - fingerprint: {rotated}
    date: '2026-11-27'
    note: reset on the Keys page
max_file_mb: 7
'''
    assert parse_config(text, PATH) == Config(
        exclude_paths=('tests/fixtures/**', '*.ipynb'),
        allow_fingerprints=frozenset((allowed, short_allowed[:12])),
        rotated=(Rotation(rotated, '2026-11-27', 'reset on the Keys page'),),
        max_file_mb=7,
        path=PATH,
    )


def test_empty_file_is_the_defaults() -> None:
    config = parse_config('# nothing yet\n', PATH)
    assert config == Config(path=PATH)
    assert config.max_file_mb == DEFAULT_MAX_FILE_MB


@pytest.mark.parametrize(
    ('text', 'line', 'says'),
    (
        ('exclude_path:\n  - x\n', 1, "unknown setting 'exclude_path'"),
        ('- a\n- b\n', 1, 'expected a mapping of settings'),
        ('exclude_paths: tests/**\n', 1, 'expected a list of path globs'),
        ('exclude_paths:\n  - [a, b]\n', 2, 'expected a path glob'),
        ('max_file_mb: 0\n', 1, 'whole number of megabytes'),
        ('max_file_mb: 1.5\n', 1, 'whole number of megabytes'),
        ('max_file_mb: \u00b2\n', 1, 'whole number of megabytes'),  # isdigit() says yes
        ('max_file_mb: ' + '9' * 5000 + '\n', 1, 'whole number of megabytes'),
        ('allow_fingerprints:\n  - note: x\n', 2, 'entry has no fingerprint'),
        ('allow_fingerprints:\n  - abc\n', 2, 'is not a fingerprint'),
        ('a: [1, 2\n', 2, 'invalid YAML'),
    ),
)
def test_mistakes_name_the_file_and_line(text: str, line: int, says: str) -> None:
    with pytest.raises(InvalidConfigError) as raised:
        parse_config(text, PATH)
    message = str(raised.value)
    assert message.startswith(f'{PATH}:{line}: '), message
    assert says in message
    assert '\n' not in message


def test_rotated_needs_the_whole_fingerprint() -> None:
    # a ledger entry is exact: a prefix could name another key as rotated
    short_print = fingerprint(new_key())[:12]
    with pytest.raises(InvalidConfigError, match='is not a fingerprint'):
        parse_config(f'rotated:\n  - fingerprint: {short_print}\n', PATH)
    with pytest.raises(InvalidConfigError, match='a mapping with a fingerprint'):
        parse_config(f'rotated:\n  - {fingerprint(new_key())}\n', PATH)


def test_a_pasted_key_is_never_echoed() -> None:
    key = new_key()
    for text in (
            f'allow_fingerprints:\n  - VAST_API_KEY={key}\n',
            f'{key}: 1\n',  # as a setting name
    ):
        with pytest.raises(InvalidConfigError) as raised:
            parse_config(text, PATH)
        assert key not in str(raised.value)
    with pytest.raises(InvalidConfigError) as raised:
        parse_config(f'allow_fingerprints:\n  - VAST_API_KEY={key}\n', PATH)
    assert redacted(key) in str(raised.value)


def test_tags_are_never_constructed() -> None:
    # composed, not constructed: the tag is ignored, nothing runs, no loader error escapes
    config = parse_config('exclude_paths: !!python/object/apply:os.system [echo]\n', PATH)
    assert config.exclude_paths == ('echo',)
    assert parse_config('max_file_mb: !!int 5\n', PATH).max_file_mb == 5


def test_load_config(tmp_path: Path) -> None:
    assert load_config(str(tmp_path / 'absent.yaml')) == Config()
    path = tmp_path / 'c.yaml'
    path.write_text('max_file_mb: 3\n')
    assert load_config(str(path)) == Config(max_file_mb=3, path=str(path))
    path.write_bytes(b'exclude_paths: [\xff]\n')
    with pytest.raises(InvalidConfigError, match='not UTF-8'):
        load_config(str(path))
    with pytest.raises(InvalidConfigError, match='not a regular file'):
        load_config(str(tmp_path))


def test_config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'sub').mkdir()
    named = tmp_path / 'named.yaml'
    named.write_text('')
    # relative to the current folder, as messages show it
    assert config_path(str(tmp_path), None) == PATH
    monkeypatch.chdir(tmp_path / 'sub')
    assert config_path(str(tmp_path), None) == os.path.join('..', PATH)
    assert config_path(str(tmp_path), str(named)) == str(named)
    monkeypatch.setenv(CONFIG_ENV, str(named))
    assert config_path(str(tmp_path), None) == str(named)
    assert config_path(str(tmp_path), 'explicit.yaml') == 'explicit.yaml'  # --config wins
    monkeypatch.setenv(CONFIG_ENV, 'absent.yaml')
    with pytest.raises(InvalidConfigError, match=f'named by {CONFIG_ENV}'):
        config_path(str(tmp_path), None, must_exist=True)
    with pytest.raises(InvalidConfigError, match='named by --config'):
        config_path(str(tmp_path), 'absent.yaml', must_exist=True)


def test_max_key_age_days_defaults_to_90() -> None:
    assert parse_config('exclude_paths: []\n', PATH).max_key_age_days == 90


def test_max_key_age_days() -> None:
    assert parse_config('max_key_age_days: 30\n', PATH).max_key_age_days == 30


@pytest.mark.parametrize('value', ('0', '-1', 'ninety', '1.5'))
def test_max_key_age_days_must_be_whole_days(value: str) -> None:
    with pytest.raises(InvalidConfigError) as error:
        parse_config(f'max_key_age_days: {value}\n', PATH)
    assert str(error.value) == f'{PATH}:1: expected a whole number of days (1 to 999999999)'
