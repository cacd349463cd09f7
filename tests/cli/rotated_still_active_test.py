"""`history --verify` of a key the ledger says was rotated, but which Vast.ai still accepts."""
from __future__ import annotations

import json
from pathlib import Path

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import FakeVastApi
from vastai_guard.findings import fingerprint


def _rotated_but_live(repo: Path, api: FakeVastApi) -> str:
    key = new_key()
    api.behaviours[key] = 'active'
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    assert run_cli(['rotated', fingerprint(key)[:12], '--note', 'reset'], repo).returncode == 0
    return key


def test_text_says_the_rotation_did_not_take(repo: Path, vast_api: FakeVastApi) -> None:
    key = _rotated_but_live(repo, vast_api)
    result = run_cli(['history', '--verify', '--api-url', vast_api.url], repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith('rotated-still-active: vast-api-key ')
    assert 'the rotation did not\n  take' in result.stdout
    assert 'Reset it again on the Vast.ai Keys page' in result.stdout
    assert 'vastai-guard rotated' not in result.stdout  # recording it again would change nothing
    assert key not in result.stdout + result.stderr


def test_json_sarif_and_markdown_name_the_status(repo: Path, vast_api: FakeVastApi) -> None:
    _rotated_but_live(repo, vast_api)
    verify = ['--verify', '--api-url', vast_api.url]
    as_json = run_cli(['history', '--format', 'json', *verify], repo)
    assert as_json.returncode == 1
    assert [key['status'] for key in json.loads(as_json.stdout)['keys']] == ['rotated-still-active']
    sarif = json.loads(run_cli(['history', '--format', 'sarif', *verify], repo).stdout)
    (found,) = sarif['runs'][0]['results']
    assert found['level'] == 'error' and 'rotation did not take' in found['message']['text']
    plan = run_cli(['history', '--format', 'markdown', *verify], repo).stdout
    assert '**rotated, still active**: reset it again' in plan
    assert '**Check it is dead:**' in plan


def test_without_verify_the_ledger_is_trusted(repo: Path, vast_api: FakeVastApi) -> None:
    _rotated_but_live(repo, vast_api)
    result = run_cli(['history'], repo)
    assert result.returncode == 0
    assert result.stdout.startswith('rotated: vast-api-key ')
