"""`--fail-on active`: CI fails only for keys the Vast.ai API still accepts."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import FakeVastApi


@pytest.mark.parametrize('command', (['scan', '--all-files'], ['history']))
def test_only_active_keys_fail(repo: Path, vast_api: FakeVastApi, command: list[str]) -> None:
    dead = new_key()
    vast_api.behaviours[dead] = 'invalid'
    write(repo, 'old.sh', f'export VAST_API_KEY={dead}\n')
    commit_all(repo)
    api = ['--api-url', vast_api.url]

    dead_only = run_cli([*command, '--fail-on', 'active', *api], repo)
    assert dead_only.returncode == 0, dead_only.stderr
    assert '[invalid]' in dead_only.stdout  # still reported
    assert len(vast_api.requests) == 1  # --fail-on active verified without --verify
    assert run_cli([*command, '--fail-on', 'any', '--verify', *api], repo).returncode == (
        1 if command[0] == 'scan' else 0  # history: a verified-invalid key is inactive
    )

    live = new_key()
    vast_api.behaviours[live] = 'active'
    write(repo, 'new.sh', f'export VAST_API_KEY={live}\n')
    commit_all(repo)
    assert run_cli([*command, '--fail-on', 'active', *api], repo).returncode == 1


def test_unknown_keys_do_not_fail_it(repo: Path, vast_api: FakeVastApi) -> None:
    key = new_key()
    vast_api.behaviours[key] = 'redirect'
    write(repo, 'a.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    result = run_cli(['scan', '--all-files', '--fail-on', 'active', '--api-url', vast_api.url], repo)
    assert result.returncode == 0
    assert '[unknown: HTTP 302' in result.stdout
