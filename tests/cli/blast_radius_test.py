"""`scan` and `history` with `--verify --blast-radius`, end to end: critical keys lead."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import ACCOUNT_EMAIL
from testing.vastapi import BODY_MARKER
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact

CRITICAL = (
    'blast radius: critical: full access: this key can rent GPUs and spend credit on account '
    '4242, which has $412.00 of credit and 2 machines running at $1.75/h'
)
LOW = (
    'blast radius: low: read-only key (instance_read) on account 4242, which has $412.00 of '
    'credit and 2 machines running at $1.75/h: it can see, not spend'
)


def _leaks(repo: Path, api: FakeVastApi) -> list[str]:
    low, critical, invalid = api_keys(api, 'active', 'active', 'invalid')
    api.rights[low] = {'api': {'instance_read': {}}}
    api.instances = [
        {'actual_status': 'running', 'dph_total': 1.25},
        {'actual_status': 'running', 'dph_total': 0.5},
    ]
    write(repo, 'a.env', f'VAST_API_KEY={low}\n')
    write(repo, 'b.env', f'VAST_API_KEY={invalid}\n')
    write(repo, 'c.env', f'VAST_API_KEY={critical}\n')
    commit_all(repo)
    return [low, critical, invalid]


def _assert_clean(keys: list[str], *outputs: str) -> None:
    for output in outputs:
        assert all(key not in output for key in keys)
        assert ACCOUNT_EMAIL not in output and BODY_MARKER not in output


def test_scan_text_leads_with_the_critical_key(repo: Path, vast_api: FakeVastApi) -> None:
    keys = low, critical, invalid = _leaks(repo, vast_api)

    result = run_cli(
        ['scan', '--all-files', '--verify', '--blast-radius', '--api-url', vast_api.url], repo,
    )

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[:7] == [
        'CRITICAL: 1 live key can rent GPUs or spend credit: revoke it first '
        '(vastai-guard revoke FINGERPRINT).',
        f'c.env:1: vast-api-key: {redact(critical)} (already committed) [active] '
        '(name VAST_API_KEY)',
        f'  {CRITICAL}',
        f'  revoke it now: vastai-guard revoke {fingerprint(critical)[:12]}',
        f'a.env:1: vast-api-key: {redact(low)} (already committed) [active] (name VAST_API_KEY)',
        f'  {LOW}',
        f'b.env:1: vast-api-key: {redact(invalid)} (already committed) [invalid] '
        '(name VAST_API_KEY)',
    ]
    _assert_clean(keys, result.stdout, result.stderr)


def test_scan_json(repo: Path, vast_api: FakeVastApi) -> None:
    keys = low, critical, invalid = _leaks(repo, vast_api)

    result = run_cli(
        ['scan', '--all-files', '--format', 'json', '--verify', '--blast-radius',
         '--api-url', vast_api.url], repo,
    )

    by_key = {f['fingerprint']: f['verification'] for f in json.loads(result.stdout)['findings']}
    assert 'blast_radius' not in by_key[fingerprint(invalid)]
    assert by_key[fingerprint(critical)]['blast_radius'] == {
        'account_id': '4242', 'email': 'o***@example.invalid',
        'key_id': str(vast_api.key_id(critical)), 'access': 'full', 'rights': [],
        'balance': 0.0, 'credit': 412.0, 'running_instances': 2, 'hourly_cost': 1.75,
        'urgency': 'critical', 'why': CRITICAL.removeprefix('blast radius: critical: '),
        'notes': [],
    }
    assert by_key[fingerprint(low)]['blast_radius']['rights'] == ['instance_read']
    _assert_clean(keys, result.stdout, result.stderr)


def test_history_markdown_and_text_lead_with_critical(repo: Path, vast_api: FakeVastApi) -> None:
    keys = _leaks(repo, vast_api)
    args = ['history', '--verify', '--blast-radius', '--api-url', vast_api.url]

    plan = run_cli([*args, '--format', 'markdown'], repo)
    text = run_cli(args, repo)

    assert plan.returncode == 1, plan.stderr
    summary = plan.stdout.split('## Keys')[0]
    assert '> **CRITICAL: 1 live key can rent GPUs or spend credit' in summary
    assert f'(`{fingerprint(keys[1])[:12]}`): full access: this key can rent GPUs' in summary
    assert '**active**, blast radius **critical**' in plan.stdout
    assert text.stdout.startswith('CRITICAL: 1 live key can rent GPUs or spend credit')
    assert f'  {CRITICAL}\n' in text.stdout
    _assert_clean(keys, plan.stdout, plan.stderr, text.stdout, text.stderr)


def test_a_scoped_key_without_the_key_list_is_unknown_not_an_error(
        repo: Path, vast_api: FakeVastApi,
) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.denied[key] = {'/api/v0/auth/apikeys/'}
    vast_api.misbehaviours['/api/v0/instances/'] = '500'
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    commit_all(repo)

    result = run_cli(
        ['scan', '--all-files', '--verify', '--blast-radius', '--api-url', vast_api.url], repo,
    )

    assert result.returncode == 1, result.stderr
    assert (
        '  blast radius: high: rights unknown, treat it as able to spend: on account 4242, '
        'which has $412.00 of credit (running instances unknown) [rights unknown (HTTP 403: '
        'forbidden (a scoped key without that permission?)); instances unknown (HTTP 500: '
        'server error)]\n'
    ) in result.stdout
    assert 'CRITICAL' not in result.stdout
    _assert_clean([key], result.stdout, result.stderr)


@pytest.mark.parametrize('command', ('scan', 'history'))
def test_blast_radius_needs_verify(repo: Path, command: str) -> None:
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    commit_all(repo)

    result = run_cli([command, '--blast-radius'] + (['--all-files'] if command == 'scan' else []),
                     repo)

    assert (result.returncode, result.stderr) == (
        2, 'vastai-guard: error: --blast-radius needs --verify\n',
    )


def test_history_json_matches_the_documented_schema(repo: Path, vast_api: FakeVastApi) -> None:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    from testing.util import REPO_ROOT

    keys = _leaks(repo, vast_api)
    vast_api.denied[keys[0]] = {'/api/v0/instances/'}  # a null and a note in the document

    result = run_cli(
        ['history', '--format', 'json', '--verify', '--blast-radius', '--show-account',
         '--api-url', vast_api.url], repo,
    )

    document = json.loads(result.stdout)
    schema = json.loads((REPO_ROOT / 'tests' / 'history.schema.json').read_text())
    jsonschema.validate(document, schema)
    radii = [k['verification'].get('blast_radius') for k in document['keys']]
    assert sorted(r['urgency'] for r in radii if r) == ['critical', 'low']
    assert any(r and r['running_instances'] is None for r in radii)


def test_quiet_keeps_one_line_per_finding(repo: Path, vast_api: FakeVastApi) -> None:
    keys = _leaks(repo, vast_api)

    result = run_cli(
        ['scan', '--all-files', '-q', '--verify', '--blast-radius', '--api-url', vast_api.url],
        repo,
    )

    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == len(keys)


def test_the_documented_examples_show_what_they_are_there_to_show() -> None:
    """Positive controls for docs/leak-response.md's examples (a failing fake API would make
    both the page and a fresh run show `unknown`, and still agree)."""
    from testing import docs_examples

    blast = docs_examples.run('leak-blast-radius')
    revoked = docs_examples.run('leak-revoke')

    assert 'blast radius: critical: full access: this key can rent GPUs' in blast
    assert 'add --yes to confirm' in revoked
    assert 'through the Vast.ai API: it is now rejected (HTTP 401).' in revoked
    assert 'rotated: vast-api-key ' in revoked and '[invalid]' in revoked
