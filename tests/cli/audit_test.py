"""`vastai-guard audit` end to end, with the user's own key, against the fake Vast.ai API."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import ACCOUNT_EMAIL
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys

SCOPED: dict[str, object] = {'api': {'instance_read': {}}}


def _account(api: FakeVastApi, *, problems: bool) -> str:
    """The user's key (scoped, young) and, with `problems`, an old full-access CI key."""
    mine, ci = api_keys(api, 'active', 'active')
    api.rights[mine] = SCOPED
    api.created[mine] = time.time() - 86400 * 3
    api.names[mine] = 'laptop'
    if problems:
        api.names[ci] = 'ci-deploy'  # full access, created 2024-01-01
    else:
        api.deleted.add(ci)
    return mine


def _env(home: Path, key: str | None) -> dict[str, str]:
    env = {'HOME': str(home), 'XDG_CONFIG_HOME': ''}
    env['VAST_API_KEY'] = key or ''
    return env


def test_problems_are_exit_1_with_the_recipe(
        repo: Path, tmp_path: Path, vast_api: FakeVastApi,
) -> None:
    key = _account(vast_api, problems=True)

    result = run_cli(['audit', '--api-url', vast_api.url], repo, env=_env(tmp_path, key))

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        '2 API keys on this Vast.ai account (checked: full access, older than 90 days, '
        'rotated but still there):'
    )
    assert lines[1].startswith('  id 101 laptop (the key this audit used): scoped: '
                               'instance_read; created ')
    assert lines[1].endswith(', 3 days ago: ok')
    assert lines[2].startswith('  id 102 ci-deploy: full access; created 2024-01-01, ')
    assert lines[2].endswith(': full-access, older-than-90-days')
    assert '1 of 2 keys need attention:' in result.stdout
    assert 'vastai create api-key --name ci-monitor --permission_file ci-perms.json' in (
        result.stdout
    )
    assert key not in result.stdout + result.stderr


def test_no_problems_is_exit_0(repo: Path, tmp_path: Path, vast_api: FakeVastApi) -> None:
    key = _account(vast_api, problems=False)

    result = run_cli(['audit', '--api-url', vast_api.url], repo, env=_env(tmp_path, key))

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith('No problems: every key is scoped and younger than the limit.\n')


def test_the_age_limit_from_config_and_flag(
        repo: Path, tmp_path: Path, vast_api: FakeVastApi,
) -> None:
    key = _account(vast_api, problems=False)
    write(repo, '.vastai-guard.yaml', 'max_key_age_days: 2\n')
    env = _env(tmp_path, key)

    from_config = run_cli(['audit', '--api-url', vast_api.url, '--format', 'json'], repo, env)
    from_flag = run_cli(
        ['audit', '--api-url', vast_api.url, '--format', 'json', '--max-age-days', '30'],
        repo, env,
    )

    assert from_config.returncode == 1
    assert json.loads(from_config.stdout)['keys'][0]['problems'] == ['older-than-2-days']
    assert from_flag.returncode == 0
    document = json.loads(from_flag.stdout)
    assert document['max_age_days'] == 30
    assert document['keys'] == [{
        'id': '101', 'name': 'laptop', 'access': 'scoped', 'rights': ['instance_read'],
        'created': document['keys'][0]['created'], 'age_days': 3, 'problems': [], 'own': True,
    }]


def test_markdown(repo: Path, tmp_path: Path, vast_api: FakeVastApi) -> None:
    key = _account(vast_api, problems=True)

    result = run_cli(
        ['audit', '--api-url', vast_api.url, '--format', 'markdown'], repo, env=_env(tmp_path, key),
    )

    assert result.returncode == 1
    assert result.stdout.startswith('# Vast.ai API key audit\n')
    assert '| 102 | ci-deploy | full access | 2024-01-01 |' in result.stdout
    assert '- [ ] **full-access**: ' in result.stdout
    assert ACCOUNT_EMAIL not in result.stdout


def test_the_cli_key_file_is_used(repo: Path, tmp_path: Path, vast_api: FakeVastApi) -> None:
    key = _account(vast_api, problems=False)
    write(tmp_path, '.config/vastai/vast_api_key', key)

    result = run_cli(['audit', '--api-url', vast_api.url], repo, env=_env(tmp_path, None))

    assert result.returncode == 0, result.stderr
    assert vast_api.requests_with(key)


@pytest.mark.parametrize(
    ('setup', 'message'),
    (
        ('no-key', 'no Vast.ai API key to audit with'),
        ('rejected', 'auth/apikeys: unknown (HTTP 401: key rejected'),
        ('5xx', 'auth/apikeys: unknown (HTTP 503: server error)'),
        ('plain-http', 'refusing to send keys over plain http'),
    ),
)
def test_errors_are_exit_2(
        repo: Path, tmp_path: Path, vast_api: FakeVastApi, setup: str, message: str,
) -> None:
    key = new_key()
    if setup != 'rejected':
        vast_api.behaviours[key] = 'active'
    vast_api.misbehaviours['/api/v0/auth/apikeys/'] = '503' if setup == '5xx' else ''
    if setup != '5xx':
        del vast_api.misbehaviours['/api/v0/auth/apikeys/']
    url = 'http://console.vast.ai' if setup == 'plain-http' else vast_api.url

    result = run_cli(
        ['audit', '--api-url', url], repo, env=_env(tmp_path, None if setup == 'no-key' else key),
    )

    assert (result.returncode, result.stdout) == (2, '')
    assert message in result.stderr and result.stderr.count('\n') == 1
    assert key not in result.stderr


def test_ctrl_c_stops_at_once(repo: Path, tmp_path: Path, vast_api: FakeVastApi) -> None:
    import signal
    import subprocess
    import sys

    key = _account(vast_api, problems=False)
    vast_api.misbehaviours['/api/v0/auth/apikeys/'] = 'hang'
    process = subprocess.Popen(
        (sys.executable, '-m', 'vastai_guard', 'audit', '--api-url', vast_api.url),
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**__import__('os').environ, **_env(tmp_path, key)},
    )
    try:
        for _ in range(200):
            if vast_api.requests:
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        # well before the request's 5 s deadline
        stdout, stderr = process.communicate(timeout=3)
    finally:
        process.kill()
        process.wait()

    assert (process.returncode, stderr) == (130, 'vastai-guard: interrupted\n')


def test_the_api_url_never_comes_from_the_repository(
        repo: Path, tmp_path: Path, vast_api: FakeVastApi,
) -> None:
    key = _account(vast_api, problems=False)
    write(repo, '.vastai-guard.yaml', f'api_url: {vast_api.url}\n')
    env = {**_env(tmp_path, key), 'VAST_URL': vast_api.url, 'VAST_API_URL': vast_api.url}

    audited = run_cli(['audit'], repo, env=env)
    revoked = run_cli(['revoke', '0123456789ab', '--yes'], repo, env=env)

    for result in (audited, revoked):
        assert result.returncode == 2
        assert "unknown setting 'api_url'" in result.stderr
    assert vast_api.requests == []
