"""`vastai-guard sweep` end to end: the installed command on real repositories in tmp_path."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing.sarif import validated
from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint


def _org(tmp_path: Path) -> tuple[list[str], list[str]]:
    """Three repositories: one key in all three (a template's .env), one in b only; c clean."""
    shared, own = new_key(), new_key()
    names = []
    for name in ('a', 'b', 'c'):
        repo = init_repo(tmp_path / name)
        write(repo, 'README.md', f'# {name}\n')
        commit_all(repo, 'start')
        if name != 'c':
            write(repo, 'deploy/.env', env_line(shared))
            commit_all(repo, 'deploy settings')
        names.append(name)
    write(tmp_path / 'b', 'ci.env', env_line(own))
    commit_all(tmp_path / 'b', 'ci')
    init_repo(tmp_path / 'd')
    write(tmp_path / 'd', 'x.env', env_line(shared))
    commit_all(tmp_path / 'd', 'the template again')
    names.append('d')
    return names, [shared, own]


def _json(result: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_each_key_once_across_repositories(tmp_path: Path) -> None:
    names, (shared, own) = _org(tmp_path)

    result = run_cli(
        ['sweep', *names, './a', str(tmp_path / 'b'), '--workers', '2', '--format', 'json'],
        cwd=tmp_path,
    )

    assert result.returncode == 1, result.stderr
    report = _json(result)
    # ./a and tmp_path/b name a and b again: swept once
    assert [r['source'] for r in report['repositories']] == names
    assert [r['keys'] for r in report['repositories']] == [1, 2, 0, 1]
    assert [k['fingerprint'] for k in report['keys']] == [fingerprint(shared), fingerprint(own)]
    first = report['keys'][0]
    assert [r['source'] for r in first['repositories']] == ['a', 'b', 'd']
    assert all(r['in_head'] for r in first['repositories'])
    assert first['repositories'][0]['first_seen']['path'] == 'deploy/.env'
    assert first['repositories'][0]['refs'] == ['refs/heads/main']
    assert first['status'] == 'needs-rotation'


def test_a_clean_organisation_exits_0(tmp_path: Path) -> None:
    for name in ('a', 'b'):
        commit_all(init_repo(tmp_path / name))
    result = run_cli(['sweep', 'a', 'b'], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '0 distinct keys in 2 repositories' in result.stdout


def test_bad_sources_are_reported_and_the_sweep_goes_on(tmp_path: Path) -> None:
    names, (shared, _) = _org(tmp_path)
    (tmp_path / 'plain').mkdir()
    bad = ['missing', 'plain', (tmp_path / 'plain').as_uri()]
    listing = tmp_path / 'repos.txt'
    listing.write_text('# every repository\nc\n\n' + '\n'.join(bad) + '\n', encoding='utf-8')

    clean_but_failed = run_cli(['sweep', '--from', str(listing), '--format', 'json'], cwd=tmp_path)
    with_key = run_cli(['sweep', 'a', '--from', str(listing), '--format', 'json'], cwd=tmp_path)

    # no key, but not everything could be read: 2, not 0
    assert clean_but_failed.returncode == 2
    errors = {r['source']: r['error'] for r in _json(clean_but_failed)['repositories']}
    assert errors['c'] is None
    assert errors['missing'] == 'not found'
    assert errors['plain'] == 'not a git repository'
    assert errors[bad[2]].startswith('clone failed: fatal:')
    for source in bad:
        assert f'vastai-guard: error: {source}: ' in clean_but_failed.stderr
    # a key found decides the exit code even when other repositories failed
    assert with_key.returncode == 1
    assert _json(with_key)['keys'][0]['fingerprint'] == fingerprint(shared)


def test_a_url_is_mirrored_into_the_cache(tmp_path: Path) -> None:
    names, (shared, _) = _org(tmp_path)
    url = (tmp_path / 'a').as_uri()
    cache = tmp_path / 'cache'

    result = run_cli(['sweep', url, '--cache', str(cache), '--format', 'json'], cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    assert _json(result)['keys'][0]['repositories'][0]['source'] == url
    (mirror,) = cache.iterdir()
    assert git(mirror, 'rev-parse', '--is-bare-repository').strip() == 'true'


def test_resume_with_state_scans_only_what_changed(tmp_path: Path) -> None:
    names, (shared, _) = _org(tmp_path)
    state = tmp_path / 'state'
    first = run_cli(['sweep', *names, '--state', str(state), '--format', 'json'], cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert not any(r['unchanged'] for r in _json(first)['repositories'])
    # proof that `a` is not read again: a scan of it now would find its history damaged
    blob = git(tmp_path / 'a', 'rev-parse', 'HEAD:deploy/.env').strip()
    os.remove(tmp_path / 'a' / '.git' / 'objects' / blob[:2] / blob[2:])
    write(tmp_path / 'c', 'new.env', env_line(new_key()))
    commit_all(tmp_path / 'c', 'a new key in c')

    again = run_cli(['sweep', *names, '--state', str(state), '--format', 'json'], cwd=tmp_path)

    assert again.returncode == 1, again.stderr
    report = _json(again)
    unchanged = {r['source']: r['unchanged'] for r in report['repositories']}
    assert unchanged == {'a': True, 'b': True, 'c': False, 'd': True}
    assert not any(r['incomplete'] or r['error'] for r in report['repositories'])
    assert [r['keys'] for r in report['repositories']] == [1, 2, 1, 1]
    # a's key is still reported, from the state
    assert [r['source'] for r in report['keys'][0]['repositories']] == ['a', 'b', 'd']


def test_split_repositories_report_as_whole_ones(tmp_path: Path) -> None:
    names, _ = _org(tmp_path)
    for step in range(6):  # a longer history in b, the key re-added in the middle
        write(tmp_path / 'b', 'src.py', f'step = {step}\n')
        if step == 3:
            write(tmp_path / 'b', 'again.env', env_line(new_key()))
        commit_all(tmp_path / 'b', f'step {step}')
    whole = run_cli(['sweep', *names, '--format', 'json'], cwd=tmp_path)
    split = run_cli(['sweep', *names, '--split-commits', '2', '--format', 'json'], cwd=tmp_path)
    reports = []
    for result in (whole, split):
        assert result.returncode == 1, result.stderr
        report = _json(result)
        for repository in report['repositories']:
            del repository['seconds']
        reports.append(report)
    assert reports[0] == reports[1]
    assert len(reports[1]['keys']) == 3


@pytest.mark.parametrize('output_format', ('text', 'markdown', 'sarif'))
def test_formats(tmp_path: Path, output_format: str) -> None:
    names, (shared, own) = _org(tmp_path)
    result = run_cli(['sweep', *names, 'missing', '--format', output_format], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    if output_format == 'sarif':
        log = validated(result.stdout)
        assert [run['properties']['repository'] for run in log['runs']] == [*names, 'missing']
        assert [len(run['results']) for run in log['runs']] == [1, 2, 0, 1, 0]
        assert log['runs'][4]['invocations'][0]['executionSuccessful'] is False
    elif output_format == 'markdown':
        # the rotation plan: the key in three repositories first
        rows = [line for line in result.stdout.splitlines() if line.startswith('| 1 ')]
        assert f'`{fingerprint(shared)[:12]}`' in rows[0] and '| 3 |' in rows[0]
        assert 'missing: not found' in result.stdout
    else:
        assert 'in 3 repositories:' in result.stdout
        assert 'missing: error: not found' in result.stdout


@pytest.fixture(scope='module')
def cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
    ) as local:
        yield local.scheduler_address


def test_on_a_dask_cluster_the_report_is_the_local_one(tmp_path: Path, cluster: str) -> None:
    names, _ = _org(tmp_path)
    paths = [str(tmp_path / name) for name in names]  # absolute: the workers' folder is theirs

    local = run_cli(['sweep', *paths, 'missing', '--format', 'json'], cwd=tmp_path)
    # every repository of more than one commit split into parts on the cluster's workers
    remote = run_cli(
        ['sweep', *paths, 'missing', '--scheduler', cluster, '--split-commits', '1',
         '--format', 'json'],
        cwd=tmp_path,
    )

    assert remote.returncode == local.returncode == 1, remote.stderr
    reports = []
    for result in (local, remote):
        report = _json(result)
        for repository in report['repositories']:
            del repository['seconds']
        reports.append(report)
    assert reports[0] == reports[1]
    assert len(reports[1]['keys']) == 2


def test_an_unreachable_scheduler_is_exit_2_in_one_line(tmp_path: Path) -> None:
    commit_all(init_repo(tmp_path / 'a'))
    start = time.monotonic()
    result = run_cli(['sweep', 'a', '--scheduler', 'tcp://127.0.0.1:9'], cwd=tmp_path)
    assert time.monotonic() - start < 30
    assert result.returncode == 2
    assert result.stderr.startswith('vastai-guard: error: --scheduler tcp://127.0.0.1:9: ')
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ''


def test_nothing_to_sweep_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(['sweep'], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == 'vastai-guard: error: no SOURCE given (name repositories, or --from FILE)\n'


def test_verify_asks_the_api_in_the_workers(tmp_path: Path, vast_api: Any) -> None:
    from testing.vastapi import api_keys

    active, invalid = api_keys(vast_api, 'active', 'invalid')
    for name in ('a', 'b'):
        repo = init_repo(tmp_path / name)
        write(repo, '.env', env_line(active) + env_line(invalid).replace('VAST_API_KEY', 'VAST_KEY_OLD'))
        commit_all(repo)
    state = tmp_path / 'state'

    result = run_cli(
        ['sweep', 'a', 'b', '--verify', '--api-url', vast_api.url, '--state', str(state),
         '--format', 'json'],
        cwd=tmp_path,
    )
    active_only = run_cli(
        ['sweep', 'a', 'b', '--verify', '--api-url', vast_api.url, '--fail-on', 'active',
         '--format', 'json'],
        cwd=tmp_path,
    )
    unverified = run_cli(['sweep', 'a', 'b', '--state', str(state), '--format', 'json'], cwd=tmp_path)

    assert result.returncode == 1, result.stderr
    keys = {k['fingerprint']: k for k in _json(result)['keys']}
    assert keys[fingerprint(active)]['status'] == 'needs-rotation'
    assert keys[fingerprint(active)]['verification']['state'] == 'active'
    assert keys[fingerprint(invalid)]['status'] == 'inactive'
    assert [r['source'] for r in keys[fingerprint(invalid)]['repositories']] == ['a', 'b']
    assert vast_api.requests_with(active)  # asked, by the workers
    assert active_only.returncode == 1
    # the state keeps the ledger's status, not a verdict of another day
    assert all(r['unchanged'] for r in _json(unverified)['repositories'])
    assert {k['status'] for k in _json(unverified)['keys']} == {'needs-rotation'}
    assert not any('verification' in k for k in _json(unverified)['keys'])
    for text in (result.stdout, result.stderr, *(p.read_text() for p in state.rglob('*.json'))):
        assert active not in text and invalid not in text


def test_without_the_dask_extra_it_is_exit_2_in_one_line(tmp_path: Path) -> None:
    commit_all(init_repo(tmp_path / 'a'))
    hidden = tmp_path / 'no-dask'
    hidden.mkdir()
    # found before site-packages: `import distributed` fails as if it were not installed
    (hidden / 'distributed.py').write_text('raise ImportError("No module named distributed")\n')
    result = run_cli(
        ['sweep', 'a', '--scheduler', 'tcp://127.0.0.1:8786'], cwd=tmp_path,
        env={'PYTHONPATH': f'{hidden}{os.pathsep}{os.environ.get("PYTHONPATH", "")}'},
    )
    assert result.returncode == 2
    assert result.stderr == (
        'vastai-guard: error: --scheduler needs Dask distributed: '
        'pip install "vastai-guard[dask]"\n'
    )
