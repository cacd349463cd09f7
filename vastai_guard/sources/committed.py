"""Which keys `scan` found are in a commit already: HEAD's file, or any earlier commit.

Asked only when a key was found (a clean hook run pays nothing), and only of the files that
hold one: the advice after a finding depends on it (rotate now, or keep it out of git).
"""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.detect.decode import text_to_scan
from vastai_guard.detect.detector import find_secrets
from vastai_guard.findings import fingerprint
from vastai_guard.git import log
from vastai_guard.git import objects
from vastai_guard.git.runner import Repository


def earlier_keys(
        repo: Repository, paths: Sequence[str], wanted: frozenset[str], *, max_size: int,
) -> frozenset[str]:
    """The fingerprints among `wanted` that any commit on any ref (the stash included) holds at
    one of `paths`.

    One path-limited `git log --all` (tree comparisons of those paths only, linear in the
    commits) and each distinct version of those files read once. `--full-history`: a version
    a merge then discarded is still in history. A history git cannot walk, or a blob it cannot
    read, only loses the advice: the scan itself read what it had to.
    """
    if not wanted or not paths:
        return frozenset()
    shas: dict[str, str] = {}
    try:
        for item in log.history_changes(
                repo, ('--full-history', '--all'), messages=False, paths=paths,
        ):
            if isinstance(item, log.Change):
                shas.setdefault(item.sha, item.path)
    except log.HistoryStreamError:
        pass
    found: set[str] = set()
    blobs = objects.read_blobs(repo, list(shas), max_size=max_size)
    for (sha, path), blob in zip(shas.items(), blobs, strict=True):
        del sha
        text = text_to_scan(path, blob.data) if blob.data is not None else None
        for match in find_secrets(text or '', path):
            found.add(fingerprint(match.secret))
    return frozenset(found & wanted)
