"""keyreuse: one key shared by two environments' env files is found, by fingerprint only."""
from __future__ import annotations

from pathlib import Path

from testing.util import env_line
from testing.util import new_key
from testing.util import write
from vastai_guard.findings import fingerprint
from vastai_guard.gitignore.keyreuse import env_files_on_disk
from vastai_guard.gitignore.keyreuse import reused_keys


def test_env_files_on_disk_includes_ignored_ones(repo: Path) -> None:
    write(repo, '.gitignore', '.env*\n!.env.example\n')
    for name in ('.env', 'svc/.env.production', '.env.example', 'notes.env.txt'):
        write(repo, name, 'A=1\n')
    found = env_files_on_disk(str(repo), ['.env.staging'])  # listed, but not on disk
    # ignored env files are the ones that hold keys; templates and absent files are not read
    assert found == ['.env', 'svc/.env.production']


def test_a_key_in_two_environments(repo: Path) -> None:
    key = new_key()
    write(repo, '.env.production', env_line(key))
    write(repo, 'svc/.env.staging', env_line(key))
    write(repo, '.env', env_line(new_key()))
    (problem,) = reused_keys(str(repo), ['.env', '.env.production', 'svc/.env.staging'])
    assert problem.kind == 'reused-key'
    assert problem.path == '.env.production'
    assert fingerprint(key)[:12] in problem.message
    assert '.env.production, svc/.env.staging' in problem.message
    assert 'production, staging' in problem.message
    assert key not in problem.message


def test_one_environment_under_several_names_is_not_reuse(repo: Path) -> None:
    key = new_key()
    # `.env` and `.env.local` are the development machine's; `.env.prod` is production
    for name in ('.env', '.env.local', 'a/.env.prod', 'a/.env.production'):
        write(repo, name, env_line(key))
    problems = reused_keys(str(repo), ['.env', '.env.local'])
    assert problems == []
    assert reused_keys(str(repo), ['a/.env.prod', 'a/.env.production']) == []
    assert len(reused_keys(str(repo), ['.env', 'a/.env.prod'])) == 1


def test_a_file_gone_since_it_was_listed_does_not_stop_the_check(repo: Path) -> None:
    key = new_key()
    write(repo, '.env.production', env_line(key))
    write(repo, '.env.staging', env_line(key))
    problems = reused_keys(str(repo), ['.env.production', '.env.absent', '.env.staging'])
    assert [p.kind for p in problems] == ['reused-key']
