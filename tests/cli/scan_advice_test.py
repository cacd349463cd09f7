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


def test_a_key_from_an_earlier_commit_staged_again_is_not_called_new(repo: Path) -> None:
    # committed, then taken out of the file: HEAD lacks it, history has it
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'add the key')
    write(repo, 'deploy.sh', 'export VAST_API_KEY="$(cat ~/.vast_api_key)"\n')
    commit_all(repo, 'read it from the file')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    assert result.returncode == 1
    assert '(already committed, in an earlier commit)' in result.stdout
    assert 'not in any commit yet' not in result.stdout
    assert ROTATE_NOW in result.stdout
    assert key not in result.stdout + result.stderr


def test_a_key_in_a_stash_or_another_branch_counts_as_committed(repo: Path) -> None:
    key = new_key()
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature/x')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'on a branch')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    assert '(already committed, in an earlier commit)' in result.stdout


def test_two_new_keys_are_spoken_of_in_the_plural(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\nexport VAST_KEY_2={new_key()}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    assert 'Found 2 Vast.ai keys in 1 file.' in result.stdout
    assert 'These keys are not in any commit yet: keep it that way.' in result.stdout
    assert 'Unstage them' in result.stdout and 'Rotate them only if they were' in result.stdout
    assert 'The key is' not in result.stdout


def test_a_staged_env_file_is_told_to_stay_out_of_git_not_to_move_into_one(repo: Path) -> None:
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '-f', '.env')
    result = run_cli(['scan'], repo)
    assert result.returncode == 1
    assert 'Unstage the env file' in result.stdout
    assert 'vastai-guard gitignore --fix' in result.stdout
    assert 'move it to an ignored .env file' not in result.stdout
