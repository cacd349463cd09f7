"""`vastai-guard audit`: the account's keys and their problems, with what to do about each."""
from __future__ import annotations

import json
import re

from vastai_guard.model import AuditedKey
from vastai_guard.model import AuditReport
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import count

PERMISSION_FILE = '{"api": {"instance_read": {}}}'
RECIPE = (
    "    echo '" + PERMISSION_FILE + "' > ci-perms.json",
    '    vastai create api-key --name ci-monitor --permission_file ci-perms.json',
)
_ADVICE = {
    'full-access': (
        'a key used by CI or an app rarely needs every right. Give each environment its own '
        'key with only the categories it uses (add instance_write only for a job that rents '
        'machines), e.g. a read-only CI key:'
    ),
    'older-than': (
        f'rotate it: Vast.ai Keys page ({KEYS_PAGE}) -> Reset (or `vastai reset api-key`), '
        'then update every place that holds it.'
    ),
    'rotated-but-exists': (
        'the ledger says it was revoked or rotated, but the account still has it: delete it '
        '(`vastai delete api-key ID`, or Delete on the Keys page).'
    ),
}
_MARKDOWN_SPECIAL = re.compile(r'([\\`*_\[\]<>~|])')


def _kind(problem: str) -> str:
    return 'older-than' if problem.startswith('older-than-') else problem


def _access(key: AuditedKey) -> str:
    if key.access == 'scoped':
        return f'scoped: {", ".join(key.rights)}'
    return f'{key.access} access'


def _created(key: AuditedKey) -> str:
    if not key.created:
        return 'created: unknown'
    return f'created {key.created}, {count(key.age_days or 0, "day")} ago'


def _problems(report: AuditReport) -> dict[str, int]:
    found: dict[str, int] = {}
    for key in report.keys:
        for problem in key.problems:
            found[problem] = found.get(problem, 0) + 1
    return found


def _advice(problem: str, number: int, prefix: str) -> list[str]:
    lines = [f'{prefix}{problem} ({number}): {_ADVICE[_kind(problem)]}']
    if problem == 'full-access':
        lines += [prefix + line for line in RECIPE]
    return lines


def render_text(report: AuditReport) -> str:
    lines = [
        f'{count(len(report.keys), "API key")} on this Vast.ai account '
        f'(checked: full access, older than {report.max_age_days} days, rotated but still '
        'there):',
    ]
    for key in report.keys:
        own = key.key_id and key.key_id == report.own_key_id
        mine = ' (the key this audit used)' if own else ''
        verdict = ', '.join(key.problems) or 'ok'
        lines.append(
            f'  id {key.key_id or "?"} {key.name or "(no name)"}{mine}: {_access(key)}; '
            f'{_created(key)}: {verdict}',
        )
    problems = _problems(report)
    with_problems = sum(1 for key in report.keys if key.problems)
    lines.append('')
    if not problems:
        lines.append('No problems: every key is scoped and younger than the limit.')
        return '\n'.join(lines) + '\n'
    lines.append(f'{with_problems} of {count(len(report.keys), "key")} need attention:')
    for problem, number in problems.items():
        lines += _advice(problem, number, '  ')
    return '\n'.join(lines) + '\n'


def render_json(report: AuditReport) -> str:
    document = {
        'keys': [
            {
                'id': key.key_id, 'name': key.name, 'access': key.access,
                'rights': list(key.rights), 'created': key.created or None,
                'age_days': key.age_days, 'problems': list(key.problems),
                'own': bool(key.key_id) and key.key_id == report.own_key_id,
            }
            for key in report.keys
        ],
        'max_age_days': report.max_age_days,
        'problems': _problems(report),
    }
    return json.dumps(document, indent=2) + '\n'


def _text(value: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r'\\\1', ' '.join(value.split()))


def render_markdown(report: AuditReport) -> str:
    lines = [
        '# Vast.ai API key audit',
        '',
        f'{count(len(report.keys), "key")}; checked: full access, older than '
        f'{report.max_age_days} days, rotated but still there.',
        '',
        '| Id | Name | Access | Created | Age (days) | Problems |',
        '|---|---|---|---|---|---|',
    ]
    ordered = sorted(report.keys, key=lambda key: not key.problems)
    for key in ordered:
        cells = (
            _text(key.key_id), _text(key.name), _text(_access(key)), _text(key.created or '?'),
            '?' if key.age_days is None else str(key.age_days),
            ', '.join(f'**{problem}**' for problem in key.problems) or 'none',
        )
        lines.append('| ' + ' | '.join(cells) + ' |')
    problems = _problems(report)
    if problems:
        lines += ['', '## What to do', '']
        for problem in problems:
            advice = _ADVICE[_kind(problem)]
            lines.append(f'- [ ] **{problem}**: {_text(advice)}')
            if problem == 'full-access':
                lines += ['', '  ```sh', *(f'  {line.strip()}' for line in RECIPE), '  ```', '']
    return '\n'.join(lines).rstrip('\n') + '\n'
