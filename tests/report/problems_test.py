"""The gitignore report in text and JSON: the problems as found, advice added, nothing else."""
from __future__ import annotations

import json

from vastai_guard.findings import Problem
from vastai_guard.report.problems import render_json
from vastai_guard.report.problems import render_text

TRACKED = Problem('tracked', 'svc/.env', 'an env file is tracked')
MISSING = Problem('missing-pattern', '.env.local', '.env.local is not ignored')


def test_clean() -> None:
    assert render_text([]) == (
        'vastai-guard: env files and Vast.ai key files are kept out of git.\n'
    )
    fixed = render_text([], added=[])
    assert fixed.startswith('.gitignore already has every pattern')


def test_problems_with_their_advice() -> None:
    text = render_text([TRACKED, MISSING], untrack=['git rm --cached -- svc/.env'])
    lines = text.splitlines()
    assert lines[:2] == [
        'svc/.env: tracked: an env file is tracked',
        '.env.local: missing-pattern: .env.local is not ignored',
    ]
    assert '2 problems.' in lines
    assert '  git rm --cached -- svc/.env' in lines
    assert any('--fix` appends the missing patterns' in line for line in lines)
    assert any(line.startswith('A key that was ever committed is exposed') for line in lines)


def test_advice_only_where_it_applies() -> None:
    text = render_text([MISSING], added=['.env.*'])
    # after --fix the fix is not offered again; nothing tracked, so no rotation advice
    assert '--fix` appends' not in text
    assert 'rotate' not in text
    assert text.startswith('Added to .gitignore:\n  .env.*\n\n')
    assert '1 problem.' in text


def test_json() -> None:
    assert json.loads(render_json([TRACKED])) == {
        'problems': [{'kind': 'tracked', 'path': 'svc/.env', 'message': 'an env file is tracked'}],
    }
    # `added` only with --fix: its absence says --fix was not given
    assert json.loads(render_json([], added=['.env']))['added'] == ['.env']
    assert 'added' not in json.loads(render_json([]))
