"""`--blast-radius` in every format: one sentence, one JSON object, and the lead line that
puts the keys able to spend money first."""
from __future__ import annotations

from collections.abc import Iterable

from vastai_guard.findings import BlastRadius
from vastai_guard.findings import Verification
from vastai_guard.report.color import BOLD
from vastai_guard.report.color import RED
from vastai_guard.report.color import Painter
from vastai_guard.vocabulary import count

CRITICAL = 'critical'  # as respond/blast_radius.py: reports never import an engine
_URGENCY_RANK = {CRITICAL: 0, 'high': 1, 'low': 2}
NO_RANK = len(_URGENCY_RANK)


def rank(verification: Verification | None) -> int:
    """Sort key within a verification state: critical, high, low, no blast radius."""
    if verification is None or verification.blast_radius is None:
        return NO_RANK
    return _URGENCY_RANK.get(verification.blast_radius.urgency, 0)


def line(radius: BlastRadius) -> str:
    """`blast radius: critical: full access: this key can rent GPUs on account 12345, ...`"""
    notes = f' [{"; ".join(radius.notes)}]' if radius.notes else ''
    return f'blast radius: {radius.urgency}: {radius.why}{notes}'


def painted(radius: BlastRadius, paint: Painter) -> str:
    """`line`, in red on a terminal when the key can spend money."""
    shown = line(radius)
    return paint(shown, RED, BOLD) if radius.urgency == CRITICAL else shown


def lead(verifications: Iterable[Verification | None]) -> str | None:
    """The first line of a report when live keys can spend money; None when none can."""
    critical = sum(
        1 for v in verifications
        if v is not None and v.blast_radius is not None and v.blast_radius.urgency == CRITICAL
    )
    if not critical:
        return None
    return (
        f'CRITICAL: {count(critical, "live key")} can rent GPUs or spend credit: revoke '
        f'{"it" if critical == 1 else "them"} first (vastai-guard revoke FINGERPRINT).'
    )


def as_json(radius: BlastRadius) -> dict[str, object]:
    return {
        'account_id': radius.account_id,
        'email': radius.email,
        'key_id': radius.key_id,
        'access': radius.access,
        'rights': list(radius.rights),
        'balance': radius.balance,
        'credit': radius.credit,
        'running_instances': radius.running_instances,
        'hourly_cost': radius.hourly_cost,
        'urgency': radius.urgency,
        'why': radius.why,
        'notes': list(radius.notes),
    }
