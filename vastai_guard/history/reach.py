"""Which refs hold each key `history` found: a key on `feature/x` reads differently from a key
only in `stash@{0}`, and a key in unreachable objects only is never sent by a push."""
from __future__ import annotations

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import shown_path
from vastai_guard.git import holders
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.model import HistoryReport


def _order(ref: str) -> tuple[int, int, str]:
    """Branches and tags (by name), then HEAD, then stash entries newest first."""
    if ref.startswith('stash@{'):
        return (2, int(ref[len('stash@{'):-1]), '')
    return (1 if ref == holders.HEAD else 0, 0, ref)


def _refs(key: ExposedKey, held: dict[str, tuple[str, ...] | None]) -> tuple[str, ...] | None:
    found = [held.get(occurrence.commit) for occurrence in key.occurrences]
    if not found or any(refs is None for refs in found):
        return None
    # a ref name is data from the repository (a branch can be named after a key): shown as
    # every name is, escaped and redacted, before any renderer sees it
    named = {shown_path(ref) for refs in found if refs is not None for ref in refs}
    return tuple(sorted(named, key=_order))


def name_refs(repo: runner.Repository, report: HistoryReport) -> HistoryReport:
    """`report` with each key's refs: those that reach a commit (or name a tag, blob or tree)
    where it was introduced. Asked only when keys were found: a clean run pays nothing."""
    if not report.keys:
        return report
    held = holders.refs_holding(
        repo,
        [occurrence.commit for key in report.keys for occurrence in key.occurrences],
        repository.stash_commits(repo),
    )
    return report._replace(keys=tuple(key._replace(refs=_refs(key, held)) for key in report.keys))
