"""`--verify` against a real HTTP server on 127.0.0.1 that answers like the Vast.ai API."""
from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import ACCOUNT_EMAIL
from testing.vastapi import ACCOUNT_ID
from testing.vastapi import BODY_MARKER
from testing.vastapi import CLIENT_TIMEOUT
from testing.vastapi import FakeVastApi
from testing.vastapi import Request
from testing.vastapi import api_keys
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.errors import FatalError
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.git import repository
from vastai_guard.history import walk
from vastai_guard.model import HistoryReport
from vastai_guard.policy.config import Config
from vastai_guard.respond import api
from vastai_guard.respond import verify
from vastai_guard.vocabulary import State
from vastai_guard.vocabulary import Status

FAST = verify.VerifyOptions(timeout=CLIENT_TIMEOUT, backoff=0.01)


def test_states_for_each_kind_of_answer(vast_api: FakeVastApi) -> None:
    active, invalid, limited, hanging, redirected = api_keys(
        vast_api, 'active', 'invalid', 'rate-limited-once', 'hang', 'redirect',
    )
    verdicts = FAST._replace(api_url=vast_api.url).verify(
        [active, invalid, limited, hanging, redirected, active, invalid],
    )

    assert {k: (v.state, v.reason) for k, v in verdicts.items()} == {
        fingerprint(active): ('active', 'HTTP 200: key accepted'),
        fingerprint(invalid): ('invalid', 'HTTP 401: key rejected (revoked, reset or never valid)'),
        fingerprint(limited): ('active', 'HTTP 200: key accepted'),
        fingerprint(hanging): ('unknown', f'timed out after {CLIENT_TIMEOUT:g}s'),
        fingerprint(redirected): ('unknown', 'HTTP 302: redirect not followed'),
    }
    assert all(v.checked_at.endswith('Z') and v.account == '' for v in verdicts.values())
    # once per distinct key; the 429 is the one retried; the redirect is not followed
    assert [len(vast_api.requests_with(k)) for k in (active, invalid, limited, hanging)] == [
        1, 1, 2, 1,
    ]
    assert len(vast_api.requests) == 6
    # the key only in the header, nothing in the URL
    assert {(r.method, r.path) for r in vast_api.requests} == {('GET', '/api/v0/users/current/')}


def test_hostile_servers_are_bounded(vast_api: FakeVastApi) -> None:
    dripping, endless, deep = api_keys(vast_api, 'drip', 'endless', 'deep')
    options = FAST._replace(api_url=vast_api.url)

    verdicts = options.verify([dripping, endless, deep])

    assert {k: (v.state, v.reason) for k, v in verdicts.items()} == {
        # the dripping server never trips a per-read timeout: the total deadline ends it
        fingerprint(dripping): ('unknown', f'timed out after {CLIENT_TIMEOUT:g}s'),
        # 2 GB announced and sent: 64 KiB read, then the connection is dropped
        fingerprint(endless): ('unknown', 'HTTP 200: body over 64 KiB, not read'),
        fingerprint(deep): ('unknown', 'HTTP 200 without a user object (is this the Vast.ai API?)'),
    }


