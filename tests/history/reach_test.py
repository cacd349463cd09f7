"""`history` names the refs that hold each key: a branch, a stash, nothing (unreachable)."""
from __future__ import annotations

import json
from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint

ONLY_STASH = 'Only in a stash (stash@{0}): never pushed unless'
UNREACHABLE = 'Only in unreachable objects (no branch, tag or stash reaches it): never pushed'


def _keys_by_fingerprint(repo: Path, *args: str) -> dict[str, dict[str, object]]:
    result = run_cli(['history', '--format', 'json', *args], repo)
    assert result.returncode == 1, result.stderr
    return {key['fingerprint']: key for key in json.loads(result.stdout)['keys']}


def _branch_and_stash(repo: Path) -> tuple[str, str]:
    on_branch, in_stash = new_key(), new_key()
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature/x')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={on_branch}\n')
    commit_all(repo, 'deploy')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'worker.sh', f'export VAST_API_KEY={in_stash}\n')
    git(repo, 'add', 'worker.sh')
    git(repo, 'stash', '-q')
    return on_branch, in_stash


def test_a_branch_key_and_a_stash_key_do_not_read_the_same(repo: Path) -> None:
    on_branch, in_stash = _branch_and_stash(repo)

    keys = _keys_by_fingerprint(repo)
    assert keys[fingerprint(on_branch)]['refs'] == ['refs/heads/feature/x']
    assert keys[fingerprint(in_stash)]['refs'] == ['stash@{0}']

    text = run_cli(['history'], repo)
    assert 'refs:        refs/heads/feature/x' in text.stdout
    assert text.stdout.count(ONLY_STASH) == 1
    assert on_branch not in text.stdout and in_stash not in text.stdout

    markdown = run_cli(['history', '--format', 'markdown'], repo).stdout
    assert 'Held by `refs/heads/feature/x`.' in markdown
    assert 'Only in a stash (stash@{0}): never pushed unless' in markdown


def test_a_key_on_a_pushed_branch_names_the_remote_tracking_ref(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / 'remote.git'
    git(repo, 'init', '-q', '--bare', str(remote))
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    git(repo, 'remote', 'add', 'origin', str(remote))
    git(repo, 'push', '-q', '--no-verify', 'origin', 'main')
    keys = _keys_by_fingerprint(repo)
    assert keys[fingerprint(key)]['refs'] == ['refs/heads/main', 'refs/remotes/origin/main']
    assert ONLY_STASH not in run_cli(['history'], repo).stdout


def test_a_key_only_in_unreachable_commits_says_so(repo: Path) -> None:
    key = new_key()
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'start')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'oops')
    git(repo, 'reset', '-q', '--hard', 'HEAD~1')

    assert run_cli(['history'], repo).returncode == 0  # reflogs are not history
    keys = _keys_by_fingerprint(repo, '--include-unreachable')
    assert keys[fingerprint(key)]['refs'] == []
    text = run_cli(['history', '--include-unreachable'], repo).stdout
    assert UNREACHABLE in ' '.join(text.split())


def test_a_range_names_no_refs(repo: Path) -> None:
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'start')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo, 'deploy')
    result = run_cli(['history', '--range', 'HEAD~1..HEAD', '--format', 'json'], repo)
    (key,) = json.loads(result.stdout)['keys']
    assert 'refs' not in key
