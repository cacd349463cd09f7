"""Reports of repository-setup problems (`vastai-guard gitignore`): text and JSON.

Renderers take the problem list as the check made it; they add advice, never facts.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

from vastai_guard.findings import Problem
from vastai_guard.findings import shown_path
from vastai_guard.vocabulary import MISSING_PATTERN
from vastai_guard.vocabulary import TRACKED
from vastai_guard.vocabulary import count


def problem_json(problem: Problem) -> dict[str, str]:
    """One repository-setup problem as JSON."""
    return {
        'kind': problem.kind, 'path': shown_path(problem.path),
        'message': shown_path(problem.message),
    }


def render_json(problems: Sequence[Problem], *, added: Sequence[str] | None = None) -> str:
    """`{"problems": [...]}`; with `--fix`, also `"added"`: the lines appended to .gitignore."""
    document: dict[str, object] = {'problems': [problem_json(p) for p in problems]}
    if added is not None:
        document['added'] = list(added)
    return json.dumps(document, indent=2) + '\n'


def render_text(
        problems: Sequence[Problem],
        *,
        added: Sequence[str] | None = None,
        gitignore: str = '.gitignore',
        untrack: Sequence[str] = (),
) -> str:
    """The gitignore report for a person: each problem, what was fixed, and what to run."""
    lines: list[str] = []
    if added:
        lines.append(f'Added to {gitignore}:')
        lines += [f'  {line}' for line in added]
        lines.append('')
    elif added is not None:
        lines.append(f'{gitignore} already has every pattern vastai-guard needs.')
    lines += [f'{shown_path(p.path)}: {p.kind}: {shown_path(p.message)}' for p in problems]
    if not problems:
        lines.append('vastai-guard: env files and Vast.ai key files are kept out of git.')
        return '\n'.join(lines) + '\n'
    lines.append('')
    lines.append(f'{count(len(problems), "problem")}.')
    if any(p.kind == MISSING_PATTERN for p in problems) and added is None:
        lines.append('`vastai-guard gitignore --fix` appends the missing patterns to .gitignore.')
    if untrack:
        files = len(untrack)  # one command per tracked file
        lines.append(
            f'Take {"it" if files == 1 else "them"} out of the index (the '
            f'{"file stays" if files == 1 else "files stay"} on disk), then commit:',
        )
        lines += [f'  {command}' for command in untrack]
    if any(p.kind == TRACKED for p in problems):
        lines.append(
            'A key that was ever committed is exposed: rotate it (Vast.ai Keys page -> Reset, '
            'or `vastai reset api-key`); `vastai-guard history` lists them.',
        )
    return '\n'.join(lines) + '\n'
