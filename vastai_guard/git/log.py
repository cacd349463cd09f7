"""History as git log streams it: each commit, then the blobs it sets (`log --raw`)."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import spawn_in
from vastai_guard.git.runner import widen_pipe
from vastai_guard.git.worktree import GITLINK_MODE

# Marks the start of a commit in the `log --raw -z` stream; never in a sha, date or path token
# that follows a header (paths only come right after a `:mode ...` token).
_COMMIT_MARK = '\x01'


class Commit(NamedTuple):
    sha: str
    date: str  # committer date, ISO 8601
    message: str  # '' unless asked for
    # `Name <email>` of the author, then of the committer, one a line ('' unless messages
    # were asked for): names are text that can hold a key too
    people: str = ''


class Change(NamedTuple):
    """A path whose blob this commit sets: added, modified, or resolved in a merge."""
    path: str
    sha: str
    # the same path's blob in each parent (all zeros where the parent had none)
    parents: tuple[str, ...]


def is_null(sha: str) -> bool:
    """git's "no object" id, in either hash (40 zeros for SHA-1, 64 for SHA-256)."""
    return not sha.strip('0')



class HistoryStreamError(RuntimeError):
    """`git log` stopped before the end of history (a missing tree or commit)."""


def history_changes(
        repo: Repository,
        revs: Sequence[str],
        *,
        messages: bool,
        paths: Sequence[str] = (),
) -> Iterator[Commit | Change]:
    """Each commit reachable from `revs`, newest first, followed by the blobs it sets
    (`paths`: only those paths, taken literally).

    `log --raw` compares trees only (no content diff): cheap next to `log -p`. Merges use the
    combined form (`-c`), which lists only paths whose result differs from every parent: a key
    written while resolving a merge is there, a key merged in from a branch is not (the branch
    commit that added it is). Renames are not followed: a renamed file is a new path.
    """
    body = '%x00%an <%ae>%n%cn <%ce>%x00%B' if messages else ''
    args = (
        '-c', 'log.showSignature=false', '-c', 'core.quotePath=false',
        'log', '--raw', '-c', '--root', '--no-abbrev', '--no-renames', '-z',
        '--no-ext-diff', '--no-textconv',
        f'--format={_COMMIT_MARK}%H%x00%cI{body}', *revs, '--',
        *(f':(literal){path}' for path in paths),
    )
    header_fields = 4 if messages else 2
    process = spawn_in(
        repo, args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    widen_pipe(process.stdout.fileno())
    try:
        tokens = _tokens(process.stdout)
        for token in tokens:
            token = token.lstrip('\n')
            if token.startswith(_COMMIT_MARK):
                fields = [token[1:]]
                for _ in range(header_fields - 1):
                    fields.append(next(tokens))
                if messages:
                    yield Commit(fields[0], fields[1], fields[3], fields[2])
                else:
                    yield Commit(fields[0], fields[1], '')
            elif token.startswith(':'):
                path = next(tokens)
                change = _change(token, path)
                if change is not None:
                    yield change
        error = process.stderr.read()
        if process.wait() != 0:
            lines = error.decode('utf-8', 'replace').strip().splitlines()
            raise HistoryStreamError(lines[-1] if lines else f'git log exit {process.returncode}')
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def _tokens(stream: Any) -> Iterator[str]:
    tail = b''
    while True:
        chunk = stream.read1(1 << 16)
        if not chunk:
            break
        parts = (tail + chunk).split(b'\0')
        tail = parts.pop()
        for part in parts:
            yield part.decode('utf-8', 'surrogateescape')
    if tail:
        yield tail.decode('utf-8', 'surrogateescape')


def _change(meta: str, path: str) -> Change | None:
    # `:old_mode new_mode old_sha new_sha status`, or with one more mode and sha per extra
    # parent after a merge (`::m1 m2 m new_mode sha1 sha2 new_sha MM`)
    fields = meta.lstrip(':').split(' ')
    parent_count = len(fields) // 2 - 1
    new_mode = fields[parent_count]
    shas = fields[parent_count + 1:-1]
    # a file (100644, 100755) or a symbolic link (120000), whose blob is its target: a key
    # can be committed as a link's target as well as in a file
    if new_mode == GITLINK_MODE or not new_mode.startswith(('10', '12')):
        return None  # submodule, or a deletion (mode 000000)
    return Change(path=path, sha=shas[-1], parents=tuple(shas[:-1]))