def test_ctrl_c_during_verification_exits_at_once(repo: Path, vast_api: FakeVastApi) -> None:
    # eight keys on four workers against a server that never finishes: without daemon workers
    # the exit waits two rounds of the 5 s deadline; it must not wait for them at all
    keys = api_keys(vast_api, *['drip'] * 8)
    for i, key in enumerate(keys):
        write(repo, f'{i}/.env', f'VAST_API_KEY={key}\n')
    commit_all(repo)
    process = subprocess.Popen(
        (sys.executable, '-m', 'vastai_guard', 'scan', '--all-files', '--verify',
         '--api-url', vast_api.url),
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for _ in range(200):  # the requests are under way (bounded: 20 s)
            if len(vast_api.requests) >= 4:
                break
            time.sleep(0.1)
        assert len(vast_api.requests) >= 4
        process.send_signal(signal.SIGINT)
        # generous next to the ~0.1 s it takes, short of the 10 s a wait for workers would take
        stdout, stderr = process.communicate(timeout=4)
    finally:
        process.kill()
        process.wait()

    assert (process.returncode, stderr) == (130, 'vastai-guard: interrupted\n')
    _assert_nothing_leaked(keys, stdout, stderr)


def test_rate_limited_until_retries_run_out(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'rate-limited-once')
    options = FAST._replace(api_url=vast_api.url, retries_on_429=0)

    [verdict] = options.verify([key]).values()

    assert (verdict.state, verdict.reason) == ('unknown', 'HTTP 429: rate limited, gave up')
    assert len(vast_api.requests_with(key)) == 1


def test_nothing_listening_is_unknown(vast_api: FakeVastApi) -> None:
    # a port that was just free: nothing answers there
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    options = FAST._replace(api_url=f'http://127.0.0.1:{port}')

    [verdict] = options.verify([new_key()]).values()

    assert (verdict.state, verdict.reason) == ('unknown', 'network error (could not connect)')


def test_a_secret_not_shaped_like_a_key_is_never_sent(vast_api: FakeVastApi) -> None:
    other = 'A1' + secrets.token_urlsafe(32)

    [verdict] = FAST._replace(api_url=vast_api.url).verify([other]).values()

    assert (verdict.state, verdict.reason) == (
        'unknown', 'not checked: not shaped like a Vast.ai API key',
    )
    assert vast_api.requests == []


@pytest.mark.parametrize(
    ('url', 'expected'),
    (
        pytest.param('https://console.vast.ai', 'https://console.vast.ai', id='official'),
        pytest.param('https://console.vast.ai/api/v0/', 'https://console.vast.ai', id='api-path'),
        pytest.param('https://proxy.example/vast/', 'https://proxy.example/vast', id='proxy'),
        pytest.param('http://127.0.0.1:8080', 'http://127.0.0.1:8080', id='loopback-v4'),
        pytest.param('http://localhost:1', 'http://localhost:1', id='localhost'),
        pytest.param('http://[::1]:1/', 'http://[::1]:1', id='loopback-v6'),
    ),
)
def test_api_url_accepted(url: str, expected: str) -> None:
    assert api.check_api_url(url) == expected


@pytest.mark.parametrize(
    ('url', 'message'),
    (
        pytest.param('http://console.vast.ai', 'refusing to send keys over plain http', id='http'),
        pytest.param('http://10.0.0.1:80', 'refusing to send keys over plain http', id='lan'),
        pytest.param('ftp://console.vast.ai', 'not an http(s) URL', id='scheme'),
        pytest.param('console.vast.ai', 'not an http(s) URL', id='no-scheme'),
        pytest.param('https://u:p@console.vast.ai', 'without credentials', id='credentials'),
        pytest.param('https://console.vast.ai/?x=1', 'without credentials, query', id='query'),
        pytest.param('https://console.vast.ai:port', 'not a valid URL', id='bad-port'),
    ),
)
def test_api_url_refused(url: str, message: str) -> None:
    with pytest.raises(FatalError, match='--api-url') as error:
        api.check_api_url(url)
    assert message in str(error.value)


def _secrets_repo(repo: Path, active: str, invalid: str, limited: str) -> None:
    write(repo, '.env', f'VAST_API_KEY={active}\n')
    write(repo, 'deploy/config.yml', f'vast_api_key: {invalid}\nbackup_vast_api_key: {active}\n')
    write(repo, 'scripts/login.sh', f'vastai set api-key {limited}\n')
    commit_all(repo)


def _assert_nothing_leaked(api_keys: list[str], *outputs: str) -> None:
    for output in outputs:
        for key in api_keys:
            assert key not in output
        assert BODY_MARKER not in output
        assert 'Invalid user key' not in output


def test_scan_verify_json(repo: Path, vast_api: FakeVastApi) -> None:
    keys = active, invalid, limited = api_keys(vast_api, 'active', 'invalid', 'rate-limited-once')
    _secrets_repo(repo, active, invalid, limited)

    result = run_cli(
        ('scan', '--all-files', '--format', 'json', '--verify', '--api-url', vast_api.url), repo,
    )

    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)['findings']
    assert [(f['path'], f['line'], f['verification']['state']) for f in findings] == [
        ('.env', 1, 'active'),
        ('deploy/config.yml', 1, 'invalid'),
        ('deploy/config.yml', 2, 'active'),
        ('scripts/login.sh', 1, 'active'),
    ]
    assert set(findings[0]['verification']) == {'state', 'reason', 'checked_at'}
    # the key found twice was asked about once
    assert [len(vast_api.requests_with(k)) for k in keys] == [1, 1, 2]
    _assert_nothing_leaked(keys, result.stdout, result.stderr)
    assert ACCOUNT_EMAIL not in result.stdout


