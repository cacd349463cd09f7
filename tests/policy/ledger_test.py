"""A ledger past 1 MiB (years of `rotated`) still reads, and `rotated` still records."""
from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import run_cli
from testing.util import write
from vastai_guard.files import yamlcheck

ENTRY = "  - fingerprint: {}\n    date: '2026-01-01'\n    note: reset on the Keys page\n"


def test_a_ledger_over_one_mib_locks_no_command_out(repo: Path) -> None:
    ledger = 'rotated:\n' + ''.join(ENTRY.format(secrets.token_hex(32)) for _ in range(12_000))
    assert len(ledger) > 1 << 20
    write(repo, '.vastai-guard.yaml', ledger)
    write(repo, 'a.txt', 'nothing\n')
    commit_all(repo)

    started = time.monotonic()
    assert run_cli(['scan', '--all-files'], repo).returncode == 0
    scan_seconds = time.monotonic() - started
    new = secrets.token_hex(32)
    recorded = run_cli(['rotated', new], repo)

    assert recorded.returncode == 0, recorded.stderr
    assert new in (repo / '.vastai-guard.yaml').read_text()
    assert run_cli(['history'], repo).returncode == 0
    assert scan_seconds < 30  # libyaml: about a second for 1.6 MB (pure PyYAML: ~6 s)


def test_rotated_never_writes_a_ledger_past_the_read_limit(
        repo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vastai_guard.findings import Rotation
    from vastai_guard.policy.config import InvalidConfigError
    from vastai_guard.policy.ledger import record_rotation

    monkeypatch.setattr(yamlcheck, 'MAX_CONFIG_BYTES', 300)
    path = repo / '.vastai-guard.yaml'
    path.write_text('rotated:\n' + ENTRY.format('a' * 64) + ENTRY.format('b' * 64))
    before = path.read_text()
    try:
        record_rotation(str(path), Rotation('c' * 64, '2026-01-02', 'x'), root=str(repo))
    except InvalidConfigError as error:
        assert 'the ledger would pass' in str(error)
    else:
        raise AssertionError('recorded past the limit')
    assert path.read_text() == before
