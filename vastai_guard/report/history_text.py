"""Human-readable report of `vastai-guard history`: one block per key, most urgent first."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import shown_path
from vastai_guard.report import blast
from vastai_guard.report.color import BOLD
from vastai_guard.report.color import DIM
from vastai_guard.report.color import GREEN
from vastai_guard.report.color import PLAIN
from vastai_guard.report.color import RED
from vastai_guard.report.color import Painter
from vastai_guard.report.text import verification_label
from vastai_guard.report.text import verification_rank
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import RESET_ON_KEYS_PAGE
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import reach_line
from vastai_guard.vocabulary import short

# Enough occurrences to find the key again; the JSON report lists them all.
_SHOWN_OCCURRENCES = 5
# to rotate, rotated, no longer valid
_STATUS_RANK = {NEEDS_ROTATION: 0, ROTATED_STILL_ACTIVE: 0, ROTATED: 1, INACTIVE: 2}
# Enough refs to tell a branch from a stash; the JSON report lists them all.
_SHOWN_REFS = 5


def ordered(keys: Sequence[ExposedKey]) -> list[ExposedKey]:
    """The order every history report lists keys in (text and Markdown alike): those still to
    rotate first, then by verdict (verified active first); within that, the engine's order
    (still in HEAD first, then the most recently committed)."""
    return sorted(
        keys, key=lambda key: (_STATUS_RANK[key.status], verification_rank(key.verification)),
    )


def _rotation_steps(key: ExposedKey) -> list[str]:
    if key.in_head:
        # the newest occurrence: where the key was last put, most likely where it still is
        path = key.occurrences[-1].path if key.occurrences else key.first_seen.path
        remove = [
            f'    2. Remove it from the file ({path}): it is still in HEAD. Read it from',
            '       VAST_API_KEY or an ignored .env file instead (`vastai-guard scan --all-files`',
            '       shows every file that holds it).',
        ]
    else:
        remove = []
    number = 2 + (1 if remove else 0)
    return [
        '  Rotate it: anyone who can read this history can use it'
        + ('.' if key.in_head else ', even though it may be gone'),
        *([] if key.in_head else ['  from the files now.']),
        f'    1. {RESET_ON_KEYS_PAGE} (or Delete), or',
        '       `vastai reset api-key` / `vastai delete api-key ID`.',
        *remove,
        f'    {number}. Put the new key in every secret store, .env file and CI variable that '
        'held it.',
        f'    {number + 1}. Record it: vastai-guard rotated {short(key.fingerprint)} '
        '--note "reset on the Keys page"',
    ]


def _refs_lines(key: ExposedKey) -> list[str]:
    import textwrap

    if key.refs is None:
        return []
    lines = []
    if key.refs:
        shown = ', '.join(key.refs[:_SHOWN_REFS])
        if len(key.refs) > _SHOWN_REFS:
            shown += f' (+{len(key.refs) - _SHOWN_REFS} more)'
        lines.append(f'  refs:        {shown}')
    reach = reach_line(key.refs)
    if reach is not None:
        lines += textwrap.wrap(reach, width=92, initial_indent='  ', subsequent_indent='  ')
    return lines


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


def _headline(key: ExposedKey, paint: Painter, *, unpushed: bool = False) -> str:
    where = 'still in HEAD' if key.in_head else 'not in HEAD, still in history'
    state = f' {verification_label(key.verification)}' if key.verification else ''
    # a push that was stopped: the key is in local commits, not (by this push) exposed
    shown = 'not pushed' if unpushed and key.status == NEEDS_ROTATION else key.status
    status = paint(shown, *_STATUS_COLORS.get(key.status, (DIM,)))
    context = f' ({key.context})' if key.context else ''
    return f'{status}: {key.rule.id} {key.redacted}{state}{context} ({where})'


def _block(key: ExposedKey, paint: Painter, *, unpushed: bool) -> list[str]:
    first = key.first_seen
    author = f' by {shown_path(first.author)}' if first.author else ''
    lines = [
        _headline(key, paint, unpushed=unpushed),
        f'  fingerprint: {key.fingerprint}',
        f'  first seen:  {first.commit[:SHORT_COMMIT]} {first.date}{author}',
        f'               {shown_path(first.path)}:{first.line}',
    ]
    radius = key.verification.blast_radius if key.verification else None
    if radius is not None:
        lines.append(f'  {blast.painted(radius, paint)}')
    lines += [
        f'  introduced:  {count(len(key.occurrences), "time")} in '
        f'{count(len({o.commit for o in key.occurrences}), "commit")}',
    ]
    for occurrence in key.occurrences[:_SHOWN_OCCURRENCES]:
        lines.append(f'    {occurrence.commit[:SHORT_COMMIT]} '
                     f'{shown_path(occurrence.path)}:{occurrence.line}')
    hidden = len(key.occurrences) - _SHOWN_OCCURRENCES
    if hidden > 0:
        lines.append(f'    ... and {hidden} more (--format json lists them all)')
    lines += _refs_lines(key)
    if unpushed:
        pass  # the commits never left the machine: the push's advice follows the report
    elif key.status == NEEDS_ROTATION:
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
        suppressed: int = 0,
        unpushed: bool = False,
) -> str:
    """One block per key, then totals; `quiet` (-q): one line per key with its fingerprint.

    `suppressed`: keys found and not reported (baseline, allow_fingerprints), counted in the
    totals; `unpushed` (`--pre-push`): no rotation steps, the push's own advice follows.
    """
    lines: list[str] = []
    if quiet:
        return ''.join(
            f'{_headline(key, paint, unpushed=unpushed)} {short(key.fingerprint)}\n'
            for key in ordered(keys)
        )
    lead = blast.lead(key.verification for key in keys)
    if lead is not None:
        lines += [paint(lead, RED, BOLD), '']
    for key in ordered(keys):
        lines.extend(_block(key, paint, unpushed=unpushed))
        lines.append('')
    pending = sum(1 for key in keys if key.status in PENDING_STATUSES)
    in_head = sum(1 for key in keys if key.in_head)
    rotated = sum(1 for key in keys if key.status == ROTATED)
    inactive = len(keys) - pending - rotated
    known = (
        f'; {suppressed} suppressed (baseline or allow_fingerprints; -v lists them).'
        if suppressed else '.'
    )
    if unpushed:
        lines.append(
            f'{count(len(keys), "Vast.ai key")} in the {count(commits_scanned, "commit")} '
            f'being pushed{known}',
        )
    else:
        lines.append(
            f'{count(len(keys), "Vast.ai key")} in {count(commits_scanned, "commit")}: '
            f'{pending} need{"s" if pending == 1 else ""} rotation, '
            f'{rotated} rotated, {f"{inactive} no longer valid, " if inactive else ""}'
            f'{in_head} still in HEAD{known}',
        )
    if incomplete is not None:
        lines.append(incomplete)
    return '\n'.join(lines) + '\n'
