"""git.py's index and ignore queries (the hook's side), against real repositories.

History's functions and the object reader (read_blobs, ObjectReader, history_changes) are
tested with the engines that use them, in tests/history*_test.py and tests/commands/.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import git as run_git
from testing.util import write
from vastai_guard.git import worktree

ODD_NAMES = ('with space.env', 'tab\there.env', 'new\nline.env', 'ünïcödé.env', '[x].py', '*.env')


def test_work_tree_names_the_root_and_the_folder_asked_from(repo: Path) -> None:
    (repo / 'src' / 'pkg').mkdir(parents=True)
    tree = worktree.work_tree(str(repo / 'src' / 'pkg'))
    assert tree is not None
    assert (os.path.realpath(tree.root), tree.prefix) == (os.path.realpath(repo), 'src/pkg/')
    at_root = worktree.work_tree(str(repo))
    assert at_root is not None and (at_root.root, at_root.prefix) == (tree.root, '')


def test_there_is_no_work_tree_outside_a_repository_or_in_a_bare_one(tmp_path: Path) -> None:
    (tmp_path / 'plain').mkdir()
    subprocess.run(('git', 'init', '-q', '--bare', str(tmp_path / 'bare.git')), check=True)
    assert worktree.work_tree(str(tmp_path / 'plain')) is None
    assert worktree.work_tree(str(tmp_path / 'bare.git')) is None


def test_index_entries_are_read_literally_whatever_the_name(repo: Path) -> None:
    for name in ODD_NAMES:
        write(repo, name, name)
    write(repo, 'x.py', 'not [x].py')  # what `[x].py` would match as a glob
    run_git(repo, 'add', '--', *ODD_NAMES)

    entries = worktree.index_entries(list(ODD_NAMES), cwd=str(repo))
    assert sorted(entry.path for entry in entries) == sorted(ODD_NAMES)
    assert {entry.path for entry in worktree.all_index_entries(cwd=str(repo))} == set(ODD_NAMES)


def test_a_file_name_that_is_not_utf8_round_trips(repo: Path) -> None:
    name = b'caf\xe9.env'  # Latin-1, as an old tool may have written it
    (repo / os.fsdecode(name)).write_bytes(b'x\n')
    run_git(repo, 'add', '-A')

    [entry] = worktree.all_index_entries(cwd=str(repo))
    assert os.fsencode(entry.path) == name
    assert worktree.index_entries([entry.path], cwd=str(repo)) == [entry]


def test_staged_changes_name_additions_edits_renames_and_deletions_apart(repo: Path) -> None:
    for name in ('edited.txt', 'moved.env.example', 'deleted.txt'):
        write(repo, name, f'{name}\n')
    commit_all(repo)
    write(repo, 'edited.txt', 'changed\n')
    write(repo, 'added.txt', 'new\n')
    run_git(repo, 'mv', 'moved.env.example', '.env')
    run_git(repo, 'rm', '-q', 'deleted.txt')
    run_git(repo, 'add', '-A')

    assert sorted(worktree.staged_paths(cwd=str(repo))) == ['.env', 'added.txt', 'edited.txt']
    # a rename counts as an addition: `git mv .env.example .env` adds a .env
    assert sorted(worktree.staged_additions(root=str(repo))) == ['.env', 'added.txt']
    assert worktree.staged_deletions(['deleted.txt', 'edited.txt'], cwd=str(repo)) == ['deleted.txt']


def test_staged_paths_are_relative_to_the_folder_asked_from(repo: Path) -> None:
    write(repo, 'src/a.txt', 'a\n')
    write(repo, 'top.txt', 'b\n')
    run_git(repo, 'add', '-A')
    assert worktree.staged_paths(cwd=str(repo / 'src')) == ['a.txt']


def test_check_ignore_names_the_deciding_pattern_negations_included(repo: Path) -> None:
    write(repo, '.gitignore', '# env files\n.env*\n!.env.example\n')
    write(repo, 'sub/.gitignore', 'local.txt\n')
    paths = ['.env', '.env.example', 'sub/local.txt', 'README.md']

    verdicts = {match.path: match for match in worktree.check_ignore(paths, root=str(repo))}

    assert verdicts['.env'] == worktree.IgnoreMatch('.env', '.gitignore', 2, '.env*')
    assert verdicts['.env.example'] == worktree.IgnoreMatch(
        '.env.example', '.gitignore', 3, '!.env.example',
    )
    assert verdicts['sub/local.txt'].source == 'sub/.gitignore'
    assert verdicts['README.md'] == worktree.IgnoreMatch('README.md', '', 0, '')
    assert [p for p in paths if verdicts[p].ignored] == ['.env', 'sub/local.txt']


def test_check_ignore_judges_a_tracked_file_by_the_rules(repo: Path) -> None:
    """A tracked .env is still one the rules ignore (plain `check-ignore` says it is not)."""
    write(repo, '.env', 'X=1\n')
    commit_all(repo)
    write(repo, '.gitignore', '.env\n')
    [verdict] = worktree.check_ignore(['.env'], root=str(repo))
    assert verdict.ignored


@pytest.mark.parametrize(
    ('kind', 'expected'),
    (
        pytest.param({'tracked': True}, ['.env.tracked', 'deep/.env.tracked'], id='tracked'),
        pytest.param({'untracked': True}, ['.env.loose'], id='untracked-not-ignored'),
        pytest.param({'ignored': True}, ['.env.ignored'], id='ignored'),
    ),
)
def test_matching_files_by_glob(repo: Path, kind: dict[str, bool], expected: list[str]) -> None:
    write(repo, '.gitignore', '.env.ignored\n')
    for name in ('.env.tracked', 'deep/.env.tracked', '.env.loose', '.env.ignored', 'other.txt'):
        write(repo, name, 'X=1\n')
    run_git(repo, 'add', '.gitignore', '.env.tracked', 'deep/.env.tracked')

    assert worktree.matching_files(('**/.env.*',), root=str(repo), **kind) == expected


def test_many_paths_match_as_literal_pathspecs_do(repo: Path) -> None:
    names = [f'pkg{i % 7}/mod{i}.py' for i in range(200)] + ['[x].py', 'top.txt', 'pkg1x/a.py']
    for name in names:
        write(repo, name, 'x\n')
    git(repo, 'add', '-A')
    asked = [*names[:200:2], 'pkg1', '[x].py', 'missing.py']  # files, a folder, no such path
    assert len(asked) > worktree.PATHSPEC_LIMIT
    many = worktree.index_entries_from_root(asked, root=str(repo))
    one_by_one = worktree.index_entries(asked, cwd=str(repo))
    assert sorted(many) == sorted(one_by_one)
    assert 'pkg1x/a.py' not in {entry.path for entry in many}  # a folder is not a prefix
    everything = worktree.index_entries_from_root(['.', *asked], root=str(repo))
    assert len(everything) == len(names)