def test_scan_verify_text_puts_active_keys_first(repo: Path, vast_api: FakeVastApi) -> None:
    keys = active, invalid, unknown = api_keys(vast_api, 'active', 'invalid', 'redirect')
    write(repo, 'a.env', f'VAST_API_KEY={invalid}\n')
    write(repo, 'b.env', f'VAST_API_KEY={unknown}\n')
    write(repo, 'c.env', f'VAST_API_KEY={active}\n')
    commit_all(repo)

    result = run_cli(('scan', '--all-files', '--verify', '--api-url', vast_api.url), repo)

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[:3] == [
        f'c.env:1: vast-api-key: {redact(active)} (already committed) [active]'
        ' (name VAST_API_KEY)',
        f'b.env:1: vast-api-key: {redact(unknown)} (already committed) '
        '[unknown: HTTP 302: redirect not followed] (name VAST_API_KEY)',
        f'a.env:1: vast-api-key: {redact(invalid)} (already committed) [invalid]'
        ' (name VAST_API_KEY)',
    ]
    assert 'Verified 3 Vast.ai keys: 1 active, 1 unknown, 1 invalid.' in result.stdout
    _assert_nothing_leaked(keys, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ('output_format', 'shown'),
    (
        pytest.param('json', f'"account": "{ACCOUNT_ID} o***@example.invalid"', id='json'),
        pytest.param('text', f'[active: account {ACCOUNT_ID} o***@example.invalid]', id='text'),
    ),
)
def test_show_account(repo: Path, vast_api: FakeVastApi, output_format: str, shown: str) -> None:
    [active] = api_keys(vast_api, 'active')
    write(repo, '.env', f'VAST_API_KEY={active}\n')
    commit_all(repo)

    result = run_cli(
        ('scan', '--all-files', '--format', output_format,
         '--verify', '--show-account', '--api-url', vast_api.url),
        repo,
    )

    assert result.returncode == 1, result.stderr
    assert shown in result.stdout
    _assert_nothing_leaked([active], result.stdout, result.stderr)


def _trap(api: FakeVastApi) -> dict[str, str]:
    """Route any HTTPS request to the real API through the fake server, as a proxy."""
    return {'HTTPS_PROXY': api.url, 'https_proxy': api.url, 'NO_PROXY': '', 'no_proxy': ''}


def test_no_request_without_verify(repo: Path, vast_api: FakeVastApi) -> None:
    keys = api_keys(vast_api, 'active', 'invalid', 'rate-limited-once')
    _secrets_repo(repo, *keys)

    result = run_cli(('scan', '--all-files', '--format', 'json'), repo, env=_trap(vast_api))

    assert result.returncode == 1, result.stderr
    assert all('verification' not in f for f in json.loads(result.stdout)['findings'])
    assert vast_api.requests == []


def test_verify_goes_to_the_official_host_over_https(repo: Path, vast_api: FakeVastApi) -> None:
    # the counterpart of the test above: the proxy trap does see a verification
    [key] = api_keys(vast_api, 'active')
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    commit_all(repo)

    result = run_cli(('scan', '--all-files', '--verify'), repo, env=_trap(vast_api))

    assert result.returncode == 1, result.stderr
    assert vast_api.requests == [Request('CONNECT', 'console.vast.ai:443', '')]
    assert '[unknown: proxy error]' in result.stdout
    _assert_nothing_leaked([key], result.stdout, result.stderr)


