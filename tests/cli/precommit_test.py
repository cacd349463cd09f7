"""The hooks as users run them: real pre-commit, real `git commit`.

pre-commit installs the hook repository into its own virtualenv (from PyPI, the one network
these tests use), once per session.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.hookrepo import HookRepo
from testing.util import GIT_ENV
from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import write

# every test here builds the hook repository's environment from PyPI
pytestmark = pytest.mark.slow


def _pre_commit_env(hook_repo: HookRepo) -> dict[str, str]:
    return {**os.environ, **GIT_ENV, 'PRE_COMMIT_HOME': str(hook_repo.home)}


def _commit(repo: Path, hook_repo: HookRepo) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ('git', 'commit', '-m', 'change'), cwd=repo, env=_pre_commit_env(hook_repo),
        capture_output=True, text=True, check=False,
    )


@pytest.fixture
def hooked_repo(tmp_path: Path, hook_repo: HookRepo) -> Path:
    repo = init_repo(tmp_path / 'work')
    write(repo, '.pre-commit-config.yaml', hook_repo.config('vastai-secrets'))
    commit_all(repo, 'config')
    subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'install'), cwd=repo,
        env=_pre_commit_env(hook_repo), check=True, capture_output=True,
    )
    return repo


def test_staged_key_blocks_the_commit(hooked_repo: Path, hook_repo: HookRepo) -> None:
    key = new_key()
    write(hooked_repo, 'deploy/run.sh', f'#!/bin/sh\nexport VAST_API_KEY="{key}"\n')
    write(hooked_repo, 'notes.md', 'nothing to see\n')
    git(hooked_repo, 'add', '.')

    result = _commit(hooked_repo, hook_repo)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert 'deploy/run.sh:2: vast-api-key:' in output
    assert 'notes.md' not in output
    assert key not in output
    assert git(hooked_repo, 'rev-list', '--count', 'HEAD').strip() == '1'  # nothing committed


def test_clean_commit_passes(hooked_repo: Path, hook_repo: HookRepo) -> None:
    write(hooked_repo, 'requirements.txt', f'vastai==0.3.1 --hash=sha256:{new_key()}\n')
    write(hooked_repo, '.env.example', 'VAST_API_KEY=your_api_key_here\n')
    git(hooked_repo, 'add', '.')

    result = _commit(hooked_repo, hook_repo)

    assert result.returncode == 0, result.stdout + result.stderr
    assert git(hooked_repo, 'rev-list', '--count', 'HEAD').strip() == '2'


def test_unstaged_key_does_not_block_what_is_staged(hooked_repo: Path, hook_repo: HookRepo) -> None:
    """pre-commit stashes unstaged changes; the hook judges only what is committed."""
    write(hooked_repo, 'app.py', 'print("hi")\n')
    git(hooked_repo, 'add', '.')
    write(hooked_repo, 'app.py', f'print("hi")\nVAST_API_KEY = "{new_key()}"\n')

    result = _commit(hooked_repo, hook_repo)

    assert result.returncode == 0, result.stdout + result.stderr


def test_manual_stage_hook_runs_the_history_scan(tmp_path: Path, hook_repo: HookRepo) -> None:
    """`pre-commit run vastai-history --hook-stage manual`: a key committed and removed long
    ago fails it, by its redacted form; a plain commit does not run it."""
    repo = init_repo(tmp_path / 'work')
    write(repo, '.pre-commit-config.yaml', hook_repo.config('vastai-history'))
    key = new_key()
    write(repo, 'old.env', f'VAST_API_KEY={key}\n')
    commit_all(repo, 'oops')
    (repo / 'old.env').unlink()
    commit_all(repo, 'remove the key (it stays in history)')
    run = subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'run', 'vastai-history', '--hook-stage', 'manual'),
        cwd=repo, env=_pre_commit_env(hook_repo), capture_output=True, text=True, check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert f'{key[:4]}...{key[-4:]}' in output and 'old.env' in output
    assert key not in output
    default_stage = subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'run', '--all-files'),
        cwd=repo, env=_pre_commit_env(hook_repo), capture_output=True, text=True, check=False,
    )
    assert default_stage.returncode == 0, default_stage.stdout + default_stage.stderr


def test_gitignore_hook_blocks_a_staged_env_file(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / 'work')
    write(repo, '.pre-commit-config.yaml', hook_repo.config('vastai-gitignore'))
    write(repo, '.gitignore', '.env\n.env.*\n!.env.example\n.vast_api_key\nvast_api_key\nvast_tfa_key\n')
    commit_all(repo, 'config')
    subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'install'), cwd=repo,
        env=_pre_commit_env(hook_repo), check=True, capture_output=True,
    )
    write(repo, '.env.example', 'VAST_API_KEY=your_api_key_here\n')
    git(repo, 'add', '.env.example')
    assert _commit(repo, hook_repo).returncode == 0  # a template is fine

    write(repo, 'deploy/.env', 'VAST_API_KEY=set-me\n')
    git(repo, 'add', '-f', 'deploy/.env')
    result = _commit(repo, hook_repo)
    assert result.returncode != 0
    assert 'deploy/.env' in result.stdout + result.stderr
