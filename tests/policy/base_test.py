"""A range is judged by its base's policy; each allowance it adds for its own key is reported."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _allow(repo: Path, key: str) -> None:
    write(repo, '.vastai-guard.yaml', f'allow_fingerprints:\n  - {_fingerprint(key)}\n')


def _exclude(repo: Path, key: str) -> None:
    write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - deploy/**\n')


def _rotated(repo: Path, key: str) -> None:
    write(
        repo, '.vastai-guard.yaml',
        f"rotated:\n  - fingerprint: {_fingerprint(key)}\n    date: '2026-01-01'\n",
    )


def _baseline(repo: Path, key: str) -> None:
    hashed = hashlib.sha1(key.encode()).hexdigest()
    write(repo, '.secrets.baseline', json.dumps({
        'version': '1.5.0',
        'results': {'deploy/run.sh': [{'type': 'Vast.ai API key', 'hashed_secret': hashed}]},
    }))


ALLOWANCES: dict[str, tuple[Callable[[Path, str], None], str]] = {
    'allow_fingerprints': (_allow, 'an allow_fingerprints entry'),
    'exclude_paths': (_exclude, 'an exclude_paths entry'),
    'rotated ledger entry': (_rotated, 'a rotated: ledger entry'),
    '.secrets.baseline hash': (_baseline, 'its hash in the baseline'),
}


@pytest.fixture
def branch(repo: Path) -> tuple[Path, str]:
    """main with one clean commit; `feature` adds a key in deploy/run.sh."""
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature')
    key = new_key()
    write(repo, 'deploy/run.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'deploy')
    return repo, key


@pytest.mark.parametrize('name', ALLOWANCES.keys())
def test_an_allowance_the_range_adds_is_reported_and_fails_the_gate(
        branch: tuple[Path, str], name: str,
) -> None:
    repo, key = branch
    add, said = ALLOWANCES[name]
    add(repo, key)
    commit_all(repo, 'allow it')

    result = run_cli(['history', '--range', 'main..feature'], repo)

    assert result.returncode == 1, result.stderr
    assert 'deploy/run.sh' in result.stdout
    assert f'this change allows key {_fingerprint(key)[:12]}' in result.stderr
    assert said in result.stderr
    assert key not in result.stdout + result.stderr

    trusted = run_cli(['history', '--range', 'main..feature', '--trust-allowances'], repo)
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert 'this change allows' not in trusted.stderr


@pytest.mark.parametrize('name', ALLOWANCES.keys())
def test_an_allowance_the_base_already_holds_is_honoured(repo: Path, name: str) -> None:
    write(repo, 'README.md', '# app\n')
    key = new_key()
    add, _ = ALLOWANCES[name]
    add(repo, key)
    commit_all(repo, 'the team allows this example key')
    git(repo, 'checkout', '-q', '-b', 'feature')
    write(repo, 'deploy/run.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'deploy')

    result = run_cli(['history', '--range', 'main..feature'], repo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert 'this change allows' not in result.stderr


def test_the_work_tree_policy_does_not_judge_a_range(branch: tuple[Path, str]) -> None:
    # an uncommitted allow list (or a checkout of the PR itself) is not the base's
    repo, key = branch
    _allow(repo, key)
    assert run_cli(['history', '--range', 'main..feature'], repo).returncode == 1


def test_a_branch_behind_main_is_judged_by_the_policy_it_forked_from(
        branch: tuple[Path, str],
) -> None:
    repo, key = branch
    git(repo, 'checkout', '-q', 'main')
    _allow(repo, key)  # main allows it later: the merge base still does not
    commit_all(repo, 'allow on main')
    result = run_cli(['history', '--range', 'main...feature'], repo)
    assert result.returncode == 1, result.stderr


def test_the_push_hook_judges_by_the_remote_tip(branch: tuple[Path, str]) -> None:
    repo, key = branch
    _allow(repo, key)
    commit_all(repo, 'allow it')
    base = git(repo, 'rev-parse', 'main').strip()
    env = {'PRE_COMMIT_FROM_REF': base, 'PRE_COMMIT_TO_REF': 'feature'}

    result = run_cli(['history', '--pre-push'], repo, env=env)

    assert result.returncode == 1, result.stderr
    assert 'this change allows key' in result.stderr


def test_trust_allowances_without_a_range_is_a_usage_error(repo: Path) -> None:
    commit_all(repo)
    result = run_cli(['history', '--trust-allowances'], repo)
    assert result.returncode == 2
    assert '--trust-allowances goes with --range or --pre-push' in result.stderr


def test_verbose_names_the_base_the_policy_comes_from(branch: tuple[Path, str]) -> None:
    repo, _ = branch
    base = git(repo, 'rev-parse', 'main').strip()
    result = run_cli(['history', '--range', 'main..feature', '-v'], repo)
    assert f"as the range's base {base[:12]} holds it" in result.stderr
