"""Each key once across every repository of a sweep, with every repository it is in."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.model import KeyInRepository
from vastai_guard.model import RepositorySweep
from vastai_guard.model import SweepReport
from vastai_guard.model import SweptKey
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import ROTATED


def merge(results: Sequence[RepositorySweep]) -> SweepReport:
    """The sweep's report: repositories in the order given, keys held by the most repositories
    first (the widest exposure is the first to rotate), then any still in a HEAD."""
    found: dict[str, list[tuple[RepositorySweep, ExposedKey]]] = {}
    for result in results:
        for key in result.keys:
            found.setdefault(key.fingerprint, []).append((result, key))
    keys = []
    for fingerprint, held in found.items():
        held.sort(key=lambda pair: (pair[1].first_seen.date, pair[0].source))
        first = held[0][1]
        places = tuple(
            KeyInRepository(
                source=result.source,
                first_seen=key.first_seen,
                in_head=key.in_head,
                refs=dict(result.refs).get(fingerprint, ()),
                status=key.status,
            )
            for result, key in held
        )
        keys.append(
            SweptKey(
                fingerprint=fingerprint,
                rule=first.rule,
                redacted=first.redacted,
                status=ROTATED if any(p.status == ROTATED for p in places) else NEEDS_ROTATION,
                repositories=places,
                context=first.context,
            ),
        )
    keys.sort(key=lambda k: (
        -len(k.repositories), not any(p.in_head for p in k.repositories), k.fingerprint,
    ))
    return SweepReport(tuple(results), tuple(keys))


def pending(report: SweepReport) -> bool:
    """A key that still needs rotating, in any repository: the sweep's exit 1."""
    return any(key.status in PENDING_STATUSES for key in report.keys)


def failed(report: SweepReport) -> bool:
    """A repository that failed or was not read whole: "no key" then proves nothing."""
    return any(r.error is not None or r.incomplete for r in report.repositories)
