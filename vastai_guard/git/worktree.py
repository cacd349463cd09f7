"""The hook's git: a work tree's index, what the next commit changes, and git's ignore rules.

Plumbing only (argv lists, `-z`, `--literal-pathspecs` or `--` before paths): importing GitPython
costs ~150 ms, more than the whole scan of a commit.
"""
from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.errors import FatalError
from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import last_error_line
from vastai_guard.git.runner import rev_parse
from vastai_guard.git.runner import run
from vastai_guard.git.runner import zsplit

# Blobs in the index; submodules (160000) have no blob to read.
GITLINK_MODE = '160000'


class IndexEntry(NamedTuple):
    path: str  # repo-relative, '/'-separated
    sha: str


class WorkTree(NamedTuple):
    root: str
    prefix: str  # the current folder relative to root, '' or ending in '/'
    git_dir: str  # absolute: where its objects are read (work_tree_repo)



def work_tree(cwd: str | None = None) -> WorkTree | None:
    """The work tree around `cwd`, or None outside one (a bare repo or no repo at all)."""
    values = rev_parse(('--show-toplevel', '--show-prefix', '--absolute-git-dir'), cwd=cwd)
    if values is None or not values[0]:
        return None
    return WorkTree(root=values[0], prefix=values[1], git_dir=values[2])


def work_tree_repo(tree: WorkTree) -> Repository:
    """The repository of a work tree, for reading its blobs as `history` reads objects.

    One reader for every command (ObjectReader): the real objects (replace refs ignored: a
    commit takes the staged blob, not its replacement), nothing fetched, and a damaged or
    missing object reported rather than fatal. Shallow and partial are history's questions.
    """
    return Repository(root=tree.root, git_dir=tree.git_dir, shallow=False, partial=False)