@pytest.mark.parametrize(
    ('args', 'message'),
    (
        pytest.param(
            ('--verify', '--api-url', 'http://console.vast.ai'),
            "vastai-guard: error: --api-url 'http://console.vast.ai': refusing to send keys "
            'over plain http to console.vast.ai (use https, or http only to 127.0.0.1, '
            'localhost or ::1)\n',
            id='plain-http',
        ),
        pytest.param(
            ('--api-url', 'https://console.vast.ai'),
            'vastai-guard: error: --api-url needs --verify\n',
            id='api-url-alone',
        ),
        pytest.param(
            ('--show-account',),
            'vastai-guard: error: --show-account needs --verify\n',
            id='show-account-alone',
        ),
    ),
)
def test_usage_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    commit_all(repo)

    result = run_cli(('scan', '--all-files', *args), repo)

    assert (result.returncode, result.stdout, result.stderr) == (2, '', message)


def _exposed(status: Status) -> ExposedKey:
    secret = new_key()
    return ExposedKey(
        fingerprint=fingerprint(secret),
        rule=ASSIGNMENT,
        redacted=redact(secret),
        status=status,
        in_head=True,
        first_seen=FirstSeen('0' * 40, 'Ann', '2024-01-02T00:00:00Z', '.env', 1),
        occurrences=(Occurrence('0' * 40, '.env', 1),),
    )


@pytest.mark.parametrize(
    ('status', 'state', 'expected'),
    (
        pytest.param('needs-rotation', 'invalid', 'inactive', id='invalid-is-inactive'),
        pytest.param('needs-rotation', 'active', 'needs-rotation', id='active-still-needs'),
        pytest.param('needs-rotation', 'unknown', 'needs-rotation', id='unknown-still-needs'),
        pytest.param('rotated', 'invalid', 'rotated', id='rotated-confirmed'),
        pytest.param('rotated', 'active', 'rotated-still-active', id='rotated-but-still-works'),
        pytest.param('rotated', 'unknown', 'rotated', id='rotated-unknown'),
    ),
)
def test_apply_verification(status: Status, state: State, expected: Status) -> None:
    key = _exposed(status)
    verdict = Verification(state, 'reason', '2026-01-01T00:00:00Z')

    [result] = walk.apply_verification([key], {key.fingerprint: verdict})

    assert (result.status, result.verification) == (expected, verdict)


def test_apply_verification_leaves_unchecked_keys_alone() -> None:
    key = _exposed('needs-rotation')

    assert walk.apply_verification([key], {}) == [key]


def test_the_history_engine_keeps_verdicts_and_asks_only_about_unsuppressed_keys(
        repo: Path, vast_api: FakeVastApi,
) -> None:
    active, invalid, allowed = api_keys(vast_api, 'active', 'invalid', 'active')
    write(repo, '.env', f'VAST_API_KEY={active}\nVAST_API_KEY_B={invalid}\n')
    write(repo, 'docs.env', f'VAST_API_KEY={allowed}\n')
    commit_all(repo)
    asked: list[str] = []

    def verifier(secrets: Iterable[str]) -> Mapping[str, Verification]:
        asked.extend(secrets)
        return FAST._replace(api_url=vast_api.url).verify(asked)

    with repository.open_repository(str(repo)) as opened:
        result = walk.scan_history(
            opened, ['--all'],
            config=Config(allow_fingerprints=frozenset((fingerprint(allowed),))),
            baseline=frozenset(), verify=verifier,
        )

    assert sorted(asked) == sorted((active, invalid))  # the allowed key is never sent
    assert sorted(
        (k.fingerprint, k.status, k.verification.state if k.verification else '')
        for k in result.keys
    ) == sorted([
        (fingerprint(active), 'needs-rotation', 'active'),
        (fingerprint(invalid), 'inactive', 'invalid'),
    ])
    # the result has no field a raw key could travel in
    assert 'secrets' not in HistoryReport._fields
    assert all(key not in repr(result) for key in (active, invalid, allowed))
