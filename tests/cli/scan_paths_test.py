"""One rule for `scan FILE` and `scan FOLDER`: the index; `--from-disk` for the working files."""
from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write


def _layout(repo: Path) -> None:
    """app/ holds: a staged clean file with an unstaged key, an ignored .env with a key, an
    untracked (not ignored) file with a key."""
    write(repo, '.gitignore', '.env\n')
    write(repo, 'app/settings.py', 'DEBUG = True\n')
    commit_all(repo)
    write(repo, 'app/settings.py', f'DEBUG = True\nVAST_API_KEY = "{new_key()}"\n')  # unstaged
    write(repo, 'app/.env', f'VAST_API_KEY={new_key()}\n')  # ignored
    write(repo, 'app/new_job.sh', f'vastai set api-key {new_key()}\n')  # untracked


def _paths(stdout: str) -> set[str]:
    return {line.split(':', 1)[0] for line in stdout.splitlines() if ': vast-' in line}


def test_a_folder_is_judged_like_a_file_by_what_the_index_holds(repo: Path) -> None:
    _layout(repo)
    folder = run_cli(['scan', 'app'], repo)
    # the untracked file is what `git add app` would take; the unstaged edit and the ignored
    # file are not
    assert _paths(folder.stdout) == {'app/new_job.sh'}
    assert run_cli(['scan', 'app/settings.py'], repo).returncode == 0
    git(repo, 'add', 'app/settings.py')
    assert _paths(run_cli(['scan', 'app'], repo).stdout) == {'app/new_job.sh', 'app/settings.py'}
    assert _paths(run_cli(['scan', 'app/settings.py'], repo).stdout) == {'app/settings.py'}


def test_from_disk_reads_the_working_files(repo: Path) -> None:
    _layout(repo)
    result = run_cli(['scan', '--from-disk', 'app'], repo)
    assert result.returncode == 1
    assert _paths(result.stdout) == {'app/settings.py', 'app/.env', 'app/new_job.sh'}
    one = run_cli(['scan', '--from-disk', 'app/settings.py'], repo)
    assert _paths(one.stdout) == {'app/settings.py'}


def test_from_disk_from_a_subfolder_names_paths_from_the_root(repo: Path) -> None:
    _layout(repo)
    result = run_cli(['scan', '--from-disk'], repo / 'app')
    assert _paths(result.stdout) == {'app/settings.py', 'app/.env', 'app/new_job.sh'}


def test_the_rule_is_in_the_help(repo: Path) -> None:
    help_text = ' '.join(run_cli(['scan', '--help'], repo).stdout.split())
    assert 'every PATH is judged by what the index holds' in help_text
    assert 'a folder means the indexed files under it' in help_text
    assert '--from-disk' in help_text


def test_from_disk_and_all_files_do_not_mix(repo: Path) -> None:
    result = run_cli(['scan', '--from-disk', '--all-files'], repo)
    assert result.returncode == 2
    assert 'pick one' in result.stderr
