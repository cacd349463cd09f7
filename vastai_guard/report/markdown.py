"""`history --format markdown`: a rotation plan a person can hand to their team.

A table of every key found in history, then, for each key that still needs rotating, the steps
as a task list; optionally the keys whose last recorded rotation is older than the team's
rotation period. Keys appear only redacted and by fingerprint, like every other report.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import Rotation
from vastai_guard.findings import Verification
from vastai_guard.findings import shown_path
from vastai_guard.report import blast
from vastai_guard.report import history_text
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import UNKNOWN
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import reach_line
from vastai_guard.vocabulary import short

_STATUS_RANK = {ROTATED_STILL_ACTIVE: 0, NEEDS_ROTATION: 0, ROTATED: 1, INACTIVE: 2}
# the Vast.ai docs: "90-day rotation is a reasonable baseline"
SUGGESTED_ROTATION_DAYS = 90
_PATHS_IN_TABLE = 3

# characters that would start emphasis, links, code or HTML in plain text (`|`: see _cell)
_MARKDOWN_SPECIAL = re.compile(r'([\\`*_\[\]<>~])')


def _text(value: str) -> str:
    """Plain text from a repository (author names, notes, reasons), inert in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r'\\\1', ' '.join(shown_path(value).split()))


def _code(value: str) -> str:
    """A code span that holds any text: a fence longer than any backtick run inside."""
    value = ' '.join(value.split())
    longest = max((len(run) for run in re.findall('`+', value)), default=0)
    fence = '`' * (longest + 1)
    pad = ' ' if value.startswith('`') or value.endswith('`') else ''
    return f'{fence}{pad}{value}{pad}{fence}'


def _name(value: str) -> str:
    """A name from a repository (a path, a ref) as a code span, shown as every format shows
    names (findings.shown_path: escaped, key-shaped runs redacted)."""
    return _code(shown_path(value))


def _cell(markdown: str) -> str:
    """A table cell: GitHub splits cells at `|` even inside code spans, so escape it."""
    return markdown.replace('|', '\\|')



def _paths(key: ExposedKey) -> list[str]:
    """Distinct paths the key was committed in, first occurrence first."""
    return list(dict.fromkeys(occurrence.path for occurrence in key.occurrences))


def _where(key: ExposedKey) -> str:
    paths = _paths(key) or [key.first_seen.path]
    shown = ', '.join(_name(path) for path in paths[:_PATHS_IN_TABLE])
    if len(paths) > _PATHS_IN_TABLE:
        shown += f' (+{len(paths) - _PATHS_IN_TABLE} more)'
    return shown


def _first_seen(key: ExposedKey) -> str:
    first = key.first_seen
    return (
        f'{_text(first.date[:10])}, {_code(first.commit[:SHORT_COMMIT])}, '
        f'{_text(first.author)}'
    )


def _verification(verification: Verification | None) -> str:
    if verification is None:
        return 'not checked'
    if verification.state == ACTIVE:
        account = f' (account {_text(verification.account)})' if verification.account else ''
        radius = verification.blast_radius
        urgency = f', blast radius **{_text(radius.urgency)}**' if radius is not None else ''
        return f'**active**{account}{urgency}'
    if verification.state == UNKNOWN:
        return f'unknown: {_text(verification.reason)}'
    return _text(verification.state)


def _status(key: ExposedKey, rotated_on: dict[str, str]) -> str:
    if key.status == NEEDS_ROTATION:
        return '**needs rotation**'
    if key.status == ROTATED_STILL_ACTIVE:
        return '**rotated, still active**: reset it again'
    if key.status == ROTATED:
        date = rotated_on.get(key.fingerprint, '')
        return f'rotated {_text(date)}'.rstrip()
    return 'inactive (key rejected by Vast.ai)'  # INACTIVE, the last Status


