"""The `vastai-secrets-push` hook: a real bare remote, `git push` through pre-commit's pre-push hook.

The config runs the installed vastai-guard with the manifest's entry (`repo: local`), so no
virtualenv is built; the manifest test keeps the two the same.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testing.util import GIT_ENV
from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write

MANIFEST = REPO_ROOT / '.pre-commit-hooks.yaml'


def _push_hook() -> dict[str, object]:
    (hook,) = [
        hook for hook in yaml.safe_load(MANIFEST.read_text(encoding='utf-8'))
        if hook['id'] == 'vastai-secrets-push'
    ]
    return dict(hook)


def _env(tmp_path: Path) -> dict[str, str]:
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    return {
        **os.environ, **GIT_ENV, 'PATH': path, 'PRE_COMMIT_HOME': str(tmp_path / 'pc-home'),
    }


@pytest.fixture
def pushing(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A work repository with the push hook installed and an empty bare `origin`."""
    remote = tmp_path / 'remote.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(remote)), check=True)
    work = init_repo(tmp_path / 'work')
    git(work, 'remote', 'add', 'origin', str(remote))
    hook = {**_push_hook(), 'language': 'system'}
    hook.pop('description')
    config = {'repos': [{'repo': 'local', 'hooks': [hook]}]}
    write(work, '.pre-commit-config.yaml', yaml.safe_dump(config))
    env = _env(tmp_path)
    subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'install', '--hook-type', 'pre-push'),
        cwd=work, env=env, check=True, capture_output=True,
    )
    return work, env


def _push(work: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ('git', 'push', 'origin', *args), cwd=work, env=env,
        capture_output=True, text=True, check=False,
    )


def _add_and_remove_a_key(work: Path) -> str:
    key = new_key()
    write(work, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(work, 'deploy script')
    write(work, 'deploy.sh', 'export VAST_API_KEY="$(cat ~/.vast_api_key)"\n')
    commit_all(work, 'read the key from the file')
    return key


def _remote_has(work: Path, branch: str) -> str:
    return git(work, 'ls-remote', 'origin', f'refs/heads/{branch}').split('\t')[0]


def test_a_key_added_and_removed_in_the_pushed_commits_blocks_the_push(
        pushing: tuple[Path, dict[str, str]],
) -> None:
    work, env = pushing
    write(work, 'README.md', '# app\n')
    commit_all(work, 'start')
    first = _push(work, env, 'main')  # a new branch on an empty remote: no FROM ref
    assert first.returncode == 0, first.stdout + first.stderr
    pushed = _remote_has(work, 'main')

    key = _add_and_remove_a_key(work)
    result = _push(work, env, 'main')  # the remote has main: FROM..TO

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert 'deploy.sh:1' in output and 'not pushed: vast-api-key' in output
    assert 'The push was stopped before these commits left this machine' in output
    assert key not in output
    assert _remote_has(work, 'main') == pushed


def test_the_first_push_of_a_repository_is_scanned(pushing: tuple[Path, dict[str, str]]) -> None:
    work, env = pushing
    _add_and_remove_a_key(work)
    result = _push(work, env, 'main')
    assert result.returncode != 0, result.stdout + result.stderr
    assert _remote_has(work, 'main') == ''


def test_a_new_branch_is_judged_by_its_own_commits(pushing: tuple[Path, dict[str, str]]) -> None:
    work, env = pushing
    # a key on main that is already on the remote is not this push's business
    old_key = new_key()
    write(work, 'old.sh', f'export VAST_API_KEY={old_key}\n')
    commit_all(work, 'old')
    git(work, 'push', '--no-verify', 'origin', 'main')
    git(work, 'checkout', '-q', '-b', 'feature')
    write(work, 'feature.py', 'print("feature")\n')
    commit_all(work, 'feature')
    clean = _push(work, env, 'feature')
    assert clean.returncode == 0, clean.stdout + clean.stderr

    git(work, 'checkout', '-q', '-b', 'feature-2')
    _add_and_remove_a_key(work)
    blocked = _push(work, env, 'feature-2')
    assert blocked.returncode != 0
    assert 'deploy.sh:1' in blocked.stdout + blocked.stderr
    assert 'old.sh' not in blocked.stdout + blocked.stderr


def test_outside_pre_commit_it_scans_the_commits_no_remote_has(repo: Path) -> None:
    write(repo, 'README.md', '# app\n')
    commit_all(repo)
    assert run_cli(['history', '--pre-push'], repo).returncode == 0
    _add_and_remove_a_key(repo)
    assert run_cli(['history', '--pre-push'], repo).returncode == 1


def test_pre_push_with_range_is_a_usage_error(repo: Path) -> None:
    commit_all(repo)
    result = run_cli(['history', '--pre-push', '--range', 'HEAD~1..HEAD'], repo)
    assert result.returncode == 2
    assert '--pre-push scans the commits being pushed' in result.stderr


def test_the_push_hook_runs_at_pre_push_only() -> None:
    hook = _push_hook()
    assert hook['stages'] == ['pre-push']
    assert hook['entry'] == 'vastai-guard history --pre-push'
    assert hook['pass_filenames'] is False and hook['always_run'] is True


def _manifest_hooks() -> list[dict[str, object]]:
    hooks = []
    for hook in yaml.safe_load(MANIFEST.read_text(encoding='utf-8')):
        if hook['id'] in ('vastai-secrets', 'vastai-secrets-push'):
            hook = {**hook, 'language': 'system'}
            hook.pop('description')
            hooks.append(hook)
    return hooks


def test_the_commit_hook_runs_at_commit_only() -> None:
    (commit_hook,) = [hook for hook in _manifest_hooks() if hook['id'] == 'vastai-secrets']
    assert commit_hook['stages'] == ['pre-commit']


def test_a_blocked_push_says_one_thing_the_key_never_left(tmp_path: Path) -> None:
    # both hooks installed, as `init --pre-push` does: only the push hook speaks at a push
    remote = tmp_path / 'remote.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(remote)), check=True)
    work = init_repo(tmp_path / 'work')
    git(work, 'remote', 'add', 'origin', str(remote))
    config = {'repos': [{'repo': 'local', 'hooks': _manifest_hooks()}]}
    write(work, '.pre-commit-config.yaml', yaml.safe_dump(config))
    env = _env(tmp_path)
    subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'install', '--hook-type', 'pre-commit',
         '--hook-type', 'pre-push'),
        cwd=work, env=env, check=True, capture_output=True,
    )
    key = new_key()
    write(work, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    git(work, 'add', '.')
    git(work, 'commit', '-q', '--no-verify', '-m', 'deploy')  # past the commit hook

    result = _push(work, env, 'main')
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert 'The push was stopped before these commits left this machine' in output
    assert 'exposed to everyone' not in output
    assert 'anyone who can read this history can use it' not in output
    assert 'not pushed: vast-api-key' in output and 'need' not in output
    assert '1 Vast.ai key in the 1 commit being pushed.' in output
    assert 'Vast.ai API keys in the commits being pushed' in output
    assert 'Vast.ai API keys.' not in output  # the commit hook's name: it did not run
    assert key not in output
