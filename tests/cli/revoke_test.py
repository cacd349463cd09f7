"""`vastai-guard revoke` end to end, against the fake Vast.ai API on 127.0.0.1."""
from __future__ import annotations

import json
from pathlib import Path

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import run_cli
from testing.util import write
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact


def _leak(repo: Path, key: str) -> None:
    write(repo, '.env', env_line(key))
    commit_all(repo, 'leak')


def test_revoke_records_the_rotation_and_history_agrees(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)
    prefix = fingerprint(key)[:12]

    result = run_cli(['revoke', prefix, '--yes', '--api-url', vast_api.url], repo)

    assert result.returncode == 0, result.stderr
    key_id = vast_api.key_id(key)
    assert result.stdout.splitlines()[0] == (
        f'Revoked key {redact(key)} (fingerprint {prefix}, work tree: .env:1), key id {key_id}, '
        'through the Vast.ai API: it is now rejected (HTTP 401).'
    )
    assert 'Revoking breaks every service' in result.stdout
    assert 'https://cloud.vast.ai/manage-keys/' in result.stdout
    ledger = (repo / '.vastai-guard.yaml').read_text()
    assert f'fingerprint: {fingerprint(key)}' in ledger
    assert f'revoked through the Vast.ai API (key id {key_id})' in ledger
    assert key not in result.stdout + result.stderr + ledger
    # the key is dead: history --verify says the rotation took
    after = run_cli(['history', '--verify', '--api-url', vast_api.url, '--format', 'json'], repo)
    assert after.returncode == 0, after.stderr
    [found] = json.loads(after.stdout)['keys']
    assert (found['status'], found['verification']['state']) == ('rotated', 'invalid')


def test_json(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)

    result = run_cli(
        ['revoke', fingerprint(key), '--yes', '--format', 'json', '--api-url', vast_api.url],
        repo,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        'fingerprint': fingerprint(key),
        'key_id': str(vast_api.key_id(key)),
        'revoked': True,
        'ledger': '.vastai-guard.yaml',
        'state': 'revoked',
        'where': 'work tree: .env:1',
    }


def test_a_key_only_in_history(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)
    git(repo, 'rm', '-q', '.env')
    commit_all(repo, 'remove it')

    result = run_cli(['revoke', fingerprint(key)[:16], '--yes', '--api-url', vast_api.url], repo)

    assert result.returncode == 0, result.stderr
    assert 'history: ' in result.stdout and '.env:1' in result.stdout
    assert key in vast_api.deleted


def test_without_yes_off_a_terminal_nothing_is_sent(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)

    result = run_cli(['revoke', fingerprint(key)[:12], '--api-url', vast_api.url], repo)

    assert (result.returncode, result.stdout) == (2, '')
    assert result.stderr.startswith('vastai-guard: error: revoke deletes the key on Vast.ai: add')
    assert vast_api.requests == []
    assert not (repo / '.vastai-guard.yaml').exists()


def test_still_live_after_the_delete_is_exit_1(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.undeletable.add(key)
    _leak(repo, key)

    result = run_cli(['revoke', fingerprint(key), '--yes', '--api-url', vast_api.url], repo)

    assert result.returncode == 1
    assert 'STILL WORKS' in result.stdout
    assert not (repo / '.vastai-guard.yaml').exists()  # nothing to record


def test_an_already_dead_key(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'invalid')
    _leak(repo, key)

    result = run_cli(['revoke', fingerprint(key), '--yes', '--api-url', vast_api.url], repo)

    assert result.returncode == 0
    assert 'already rejects' in result.stdout
    assert [r.method for r in vast_api.requests] == ['GET']


def test_errors_are_one_line_exit_2(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)
    vast_api.misbehaviours['/api/v0/users/current/'] = '500'
    cases = {
        'unknown': ['revoke', '0123456789ab', '--yes', '--api-url', vast_api.url],
        'the key': ['revoke', key, '--yes', '--api-url', vast_api.url],
        'not hex': ['revoke', f'VAST_API_KEY={key}', '--yes', '--api-url', vast_api.url],
        'api': ['revoke', fingerprint(key), '--yes', '--api-url', vast_api.url],
        'url': ['revoke', fingerprint(key), '--yes', '--api-url', 'http://console.vast.ai'],
    }

    results = {name: run_cli(args, repo) for name, args in cases.items()}

    for name, result in results.items():
        assert result.returncode == 2, name
        assert result.stderr.count('\n') == 1 and 'Traceback' not in result.stderr, name
        assert key not in result.stdout + result.stderr, name
    assert 'that is the key itself' in results['the key'].stderr
    assert 'server error' in results['api'].stderr
    # only the `api` case reached the server, and it deleted nothing
    assert [r.method for r in vast_api.requests] == ['GET']


def _on_a_terminal(args: list[str], repo: Path, answer: str) -> tuple[int, str, str]:
    """Run with stdin a pseudo-terminal, typing `answer`."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        with subprocess.Popen(
            (sys.executable, '-m', 'vastai_guard', *args), cwd=repo, stdin=follower,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ) as process:
            os.write(leader, answer.encode())
            stdout, stderr = process.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    return process.returncode, stdout, stderr


def test_on_a_terminal_it_asks_first(repo: Path, vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    _leak(repo, key)
    args = ['revoke', fingerprint(key)[:12], '--api-url', vast_api.url]

    declined = _on_a_terminal(args, repo, 'no\n')

    assert declined[0] == 2
    assert 'Revoking breaks every service' in declined[2]
    assert declined[2].endswith('vastai-guard: nothing revoked\n')
    assert vast_api.requests == []

    accepted = _on_a_terminal(args, repo, 'yes\n')

    assert accepted[0] == 0, accepted[2]
    assert accepted[1].startswith('Revoked key ')
    assert key in vast_api.deleted
    assert key not in accepted[1] + accepted[2]
