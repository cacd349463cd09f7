"""`vastai-guard history` in every output format, with --output and --verify, end to end."""
from __future__ import annotations

import json
from pathlib import Path

from testing.sarif import validated
from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.findings import fingerprint


def _history_repo(repo: Path, removed: str, kept: str) -> None:
    write(repo, 'deploy/.env.prod', f'VAST_API_KEY={removed}\n')
    commit_all(repo, 'add deploy env')
    git(repo, 'rm', '-q', 'deploy/.env.prod')
    commit_all(repo, 'remove it again')
    write(repo, 'README.md', f'# demo\n\n    vastai set api-key {kept}\n')
    commit_all(repo, 'docs')


def _no_key_in(keys: list[str], *texts: str) -> None:
    for text in texts:
        for key in keys:
            assert key not in text


def test_history_sarif_is_valid_and_points_at_first_sighting(repo: Path) -> None:
    keys = removed, kept = [new_key(), new_key()]
    _history_repo(repo, removed, kept)

    result = run_cli(['history', '--format', 'sarif'], cwd=repo)

    assert result.returncode == 1, result.stderr
    log = validated(result.stdout)
    located = sorted(
        (
            r['locations'][0]['physicalLocation']['artifactLocation']['uri'],
            r['locations'][0]['physicalLocation']['region']['startLine'],
            r['level'],
        )
        for r in log['runs'][0]['results']
    )
    assert located == [('README.md', 3, 'error'), ('deploy/.env.prod', 1, 'error')]
    _no_key_in(keys, result.stdout, result.stderr)


def test_history_github_annotations(repo: Path) -> None:
    keys = removed, kept = [new_key(), new_key()]
    _history_repo(repo, removed, kept)

    result = run_cli(['history', '--format', 'github'], cwd=repo)

    assert result.returncode == 1
    annotations = sorted(line.split('::')[1] for line in result.stdout.splitlines())
    assert annotations == [
        'error file=README.md,line=3,title=vast-cli-api-key',
        'error file=deploy/.env.prod,line=1,title=vast-api-key',
    ]
    _no_key_in(keys, result.stdout, result.stderr)


def test_history_is_github_by_default_inside_github_actions(repo: Path) -> None:
    _history_repo(repo, new_key(), new_key())
    result = run_cli(['history'], cwd=repo, env={'GITHUB_ACTIONS': 'true'})
    assert result.stdout.startswith('::error ')


def test_history_markdown_rotation_plan_to_a_file(repo: Path, tmp_path: Path) -> None:
    keys = removed, kept = [new_key(), new_key()]
    _history_repo(repo, removed, kept)
    plan = tmp_path / 'plan.md'

    result = run_cli(
        ['history', '--format', 'markdown', '--output', str(plan), '--since-rotation-days', '90'],
        cwd=repo,
    )

    assert result.returncode == 1
    assert result.stdout.strip() == (
        f'vastai-guard: 2 Vast.ai keys in history, 2 needing rotation; report written to {plan}'
    )
    text = plan.read_text(encoding='utf-8')
    assert f'{removed[:4]}...{removed[-4:]}' in text
    assert f'vastai-guard rotated {fingerprint(kept)}' in text
    _no_key_in(keys, result.stdout, result.stderr, text)


def test_since_rotation_days_needs_markdown(repo: Path) -> None:
    result = run_cli(['history', '--since-rotation-days', '90'], cwd=repo)
    assert (result.returncode, result.stderr.strip()) == (
        2, 'vastai-guard: error: --since-rotation-days goes with --format markdown',
    )


def test_history_verify_marks_dead_keys_inactive(repo: Path, vast_api: FakeVastApi) -> None:
    keys = live, dead = api_keys(vast_api, 'active', 'invalid')
    _history_repo(repo, dead, live)

    result = run_cli(
        ['history', '--format', 'json', '--verify', '--api-url', vast_api.url], cwd=repo,
    )

    assert result.returncode == 1, result.stderr
    states = {
        key['fingerprint']: (key['status'], key['verification']['state'])
        for key in json.loads(result.stdout)['keys']
    }
    assert states == {
        fingerprint(live): ('needs-rotation', 'active'),
        fingerprint(dead): ('inactive', 'invalid'),
    }
    assert [len(vast_api.requests_with(key)) for key in keys] == [1, 1]
    _no_key_in(keys, result.stdout, result.stderr)


def test_history_verify_passes_when_every_key_is_dead(repo: Path, vast_api: FakeVastApi) -> None:
    keys = api_keys(vast_api, 'invalid', 'invalid')
    _history_repo(repo, *keys)

    result = run_cli(['history', '--verify', '--api-url', vast_api.url], cwd=repo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert '[invalid]' in result.stdout
    assert '2 no longer valid' in result.stdout
    _no_key_in(keys, result.stdout, result.stderr)


def test_history_without_verify_sends_nothing(repo: Path, vast_api: FakeVastApi) -> None:
    _history_repo(repo, *api_keys(vast_api, 'active', 'active'))
    assert run_cli(['history', '--format', 'json'], cwd=repo).returncode == 1
    assert vast_api.requests == []
