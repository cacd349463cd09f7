"""`scan --policy-from BASE`: a change cannot allow its own key by editing the config or the
baseline it brings (the Action's scan mode on a pull request passes the base)."""
from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint


def _change_that_allows_its_own_key(repo: Path, how: str) -> tuple[str, str]:
    write(repo, 'README.md', 'demo\n')
    base = commit_all(repo, 'base')
    key = new_key()
    write(repo, 'deploy/.env.prod', f'VAST_API_KEY={key}\n')
    if how == 'allow':
        write(repo, '.vastai-guard.yaml', f'allow_fingerprints:\n  - {fingerprint(key)}\n')
    else:
        write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - deploy/**\n')
    commit_all(repo, 'a key, and the config that allows it')
    return base, key


def test_without_it_the_change_allows_its_own_key(repo: Path) -> None:
    # the control: the bypass that --policy-from closes
    _change_that_allows_its_own_key(repo, 'allow')
    assert run_cli(['scan', '--all-files'], repo).returncode == 0


def test_the_base_policy_reports_the_key_and_the_allowance(repo: Path) -> None:
    base, key = _change_that_allows_its_own_key(repo, 'allow')

    result = run_cli(['scan', '--all-files', '--policy-from', base], repo)

    assert result.returncode == 1, result.stderr
    assert 'deploy/.env.prod:1: vast-api-key' in result.stdout
    assert (
        f'this change allows key {fingerprint(key)[:12]} (deploy/.env.prod:1) in its own config '
        f'or baseline, which {base} does not: review it'
    ) in result.stderr
    assert key not in result.stdout + result.stderr


def test_an_exclusion_the_change_adds_does_not_hide_its_files(repo: Path) -> None:
    base, _ = _change_that_allows_its_own_key(repo, 'exclude')
    result = run_cli(['scan', '--all-files', '--policy-from', base], repo)
    assert result.returncode == 1, result.stderr
    assert 'deploy/.env.prod:1' in result.stdout


def test_what_the_base_allows_stays_allowed(repo: Path) -> None:
    key = new_key()
    write(repo, '.vastai-guard.yaml', f'allow_fingerprints:\n  - {fingerprint(key)}\n')
    base = commit_all(repo, 'base allows a documented example')
    write(repo, 'docs/example.env', f'VAST_API_KEY={key}\n')
    commit_all(repo, 'the example')
    result = run_cli(['scan', '--all-files', '--policy-from', base], repo)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_revision_that_is_not_there_is_exit_2(repo: Path) -> None:
    commit_all(repo, 'one')
    result = run_cli(['scan', '--all-files', '--policy-from', 'no-such-branch'], repo)
    assert result.returncode == 2
    assert "--policy-from 'no-such-branch': not a commit in this repository" in result.stderr
    assert git(repo, 'status', '--porcelain') == ''
