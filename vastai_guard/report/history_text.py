"""Human-readable report of `vastai-guard history`: one block per key, most urgent first."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import shown_path
from vastai_guard.report.color import BOLD
from vastai_guard.report.color import DIM
from vastai_guard.report.color import GREEN
from vastai_guard.report.color import PLAIN
from vastai_guard.report.color import RED
from vastai_guard.report.color import Painter
from vastai_guard.report.text import verification_label
from vastai_guard.report.text import verification_rank
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import RESET_ON_KEYS_PAGE
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import short

# Enough occurrences to find the key again; the JSON report lists them all.
_SHOWN_OCCURRENCES = 5



def _rotation_steps(key: ExposedKey) -> list[str]:
    return [
        '  Rotate it: anyone who can read this history can use it, even though it may be gone',
        '  from the files now.',
        f'    1. {RESET_ON_KEYS_PAGE} (or Delete), or',
        '       `vastai reset api-key` / `vastai delete api-key ID`.',
        '    2. Put the new key in every secret store, .env file and CI variable that held it.',
        f'    3. Record it: vastai-guard rotated {short(key.fingerprint)} '
        '--note "reset on the Keys page"',
    ]


def _rotate_again_steps() -> list[str]:
    return [
        '  The ledger says it was rotated, but Vast.ai still accepts it: the rotation did not',
        '  take (another key was reset, or this one was re-issued).',
        f'    1. Reset it again on the Vast.ai Keys page ({KEYS_PAGE}) -> Reset (or Delete):',
        '       find the key ending as shown above, or `vastai reset api-key` while logged in',
        '       with it.',
        '    2. Check: `vastai-guard history --verify` shows it [invalid] once it is dead.',
        '       The ledger entry stays as it is: there is nothing to record again.',
    ]


_STATUS_COLORS = {
    NEEDS_ROTATION: (RED, BOLD), ROTATED_STILL_ACTIVE: (RED, BOLD), ROTATED: (GREEN,),
}


def _headline(key: ExposedKey, paint: Painter) -> str:
    where = 'still in HEAD' if key.in_head else 'not in HEAD, still in history'
    state = f' {verification_label(key.verification)}' if key.verification else ''
    status = paint(key.status, *_STATUS_COLORS.get(key.status, (DIM,)))
    context = f' ({key.context})' if key.context else ''
    return f'{status}: {key.rule.id} {key.redacted}{state}{context} ({where})'


def _block(key: ExposedKey, paint: Painter) -> list[str]:
    first = key.first_seen
    author = f' by {shown_path(first.author)}' if first.author else ''
    lines = [
        _headline(key, paint),
        f'  fingerprint: {key.fingerprint}',
        f'  first seen:  {first.commit[:SHORT_COMMIT]} {first.date}{author}',
        f'               {shown_path(first.path)}:{first.line}',
        f'  introduced:  {count(len(key.occurrences), "time")} in '
        f'{count(len({o.commit for o in key.occurrences}), "commit")}',
    ]
    for occurrence in key.occurrences[:_SHOWN_OCCURRENCES]:
        lines.append(f'    {occurrence.commit[:SHORT_COMMIT]} '
                     f'{shown_path(occurrence.path)}:{occurrence.line}')
    hidden = len(key.occurrences) - _SHOWN_OCCURRENCES
    if hidden > 0:
        lines.append(f'    ... and {hidden} more (--format json lists them all)')
    if key.status == NEEDS_ROTATION:
        lines.extend(_rotation_steps(key))
    elif key.status == ROTATED_STILL_ACTIVE:
        lines.extend(_rotate_again_steps())
    return lines


def render(
        keys: Sequence[ExposedKey],
        commits_scanned: int,
        *,
        incomplete: str | None = None,
        paint: Painter = PLAIN,
        quiet: bool = False,
) -> str:
    """One block per key, then totals; `quiet` (-q): one line per key with its fingerprint."""
    lines: list[str] = []
    # verified keys that still work come first; the order within each state is kept
    ordered = sorted(keys, key=lambda key: verification_rank(key.verification))
    if quiet:
        return ''.join(
            f'{_headline(key, paint)} {short(key.fingerprint)}\n' for key in ordered
        )
    for key in ordered:
        lines.extend(_block(key, paint))
        lines.append('')
    pending = sum(1 for key in keys if key.status in PENDING_STATUSES)
    in_head = sum(1 for key in keys if key.in_head)
    rotated = sum(1 for key in keys if key.status == ROTATED)
    inactive = len(keys) - pending - rotated
    lines.append(
        f'{count(len(keys), "Vast.ai key")} in {count(commits_scanned, "commit")}: '
        f'{pending} need{"s" if pending == 1 else ""} rotation, '
        f'{rotated} rotated, {f"{inactive} no longer valid, " if inactive else ""}'
        f'{in_head} still in HEAD.',
    )
    if incomplete is not None:
        lines.append(incomplete)
    return '\n'.join(lines) + '\n'
