"""`vastai-guard init` the way a new user runs it: then the first commits, through real pre-commit.

The hook repository is this working tree committed into a throwaway repository (a real
commit pre-commit can clone); `--local` needs no clone at all.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from testing.hookrepo import HookRepo
from testing.util import GIT_ENV
from testing.util import REPO_ROOT
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.commands import init as init_command

MANIFEST = REPO_ROOT / '.pre-commit-hooks.yaml'


def _env(hooks: HookRepo) -> dict[str, str]:
    # `language: system` runs the vastai-guard on PATH: the one installed with these tests
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    return {**os.environ, **GIT_ENV, 'PRE_COMMIT_HOME': str(hooks.home), 'PATH': path}


def _commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ('git', 'commit', '-m', 'change'), cwd=repo, env=env,
        capture_output=True, text=True, check=False,
    )


def _first_commit_passes_then_a_staged_key_is_blocked(repo: Path, env: dict[str, str]) -> None:
    write(repo, 'app.py', 'import os\nVAST_API_KEY = os.environ["VAST_API_KEY"]\n')
    git(repo, 'add', '-A')
    first = _commit(repo, env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert 'missing-pattern' not in first.stdout

    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '-f', '.env')
    blocked = _commit(repo, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert '.env:1: vast-api-key:' in output
    assert 'The key is not in any commit yet' in output  # no "rotate now" for a blocked commit
    assert key not in output
    assert git(repo, 'rev-list', '--count', 'HEAD').strip() == '1'


@pytest.mark.slow
def test_init_with_repo_and_rev_then_the_first_commits(
        tmp_path: Path, hook_repo: HookRepo,
) -> None:
    repo = init_repo(tmp_path / 'app')
    env = _env(hook_repo)
    result = run_cli(
        ['init', '--repo', hook_repo.path.as_uri(), '--rev', hook_repo.rev], repo, env=env,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((repo / '.pre-commit-config.yaml').read_text(encoding='utf-8'))
    assert config['repos'][-1]['repo'] == hook_repo.path.as_uri()
    assert config['repos'][-1]['rev'] == hook_repo.rev
    _first_commit_passes_then_a_staged_key_is_blocked(repo, env)


def test_init_local_then_the_first_commits(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / 'app')
    env = _env(hook_repo)
    result = run_cli(['init', '--local'], repo, env=env)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((repo / '.pre-commit-config.yaml').read_text(encoding='utf-8'))
    assert config['repos'][-1]['repo'] == 'local'
    _first_commit_passes_then_a_staged_key_is_blocked(repo, env)


def test_init_fixes_gitignore_and_says_what_it_added(repo: Path) -> None:
    result = run_cli(['init', '--local'], repo)
    assert result.returncode == 0, result.stderr
    assert 'added to .gitignore (the vastai-gitignore hook demands it): .env .env.*' in result.stdout
    assert '.env' in (repo / '.gitignore').read_text(encoding='utf-8').splitlines()
    assert run_cli(['gitignore'], repo).returncode == 0
    again = run_cli(['init', '--local'], repo)
    assert 'added to .gitignore' not in again.stdout


def test_init_warns_about_a_tracked_env_file_it_cannot_fix(repo: Path) -> None:
    write(repo, '.env', 'DEBUG=1\n')
    git(repo, 'add', '.env')
    result = run_cli(['init', '--local'], repo)
    assert result.returncode == 0, result.stderr
    assert 'warning: .env:' in result.stderr and 'git rm --cached' in result.stderr


def test_local_and_repo_do_not_mix(repo: Path) -> None:
    result = run_cli(['init', '--local', '--rev', 'v1'], repo)
    assert result.returncode == 2
    assert '--local runs the installed vastai-guard' in result.stderr
    assert not (repo / '.pre-commit-config.yaml').exists()


def test_init_pre_push_then_a_push_with_a_key_is_blocked(
        tmp_path: Path, hook_repo: HookRepo,
) -> None:
    remote = tmp_path / 'remote.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(remote)), check=True)
    repo = init_repo(tmp_path / 'app')
    git(repo, 'remote', 'add', 'origin', str(remote))
    env = _env(hook_repo)
    result = run_cli(['init', '--local', '--pre-push'], repo, env=env)
    assert result.returncode == 0, result.stderr
    assert 'vastai-secrets, vastai-gitignore, vastai-secrets-push' in result.stdout
    assert (repo / '.git' / 'hooks' / 'pre-push').exists()
    write(repo, 'app.py', 'print("hi")\n')
    git(repo, 'add', '-A')
    assert _commit(repo, env).returncode == 0
    # a key committed past the commit hook (--no-verify) is still stopped at the push
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '-A')
    subprocess.run(
        ('git', 'commit', '-q', '--no-verify', '-m', 'oops'), cwd=repo, env=env, check=True,
    )
    push = subprocess.run(
        ('git', 'push', 'origin', 'main'), cwd=repo, env=env, capture_output=True, text=True,
    )
    assert push.returncode != 0, push.stdout + push.stderr
    assert 'deploy.sh:1' in push.stdout + push.stderr
    assert git(repo, 'ls-remote', 'origin') == ''


@pytest.mark.parametrize('hook_id', (*init_command.HOOK_IDS, init_command.PUSH_HOOK_ID))
def test_local_hooks_match_the_manifest(hook_id: str) -> None:
    manifest = {hook['id']: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding='utf-8'))}
    published = manifest[hook_id]
    local = init_command.LOCAL_HOOKS[hook_id]
    assert local['entry'] == published['entry']
    assert local['language'] == 'system'
    for field in ('pass_filenames', 'always_run', 'types', 'stages'):
        assert local.get(field) == published.get(field), field
