"""`sweep --format markdown`: the rotation plan of an organisation, widest exposure first.

One row per key, sorted by how many repositories hold it (merge.merge's order), each key once
however many repositories hold it; then the repositories that failed or were not read whole.
"""
from __future__ import annotations

import re

from vastai_guard.model import SweepReport
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import RESET_ON_KEYS_PAGE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import short

_SPECIAL = re.compile(r'([\\`*_\[\]<>~|])')


def _text(value: str) -> str:
    """Text from a repository or the command line, inert in Markdown and in a table cell."""
    return _SPECIAL.sub(r'\\\1', ' '.join(value.split()))


def _code(value: str) -> str:
    """A code span: backslashes show as they are there, so only a backtick needs care."""
    return '`' + ' '.join(value.replace('`', "'").split()) + '`'


def render(report: SweepReport) -> str:
    pending = [key for key in report.keys if key.status in PENDING_STATUSES]
    lines = [
        '# Vast.ai key rotation plan (sweep)',
        '',
        f'{count(len(report.keys), "distinct key")} in '
        f'{count(len(report.repositories), "repository")}, {len(pending)} needing rotation. '
        f'Rotate each key once ({_text(RESET_ON_KEYS_PAGE)}), then record it with '
        '`vastai-guard rotated FINGERPRINT` in each repository that holds it.',
        '',
    ]
    if report.keys:
        lines += [
            '| # | Key | Fingerprint | Status | Repositories | In HEAD of |',
            '|---|-----|-------------|--------|--------------|------------|',
        ]
        for number, key in enumerate(report.keys, 1):
            in_head = [p.source for p in key.repositories if p.in_head]
            lines.append(
                f'| {number} | `{key.redacted}` | `{short(key.fingerprint)}` | {key.status} | '
                f'{len(key.repositories)} | {_text(", ".join(in_head)) or "none"} |',
            )
        lines.append('')
        for number, key in enumerate(pending, 1):
            lines.append(
                f'- [ ] {number}. Rotate `{key.redacted}` (`{short(key.fingerprint)}`), '
                f'held by {count(len(key.repositories), "repository")}:',
            )
            for place in key.repositories:
                first = place.first_seen
                head = ' (still in HEAD)' if place.in_head else ''
                lines.append(
                    f'  - {_text(place.source)}: {_code(first.path)}:{first.line} in '
                    f'`{first.commit[:SHORT_COMMIT]}`{head}',
                )
        if pending:
            lines.append('')
    trouble = [r for r in report.repositories if r.error is not None or r.incomplete]
    if trouble:
        lines.append('## Not read whole')
        lines.append('')
        for result in trouble:
            why = result.error or 'incomplete: ' + (result.warnings[0] if result.warnings else '')
            lines.append(f'- {_text(result.source)}: {_text(why)}')
        lines.append('')
    return '\n'.join(lines)
