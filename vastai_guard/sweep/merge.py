"""Each key once across every repository of a sweep, with every repository it is in."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.model import KeyInRepository
from vastai_guard.model import RepositorySweep
from vastai_guard.model import SweepReport
from vastai_guard.model import SweptKey
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import Status


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
                status=_status({place.status for place in places}),
                repositories=places,
                context=first.context,
                verification=next(
                    (key.verification for _, key in held if key.verification is not None), None,
                ),
            ),
        )
    keys.sort(key=lambda k: (
        -len(k.repositories), not any(p.in_head for p in k.repositories), k.fingerprint,
    ))
    return SweepReport(tuple(results), tuple(keys))


def _status(statuses: set[Status]) -> Status:
    """One key's status from each repository's: a rotation recorded anywhere counts (the key
    is reset once, at Vast.ai); a verdict (--verify) is the same in every repository."""
    for status in (ROTATED_STILL_ACTIVE, ROTATED, INACTIVE):
        if status in statuses:
            return status
    return NEEDS_ROTATION


def pending(report: SweepReport, *, fail_on: str = 'any') -> bool:
    """A key that still needs rotating, in any repository: the sweep's exit 1 (`--fail-on
    active`: only a key the Vast.ai API accepts)."""
    return any(
        key.status in PENDING_STATUSES
        and (fail_on == 'any' or (key.verification and key.verification.state == ACTIVE))
        for key in report.keys
    )


def failed(report: SweepReport) -> bool:
    """A repository that failed or was not read whole: "no key" then proves nothing."""
    return any(r.error is not None or r.incomplete for r in report.repositories)
