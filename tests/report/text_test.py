"""The scan text report: ordering by verdict, the right advice, -q, and colour only if asked."""
from __future__ import annotations

import pytest

from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import Finding
from vastai_guard.findings import Match
from vastai_guard.findings import Verification
from vastai_guard.findings import to_finding
from vastai_guard.report.color import Painter
from vastai_guard.report.text import render
from vastai_guard.report.text import verification_label
from vastai_guard.report.text import verification_rank
from vastai_guard.report.text import verification_summary

NOW = '2026-01-01T00:00:00Z'


def _finding(path: str = '.env', line: int = 1, key: str | None = None) -> Finding:
    return to_finding(Match(ASSIGNMENT, line, key or new_key(), 'name VAST_API_KEY'), path)


def test_a_finding_line() -> None:
    key = new_key()
    text = render([_finding('a/.env', 3, key)])
    assert text.splitlines()[0] == (
        f'a/.env:3: vast-api-key: {redacted(key)} (name VAST_API_KEY)'
    )
    assert key not in text
    assert 'Found 1 Vast.ai key in 1 file.' in text


def test_counts_are_distinct_keys_and_files() -> None:
    key = new_key()
    findings = [_finding('a/.env', 1, key), _finding('b/.env', 1, key), _finding('b/.env', 2)]
    assert 'Found 2 Vast.ai keys in 2 files.' in render(findings)


_NOT_COMMITTED = 'not in any commit yet'
_COMMITTED = 'in a commit'


def test_advice_follows_what_is_committed() -> None:
    committed, staged = _finding(), _finding()
    only_staged = render([staged])
    assert _NOT_COMMITTED in only_staged and 'Rotate it now' not in only_staged
    both = render([committed, staged], frozenset({committed.fingerprint}))
    assert 'The key marked (already committed) is in a commit.' in both
    assert 'The other key is not in any commit yet' in both
    assert '(already committed)' in both.splitlines()[0]
    only_committed = render([committed], frozenset({committed.fingerprint}))
    assert _NOT_COMMITTED not in only_committed and _COMMITTED in only_committed


def test_quiet_is_the_lines_alone() -> None:
    findings = [_finding('a/.env'), _finding('b/.env')]
    quiet = render(findings, quiet=True)
    assert quiet.count('\n') == 2
    assert all(line.startswith(('a/.env:', 'b/.env:')) for line in quiet.splitlines())


def test_nothing_found() -> None:
    assert render([]) == ''
    assert render([], incomplete='Incomplete scan: ...') == 'Incomplete scan: ...\n'
    assert render([], incomplete='Incomplete scan: ...', quiet=True) == ''
    text = render([_finding()], incomplete='Incomplete scan: ...')
    assert text.endswith('Incomplete scan: ...\n')


def test_active_keys_first() -> None:
    def verdict(state: str) -> Verification:
        return Verification(state, 'r', NOW)  # type: ignore[arg-type]

    findings = [
        _finding('invalid.env')._replace(verification=verdict('invalid')),
        _finding('unverified.env'),
        _finding('unknown.env')._replace(verification=verdict('unknown')),
        _finding('active.env')._replace(verification=verdict('active')),
    ]
    order = [line.split(':')[0] for line in render(findings, quiet=True).splitlines()]
    assert order == ['active.env', 'unknown.env', 'unverified.env', 'invalid.env']
    assert verification_rank(None) == 2


def test_verification_labels_and_summary() -> None:
    assert verification_label(Verification('active', 'ok', NOW)) == '[active]'
    assert verification_label(Verification('active', 'ok', NOW, '42 a@b.example')) == (
        '[active: account 42 a@b.example]'
    )
    assert verification_label(Verification('unknown', 'timed out after 5s', NOW)) == (
        '[unknown: timed out after 5s]'
    )
    summary = verification_summary([
        Verification('active', 'ok', NOW), Verification('invalid', 'HTTP 401', NOW),
        Verification('unknown', 'not checked: not 64 hex', NOW),
    ])
    assert summary.startswith(
        'Verified 2 of 3 Vast.ai keys: 1 active, 1 invalid (1 not checked: not shaped like an '
        'API key).',
    )


def test_colour_only_when_painting() -> None:
    finding = _finding()
    assert '\x1b[' not in render([finding])
    painted = render([finding], paint=Painter(True))
    assert '\x1b[31m' in painted  # the rule id in red


@pytest.mark.parametrize('path', ('a\x1b[2Jb.env', 'x\ny.env', 'bell\x07.env'))
def test_control_characters_in_a_path_are_not_written_raw(path: str) -> None:
    text = render([_finding(path)], quiet=True)
    assert text.count('\n') == 1  # one finding, one line
    assert not any(ch in text for ch in '\x1b\x07\r')
