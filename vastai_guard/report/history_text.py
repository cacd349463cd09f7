"""Human-readable report of `vastai-guard history`: one block per key, most urgent first."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.history import NEEDS_ROTATION
from vastai_guard.history import ROTATED
from vastai_guard.report.text import KEYS_PAGE
from vastai_guard.report.text import verification_label
from vastai_guard.report.text import verification_rank
from vastai_guard.report.output import count

# Enough occurrences to find the key again; the JSON report lists them all.
_SHOWN_OCCURRENCES = 5
# As many fingerprint characters as `vastai-guard rotated` needs to be sure which key is meant.
SHORT_FINGERPRINT = 12



def _rotation_steps(key: ExposedKey) -> list[str]:
    return [
        '  Rotate it: anyone who can read this history can use it, even though it may be gone',
        '  from the files now.',
        f'    1. Vast.ai Keys page ({KEYS_PAGE}) -> Reset (or Delete), or',
        '       `vastai reset api-key` / `vastai delete api-key ID`.',
        '    2. Put the new key in every secret store, .env file and CI variable that held it.',
        f'    3. Record it: vastai-guard rotated {key.fingerprint[:SHORT_FINGERPRINT]} '
        '--note "reset on the Keys page"',
    ]


def _block(key: ExposedKey) -> list[str]:
    where = 'still in HEAD' if key.in_head else 'not in HEAD, still in history'
    first = key.first_seen
    author = f' by {first.author}' if first.author else ''
    state = f' {verification_label(key.verification)}' if key.verification else ''
    lines = [
        f'{key.status}: {key.rule.id} {key.redacted}{state} ({where})',
        f'  fingerprint: {key.fingerprint}',
        f'  first seen:  {first.commit[:12]} {first.date}{author}',
        f'               {first.path}:{first.line}',
        f'  introduced:  {count(len(key.occurrences), "time")} in '
        f'{count(len({o.commit for o in key.occurrences}), "commit")}',
    ]
    for occurrence in key.occurrences[:_SHOWN_OCCURRENCES]:
        lines.append(f'    {occurrence.commit[:12]} {occurrence.path}:{occurrence.line}')
    hidden = len(key.occurrences) - _SHOWN_OCCURRENCES
    if hidden > 0:
        lines.append(f'    ... and {hidden} more (--format json lists them all)')
    if key.status == NEEDS_ROTATION:
        lines.extend(_rotation_steps(key))
    return lines


def render(
        keys: Sequence[ExposedKey],
        commits_scanned: int,
        *,
        incomplete: str | None = None,
) -> str:
    lines: list[str] = []
    # verified keys that still work come first; the order within each state is kept
    for key in sorted(keys, key=lambda key: verification_rank(key.verification)):
        lines.extend(_block(key))
        lines.append('')
    pending = sum(1 for key in keys if key.status == NEEDS_ROTATION)
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
