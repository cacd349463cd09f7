"""`--fail-on`: CI fails for keys the Vast.ai API accepts or could not judge."""
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


@pytest.mark.parametrize('command', (['scan', '--all-files'], ['history']))
def test_unknown_fails_active_but_not_confirmed_active(
        repo: Path, vast_api: FakeVastApi, command: list[str],  # noqa: F811
) -> None:
    """An API that could not be asked is not an inactive key: `--fail-on active` fails on
    unknown; only `--fail-on confirmed-active`, said by name, lets it pass."""
    key = new_key()
    vast_api.behaviours[key] = 'redirect'
    write(repo, 'a.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    api = ['--api-url', vast_api.url]
    gate = run_cli([*command, '--fail-on', 'active', *api], repo)
    assert gate.returncode == 1, gate.stderr
    assert 'unknown: HTTP 302' in gate.stdout
    confirmed = run_cli([*command, '--fail-on', 'confirmed-active', *api], repo)
    assert confirmed.returncode == 0, confirmed.stderr
    assert 'unknown: HTTP 302' in confirmed.stdout  # still reported


def test_confirmed_active_fails_on_a_live_key(repo: Path, vast_api: FakeVastApi) -> None:  # noqa: F811
    live = new_key()
    vast_api.behaviours[live] = 'active'
    write(repo, 'a.sh', f'export VAST_API_KEY={live}\n')
    commit_all(repo)
    result = run_cli(
        ['scan', '--all-files', '--fail-on', 'confirmed-active', '--api-url', vast_api.url], repo,
    )
    assert result.returncode == 1