def _summary(keys: Sequence[ExposedKey], commits_scanned: int, suppressed: int = 0) -> str:
    counts = {status: sum(key.status == status for key in keys) for status in _STATUS_RANK}
    parts = [f'**{counts[NEEDS_ROTATION]} need{"s" if counts[NEEDS_ROTATION] == 1 else ""} '
             'rotating**']
    if counts[ROTATED_STILL_ACTIVE]:
        parts.append(f'**{counts[ROTATED_STILL_ACTIVE]} rotated but still active**')
    if counts[ROTATED]:
        parts.append(f'{counts[ROTATED]} rotated')
    if counts[INACTIVE]:
        parts.append(f'{counts[INACTIVE]} no longer working')
    if suppressed:
        parts.append(f'{suppressed} suppressed (baseline or allow_fingerprints)')
    return (
        f'{count(len(keys), "Vast.ai key")} found in {count(commits_scanned, "commit")}: '
        f'{", ".join(parts)}.'
    )


def _table(keys: Sequence[ExposedKey], rotated_on: dict[str, str]) -> list[str]:
    lines = [
        '| Key | Fingerprint | First seen | Where | In HEAD | Verification | Status |',
        '|---|---|---|---|---|---|---|',
    ]
    for key in keys:
        cells = (
            _code(key.redacted),
            _code(short(key.fingerprint)),
            _first_seen(key),
            _where(key),
            'yes' if key.in_head else 'no',
            _verification(key.verification),
            _status(key, rotated_on),
        )
        lines.append('| ' + ' | '.join(_cell(cell) for cell in cells) + ' |')
    return lines


def _steps(number: int, key: ExposedKey) -> list[str]:
    verification = key.verification
    if verification is not None and verification.state == ACTIVE:
        state = f'Verified active at {_text(verification.checked_at)}: it still works.'
        if verification.blast_radius is not None:
            state += f' **{_text(blast.line(verification.blast_radius))}**'
    elif verification is not None and verification.state == UNKNOWN:
        state = f'Could not be verified ({_text(verification.reason)}): treat it as live.'
    else:
        state = 'Not verified (`--verify`): treat it as live.'
    stores = [f'    - {_name(path)}' for path in _paths(key) or [key.first_seen.path]]
    if key.in_head:
        remove = (
            '- [ ] **Remove it from the tree.** It is still in HEAD '
            '(`vastai-guard scan --all-files` shows where): read it from `VAST_API_KEY` or '
            'an ignored `.env` file instead.'
        )
    else:
        remove = (
            '- [ ] **Nothing left in the tree.** It is no longer in HEAD; history still holds '
            'it, which is why it must be reset (rewriting history does not un-leak a key).'
        )
    held = ''
    if key.refs:
        held = f' Held by {", ".join(_code(ref) for ref in key.refs)}.'
    reach = reach_line(key.refs)
    return [
        f'### {number}. Key {_code(key.redacted)}',
        '',
        f'Fingerprint {_code(key.fingerprint)}. {state}{held}',
        '',
        *([f'> {_text(reach)}', ''] if reach is not None else []),
        f'- [ ] **Reset or delete the key.** On the Vast.ai Keys page ({KEYS_PAGE}) find the '
        f'key ending in {_code(key.redacted[-4:])} and press Reset (or Delete). With the CLI: '
        '`vastai reset api-key` resets the key the CLI is logged in with; '
        '`vastai delete api-key ID` deletes any other (IDs from `vastai show api-keys`). '
        'The old key stops working at once: there is no overlap window.',
        '- [ ] **Update every store that held it**: the new key goes into every environment '
        'variable, CI variable, secret manager, instance and script that used the old one. '
        'It was committed in:',
        *stores,
        remove,
        (
            '- [ ] **Check it is dead:** the ledger already says rotated, so the reset did not '
            'take; `vastai-guard history --verify` shows it `invalid` once it is.'
            if key.status == ROTATED_STILL_ACTIVE
            else f'- [ ] **Record the rotation:** `vastai-guard rotated {key.fingerprint}`'
        ),
        '',
    ]


def _rotation_date(rotation: Rotation) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(rotation.date[:10])
    except ValueError:
        return None