def _ls_files(args: Sequence[str], cwd: str | None) -> list[IndexEntry]:
    # literal: a file named `[x].py` is that file, not a glob
    result = run(
        ('--literal-pathspecs', 'ls-files', '--stage', '--full-name', '-z', *args), cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {last_error_line(result)}')
    entries: dict[str, IndexEntry] = {}
    for record in zsplit(result.stdout):
        meta, path = record.split('\t', 1)
        mode, sha, stage = meta.split(' ')
        # during a merge conflict a path has stages 1-3 and no 0: judge "ours" (2)
        if mode == GITLINK_MODE or (path in entries and stage != '2'):
            continue
        entries[path] = IndexEntry(path, sha)
    return list(entries.values())


def index_entries(paths: Sequence[str], *, cwd: str | None = None) -> list[IndexEntry]:
    """Staged blobs for `paths` (relative to `cwd`): what the next commit will hold."""
    if not paths:
        return []
    return _ls_files(('--', *paths), cwd)


def all_index_entries(*, cwd: str | None = None) -> list[IndexEntry]:
    return _ls_files((), cwd)


# Up to this many paths git matches them itself. Beyond, git's matching of N literal pathspecs
# against the index costs O(N x index) (50k staged files: 14 s where listing the whole index
# takes 2 s): the index is listed once and matched here, by set lookups.
PATHSPEC_LIMIT = 64


def index_entries_from_root(paths: Sequence[str], *, root: str) -> list[IndexEntry]:
    """Staged blobs for `paths` relative to the work tree's `root` ('/'-separated, normalised;
    '.' is the root): a file, or every file under a folder, as a literal pathspec matches."""
    if len(paths) <= PATHSPEC_LIMIT:
        return index_entries(paths, cwd=root)
    named = frozenset(paths)
    if '.' in named:
        return all_index_entries(cwd=root)
    return [entry for entry in all_index_entries(cwd=root) if _named(entry.path, named)]


def _named(path: str, named: frozenset[str]) -> bool:
    """Whether `path` is one of `named` or inside one of them."""
    while True:
        if path in named:
            return True
        cut = path.rfind('/')
        if cut < 0:
            return False
        path = path[:cut]


def staged_paths(*, cwd: str | None = None) -> list[str]:
    """Files added, copied, modified or renamed in the index against HEAD (cwd-relative)."""
    result = run(
        ('diff', '--cached', '--name-only', '--no-ext-diff', '--diff-filter=ACMRTUXB',
         '--relative', '-z'),
        cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git diff --cached failed: {last_error_line(result)}')
    return zsplit(result.stdout)


def staged_deletions(paths: Sequence[str], *, cwd: str | None = None) -> list[str]:
    """Those of `paths` (relative to `cwd`) that the index deletes against HEAD, root-relative."""
    result = run(
        ('--literal-pathspecs', 'diff', '--cached', '--name-only', '--no-ext-diff',
         '--diff-filter=D', '-z', '--', *paths),
        cwd=cwd,
    )
    if result.returncode != 0:
        return []  # no HEAD yet: nothing can be deleted
    return zsplit(result.stdout)


class IgnoreMatch(NamedTuple):
    """What git's ignore rules say about one path, from `git check-ignore -v`."""
    path: str  # as asked, relative to the work tree root
    source: str  # file holding the deciding pattern ('' when no pattern matches)
    line: int  # 1-based line of that pattern in `source` (0 when none)
    pattern: str  # the deciding pattern, '!'-prefixed for a negation ('' when none)

    @property
    def ignored(self) -> bool:
        return bool(self.pattern) and not self.pattern.startswith('!')


def check_ignore(paths: Sequence[str], *, root: str) -> list[IgnoreMatch]:
    """git's verdict on each root-relative path, whether or not it exists or is tracked.

    `--no-index` judges tracked files by the rules alone (without it git calls every tracked
    file "not ignored"); `-v -n` names the deciding pattern, negations included, and answers
    for every path, so one process answers the whole batch.
    """
    if not paths:
        return []
    result = run(
        ('check-ignore', '--no-index', '--verbose', '--non-matching', '-z', '--stdin'),
        cwd=root, input=b''.join(p.encode('utf-8', 'surrogateescape') + b'\0' for p in paths),
    )
    # 0: some path ignored, 1: none; anything else is git failing
    if result.returncode not in (0, 1):
        raise FatalError(f'git check-ignore failed: {last_error_line(result)}')
    fields = result.stdout.decode('utf-8', 'surrogateescape').split('\0')
    return [
        IgnoreMatch(
            path=fields[i + 3], source=fields[i],
            line=int(fields[i + 1]) if fields[i + 1] else 0, pattern=fields[i + 2],
        )
        for i in range(0, len(fields) - 3, 4)
    ]


def matching_files(
        pathspecs: Sequence[str],
        *,
        root: str,
        tracked: bool = False,
        untracked: bool = False,
        ignored: bool = False,
) -> list[str]:
    """Root-relative files matching glob `pathspecs`: tracked (in the index), untracked and
    not ignored, or ignored (untracked and ignored), as git's own rules decide."""
    args = ['ls-files', '-z']
    if tracked:
        args.append('--cached')
    if untracked or ignored:
        args += ['--others', '--exclude-standard']
    if ignored:
        args.append('--ignored')
    result = run((*args, '--', *(f':(glob){spec}' for spec in pathspecs)), cwd=root)
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {last_error_line(result)}')
    return sorted(set(zsplit(result.stdout)))


def staged_additions(*, root: str) -> list[str]:
    """Root-relative files the next commit adds (new in the index against HEAD).

    Renames count as additions (`--no-renames`): `git mv .env.example .env` adds `.env`.
    """
    result = run(
        ('diff', '--cached', '--name-only', '--no-ext-diff', '--no-renames', '--diff-filter=A',
         '-z'),
        cwd=root,
    )
    if result.returncode != 0:
        raise FatalError(f'git diff --cached failed: {last_error_line(result)}')
    return zsplit(result.stdout)


# --- history (`vastai-guard history`) -----------------------------------------------------------
# Open with git and with GitPython (history_repo); stream the history itself through git plumbing
# (`log --raw`, `cat-file --batch`), which is what lets one pass read every blob once at pipe
# speed.
#
# What a push would send is what gets scanned: every history call reads the real objects of one
# repository, named explicitly (`--git-dir`, never GIT_DIR/GIT_WORK_TREE from the environment,
# which GitPython and git would each read their own way), with replace refs and grafts ignored
# (`git replace` can hide a commit from `log` while `push` still sends it), and with lazy
# fetching of a partial clone's missing objects switched off: a scanner makes no network calls.


def untracked_files(folders: Sequence[str], *, cwd: str | None = None) -> list[str]:
    """Files under `folders` that are neither tracked nor ignored: what `git add` would take.

    Paths relative to `cwd`, as `folders` are.
    """
    if not folders:
        return []
    result = run(
        ('--literal-pathspecs', 'ls-files', '--others', '--exclude-standard', '-z', '--',
         *folders),
        cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {last_error_line(result)}')
    return zsplit(result.stdout)


def head_blobs(*, cwd: str) -> list[IndexEntry]:
    """Every blob in HEAD's tree, for the hook: plumbing in the work tree, no history setup."""
    return blobs_listed(run(('ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--'), cwd=cwd))


def blobs_listed(result: subprocess.CompletedProcess[bytes]) -> list[IndexEntry]:
    if result.returncode != 0:
        return []
    entries = []
    for record in zsplit(result.stdout):
        meta, path = record.split('\t', 1)
        mode, kind, sha = meta.split(' ')
        if kind == 'blob':
            entries.append(IndexEntry(path, sha))
    return entries
