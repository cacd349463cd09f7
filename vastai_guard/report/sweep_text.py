"""Human-readable report of `vastai-guard sweep`: each key once, then a line per repository."""
from __future__ import annotations

from vastai_guard.model import RepositorySweep
from vastai_guard.model import SweepReport
from vastai_guard.model import SweptKey
from vastai_guard.report.color import BOLD
from vastai_guard.report.color import GREEN
from vastai_guard.report.color import RED
from vastai_guard.report.color import YELLOW
from vastai_guard.report.color import Painter
from vastai_guard.report.text import verification_label
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import RESET_ON_KEYS_PAGE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import short

# Refs named per repository in text; JSON has them all (task.MAX_REFS).
_SHOWN_REFS = 3


def _key_block(key: SweptKey, paint: Painter) -> list[str]:
    color = (RED, BOLD) if key.status in PENDING_STATUSES else (GREEN,)
    verdict = f' {verification_label(key.verification)}' if key.verification else ''
    lines = [
        f'{paint(key.redacted, BOLD)} {short(key.fingerprint)} ({key.rule.id}) '
        f'{paint(key.status, *color)}{verdict}, in {count(len(key.repositories), "repository")}:',
    ]
    for place in key.repositories:
        first = place.first_seen
        head = ', still in HEAD' if place.in_head else ''
        refs = ''
        if place.refs:
            more = len(place.refs) - _SHOWN_REFS
            named = ', '.join(place.refs[:_SHOWN_REFS]) + (f', +{more}' if more > 0 else '')
            refs = f' [{named}]'
        lines.append(
            f'  {place.source}: {first.path}:{first.line} in {first.commit[:SHORT_COMMIT]} '
            f'({first.date}){head}{refs}',
        )
    return lines


def repository_line(result: RepositorySweep, paint: Painter = Painter()) -> str:
    if result.error is not None:
        return f'{result.source}: {paint("error", RED, BOLD)}: {result.error}'
    what = f'{count(len(result.keys), "key")}, {count(result.commits_scanned, "commit")}'
    if result.incomplete:
        what += f', {paint("incomplete", YELLOW)}'
        if result.warnings:
            what += f' ({result.warnings[0]})'
    if result.unchanged:
        what += ' (unchanged since --state)'
    return f'{result.source}: {what}'


def render(report: SweepReport, *, paint: Painter, quiet: bool) -> str:
    lines: list[str] = []
    for key in report.keys:
        lines.extend(_key_block(key, paint))
        if not quiet:
            lines.append('')
    if quiet:
        lines.extend(repository_line(r, paint) for r in report.repositories if r.error)
        return ''.join(f'{line}\n' for line in lines)
    lines.append('Repositories:')
    lines.extend(f'  {repository_line(r, paint)}' for r in report.repositories)
    pending = sum(1 for key in report.keys if key.status in PENDING_STATUSES)
    failed = sum(1 for r in report.repositories if r.error is not None)
    incomplete = sum(1 for r in report.repositories if r.error is None and r.incomplete)
    lines.append('')
    lines.append(
        f'{count(len(report.keys), "distinct key")} in '
        f'{count(len(report.repositories), "repository")} ({pending} needing rotation); '
        f'{failed} failed, {incomplete} incomplete.',
    )
    if pending:
        lines.append(
            f'Rotate each key once ({RESET_ON_KEYS_PAGE}), then record it in each repository '
            'with `vastai-guard rotated FINGERPRINT`.',
        )
    return ''.join(f'{line}\n' for line in lines)