def _scheduled(
        keys: Sequence[ExposedKey],
        rotated: Sequence[Rotation],
        since_rotation_days: int,
        today: datetime.date,
) -> list[str]:
    redacted = {key.fingerprint: key.redacted for key in keys}
    due = []
    undated = []
    for rotation in rotated:
        date = _rotation_date(rotation)
        if date is None:
            undated.append(rotation)
        elif (today - date).days > since_rotation_days:
            due.append((date, rotation))
    lines = [
        f'## Scheduled rotation (every {count(since_rotation_days, "day")})',
        '',
    ]
    if not due and not undated:
        lines.append(
            f'No key in the rotation ledger was rotated more than '
            f'{count(since_rotation_days, "day")} ago.',
        )
        return lines + ['']
    if due:
        lines += [
            f'These keys were rotated more than {count(since_rotation_days, "day")} ago, so '
            'the keys that replaced them are due for their next rotation (the Vast.ai docs '
            f'suggest every {SUGGESTED_ROTATION_DAYS} days). Skip a line if its replacement has '
            'been rotated since.',
            '',
            '| Old key | Fingerprint | Rotated on | Days ago | Note |',
            '|---|---|---|---|---|',
        ]
        for date, rotation in sorted(due, key=lambda item: item[0]):
            cells = (
                _code(redacted[rotation.fingerprint]) if rotation.fingerprint in redacted
                else 'not in history',
                _code(short(rotation.fingerprint)),
                date.isoformat(),
                str((today - date).days),
                _text(rotation.note),
            )
            lines.append('| ' + ' | '.join(_cell(cell) for cell in cells) + ' |')
        lines.append('')
    if undated:
        lines += ['Recorded as rotated without a date (cannot tell when they are due):', '']
        lines += [f'- {_code(rotation.fingerprint)}' for rotation in undated]
        lines.append('')
    return lines


def render_rotation_plan(
        keys: Sequence[ExposedKey],
        *,
        commits_scanned: int,
        since_rotation_days: int | None,
        rotated: Sequence[Rotation],
        today: datetime.date,
        suppressed: int = 0,
) -> str:
    """The rotation plan: a table of every key, then the steps for each still to rotate."""
    ordered = history_text.ordered(keys)  # the text report's order
    rotated_on = {rotation.fingerprint: rotation.date for rotation in rotated}
    lines = [
        '# Vast.ai key rotation plan',
        '',
        f'Made by vastai-guard on {today.isoformat()}. Keys are shown redacted (first and last '
        'four characters, as on the Vast.ai Keys page) and by fingerprint (SHA-256 of the '
        'key): this report holds no usable key.',
        '',
    ]
    if not keys:
        known = f' ({suppressed} suppressed: baseline or allow_fingerprints)' if suppressed else ''
        lines += [f'No Vast.ai key found in {count(commits_scanned, "commit")}{known}.', '']
    else:
        lines += [_summary(ordered, commits_scanned, suppressed), '']
        lead = blast.lead(key.verification for key in keys)
        if lead is not None:
            lines += [f'> **{_text(lead)}**', '']
            lines += [
                f'> - {_code(key.redacted)} ({_code(short(key.fingerprint))}): '
                f'{_text(key.verification.blast_radius.why)}'
                for key in ordered
                if key.verification is not None and key.verification.blast_radius is not None
                and key.verification.blast_radius.urgency == blast.CRITICAL
            ]
            lines.append('')
        lines += ['## Keys', '']
        lines += _table(ordered, rotated_on)
        lines.append('')
        to_rotate = [key for key in ordered if key.status in PENDING_STATUSES]
        if to_rotate:
            lines += ['## Rotation steps', '']
            for number, key in enumerate(to_rotate, start=1):
                lines += _steps(number, key)
        leftovers = [
            key for key in ordered if key.status not in PENDING_STATUSES and key.in_head
        ]
        if leftovers:
            lines += [
                '## Dead keys still in the tree',
                '',
                'These no longer need rotating but are still in HEAD: remove them so scanners '
                'stay quiet.',
                '',
                *(f'- {_code(key.redacted)} ({_code(short(key.fingerprint))})'
                  for key in leftovers),
                '',
            ]
    if since_rotation_days is not None:
        lines += _scheduled(keys, rotated, since_rotation_days, today)
    return '\n'.join(lines).rstrip('\n') + '\n'
