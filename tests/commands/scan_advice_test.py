"""The advice after a finding fits where the key is: only staged, or already committed."""
from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write

ROTATE_NOW = 'Rotate it now'
NOT_COMMITTED = 'The key is not in any commit yet: keep it that way.'


def test_a_staged_key_is_told_to_stay_out_of_git_not_to_rotate(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    assert result.returncode == 1
    assert NOT_COMMITTED in result.stdout
    assert 'git restore --staged -- FILE' in result.stdout
    assert 'Rotate it only if it was already committed elsewhere or shared' in result.stdout
    assert ROTATE_NOW not in result.stdout
    assert '(already committed)' not in result.stdout


def test_a_committed_key_is_exposed_for_good(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    result = run_cli(['scan', '--all-files'], repo)
    assert result.returncode == 1
    assert 'deploy.sh:1: vast-api-key: ' in result.stdout
    assert '(already committed)' in result.stdout
    assert 'exposed to everyone who can read the repository, for good' in result.stdout
    assert NOT_COMMITTED not in result.stdout


def test_a_committed_key_in_a_file_staged_again_still_says_rotate(repo: Path) -> None:
    # the staged edit is harmless; the key was in HEAD already
    old, fresh = new_key(), new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={old}\n')
    commit_all(repo)
    write(repo, 'deploy.sh', f'# the key\nexport VAST_API_KEY={old}\n')
    write(repo, 'worker.sh', f'export VAST_API_KEY={fresh}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    lines = result.stdout.splitlines()
    assert lines[0].startswith('deploy.sh:2: ') and '(already committed)' in lines[0]
    assert lines[1].startswith('worker.sh:1: ') and 'already committed' not in lines[1]
    assert 'Found 2 Vast.ai keys in 2 files.' in result.stdout
    assert ROTATE_NOW in result.stdout
    assert 'The key marked (already committed) is in a commit.' in result.stdout
    assert 'The other key is not in any commit yet: keep it that way.' in result.stdout
