"""git.worktree: many staged names are matched against one index listing, as git would."""
from __future__ import annotations

from pathlib import Path

from testing.util import git
from testing.util import write
from vastai_guard.git import worktree


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
