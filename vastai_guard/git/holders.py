"""Which refs hold a commit (or a tag, blob or tree a ref names): `history` names them, so a
key on `feature/x` and a key only in `stash@{0}` do not read the same."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import run_in

STASH_REF = 'refs/stash'
HEAD = 'HEAD'
# One `for-each-ref` per object asked about: only the objects that introduced a key are, and
# past this many the rest are left unnamed (None) rather than cost a git run each.
MAX_OBJECTS = 256


def stash_name(index: int) -> str:
    return f'stash@{{{index}}}'


def _lines(repo: Repository, args: Sequence[str]) -> list[str] | None:
    result = run_in(repo, args)
    if result.returncode != 0:
        return None
    return result.stdout.decode('utf-8', 'surrogateescape').splitlines()


def _is_commit(repo: Repository, sha: str) -> bool:
    found = _lines(repo, ('cat-file', '-t', sha))
    return found == ['commit']


def _is_ancestor(repo: Repository, sha: str, of: str) -> bool:
    return run_in(repo, ('merge-base', '--is-ancestor', sha, of)).returncode == 0


def refs_holding(
        repo: Repository, shas: Sequence[str], stash: Sequence[str],
) -> dict[str, tuple[str, ...] | None]:
    """For each of `shas`: the refs that reach it (`refs/heads/main`; a stash entry as
    `stash@{N}`, `stash` being the stash's entries newest first; `HEAD` when only a detached
    HEAD does), () when nothing does (an unreachable object), None when not asked (more than
    MAX_OBJECTS) or git could not say.
    """
    held: dict[str, tuple[str, ...] | None] = {}
    for number, sha in enumerate(dict.fromkeys(shas)):
        if number >= MAX_OBJECTS:
            held[sha] = None
            continue
        commit = _is_commit(repo, sha)
        option = f'--contains={sha}' if commit else f'--points-at={sha}'
        listed = _lines(repo, ('for-each-ref', '--format=%(refname)', option))
        if listed is None:
            held[sha] = None
            continue
        names = [name for name in listed if name != STASH_REF]
        if commit:
            names += [
                stash_name(index) for index, entry in enumerate(stash)
                if _is_ancestor(repo, sha, entry)
            ]
            if not names and _is_ancestor(repo, sha, HEAD):
                names.append(HEAD)
        elif STASH_REF in listed:
            names.append(stash_name(0))
        held[sha] = tuple(names)
    return held
