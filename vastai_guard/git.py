"""Every git call vastai-guard makes, and nothing else.

The hook path runs git plumbing directly (argv lists, `-z`, `--` before paths): importing
GitPython costs ~150 ms, more than the whole scan. GitPython is imported lazily by the parts that
walk history, and its objects never leave this module.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.errors import FatalError

# Blobs in the index; submodules (160000) have no blob to read.
_GITLINK_MODE = '160000'


class IndexEntry(NamedTuple):
    path: str  # repo-relative, '/'-separated
    sha: str


class WorkTree(NamedTuple):
    root: str
    prefix: str  # the current folder relative to root, '' or ending in '/'


class Blob(NamedTuple):
    sha: str
    size: int
    data: bytes | None  # None: missing, or larger than the limit asked for


def _git_env() -> dict[str, str]:
    # Inside a hook git exports GIT_INDEX_FILE and friends; they are right for this repo and
    # kept. Pager and prompts are not wanted from a scanner.
    env = dict(os.environ)
    env['GIT_TERMINAL_PROMPT'] = '0'
    env.setdefault('GIT_PAGER', 'cat')
    return env


def run(args: Sequence[str], *, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ('git', *args), cwd=cwd, capture_output=True, env=_git_env(), check=False,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None


def zsplit(data: bytes) -> list[str]:
    return [part for part in data.decode('utf-8', 'surrogateescape').split('\0') if part]


def work_tree(cwd: str | None = None) -> WorkTree | None:
    """The work tree around `cwd`, or None outside one (a bare repo or no repo at all)."""
    result = run(('rev-parse', '--show-toplevel', '--show-prefix'), cwd=cwd)
    if result.returncode != 0:
        return None
    lines = result.stdout.decode('utf-8', 'surrogateescape').split('\n')
    if not lines[0]:
        return None
    return WorkTree(root=lines[0], prefix=lines[1] if len(lines) > 1 else '')


def _ls_files(args: Sequence[str], cwd: str | None) -> list[IndexEntry]:
    # literal: a file named `[x].py` is that file, not a glob
    result = run(
        ('--literal-pathspecs', 'ls-files', '--stage', '--full-name', '-z', *args), cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {_stderr(result)}')
    entries: dict[str, IndexEntry] = {}
    for record in zsplit(result.stdout):
        meta, path = record.split('\t', 1)
        mode, sha, stage = meta.split(' ')
        # during a merge conflict a path has stages 1-3 and no 0: judge "ours" (2)
        if mode == _GITLINK_MODE or (path in entries and stage != '2'):
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


def staged_paths(*, cwd: str | None = None) -> list[str]:
    """Files added, copied, modified or renamed in the index against HEAD (cwd-relative)."""
    result = run(
        ('diff', '--cached', '--name-only', '--no-ext-diff', '--diff-filter=ACMRTUXB',
         '--relative', '-z'),
        cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git diff --cached failed: {_stderr(result)}')
    return zsplit(result.stdout)


def read_blobs(
        shas: Iterable[str],
        *,
        cwd: str | None = None,
        max_size: int | None = None,
) -> Iterator[Blob]:
    """Blob contents through one `git cat-file --batch`, in the order asked.

    A missing object is yielded with data None, never fatal; a blob over `max_size` is read
    past and yielded with data None so that memory stays bounded.
    """
    wanted = list(shas)
    if not wanted:
        return
    try:
        process = subprocess.Popen(
            ('git', 'cat-file', '--batch'), cwd=cwd, env=_git_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None
    assert process.stdin is not None and process.stdout is not None
    # git answers each line as it reads it; writing all requests first could fill both pipes,
    # so they go one at a time (the hook reads tens of blobs, not thousands).
    with process:
        for sha in wanted:
            process.stdin.write(sha.encode() + b'\n')
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:  # `<sha> missing`
                yield Blob(sha, 0, None)
                continue
            size = int(header[2])
            if max_size is not None and size > max_size:
                remaining = size + 1
                while remaining:
                    remaining -= len(process.stdout.read(min(remaining, 1 << 20)))
                yield Blob(sha, size, None)
                continue
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
            yield Blob(sha, size, data)
        process.stdin.close()


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode('utf-8', 'replace').strip().splitlines()
    return lines[-1] if lines else f'exit {result.returncode}'


# --- .gitignore checks (`vastai-guard gitignore`) ---


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
    result = subprocess.run(
        ('git', 'check-ignore', '--no-index', '--verbose', '--non-matching', '-z', '--stdin'),
        cwd=root, input=b''.join(p.encode('utf-8', 'surrogateescape') + b'\0' for p in paths),
        capture_output=True, env=_git_env(), check=False,
    )
    # 0: some path ignored, 1: none; anything else is git failing
    if result.returncode not in (0, 1):
        raise FatalError(f'git check-ignore failed: {_stderr(result)}')
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
        raise FatalError(f'git ls-files failed: {_stderr(result)}')
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
        raise FatalError(f'git diff --cached failed: {_stderr(result)}')
    return zsplit(result.stdout)
