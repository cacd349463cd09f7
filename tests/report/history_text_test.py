"""The history text report: one block per key with what to do, totals, -q lines."""
from __future__ import annotations

from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.report.history_text import render
from vastai_guard.vocabulary import Status

COMMIT = '0123456789ab' + 'c' * 28


def _key(status: Status = 'needs-rotation', *, in_head: bool = True, occurrences: int = 1,
         key: str | None = None) -> ExposedKey:
    key = key or new_key()
    return ExposedKey(
        fingerprint=fingerprint(key), rule=ASSIGNMENT, redacted=redacted(key), status=status,
        in_head=in_head,
        first_seen=FirstSeen(COMMIT, 'A <a@example.invalid>', '2024-01-01T00:00:00+00:00',
                             'cfg/.env', 2),
        occurrences=tuple(Occurrence(COMMIT, f'd{i}/.env', 1) for i in range(occurrences)),
        context='name VAST_API_KEY',
    )


def test_a_key_needing_rotation() -> None:
    key = new_key()
    exposed = _key(key=key)
    text = render([exposed], commits_scanned=3)
    assert key not in text
    lines = text.splitlines()
    assert lines[0] == (
        f'needs-rotation: vast-api-key {redacted(key)} (name VAST_API_KEY) (still in HEAD)'
    )
    assert f'  fingerprint: {fingerprint(key)}' in lines
    assert '  first seen:  0123456789ab 2024-01-01T00:00:00+00:00 by A <a@example.invalid>' in lines
    assert '               cfg/.env:2' in lines
    # the command that records the rotation, with the prefix `rotated` accepts back
    assert any(f'vastai-guard rotated {fingerprint(key)[:12]}' in line for line in lines)
    assert lines[-1] == (
        '1 Vast.ai key in 3 commits: 1 needs rotation, 0 rotated, 1 still in HEAD.'
    )


def test_occurrences_are_cut_at_five() -> None:
    text = render([_key(occurrences=7)], commits_scanned=7)
    assert '  introduced:  7 times in 1 commit' in text
    assert text.count('    0123456789ab d') == 5
    assert '    ... and 2 more (--format json lists them all)' in text


def test_steps_follow_the_status() -> None:
    rotated = render([_key('rotated')], 1)
    assert 'Rotate it' not in rotated and 'did not' not in rotated
    again = render([_key('rotated-still-active')], 1)
    assert 'the rotation did not' in again and 'vastai-guard rotated ' not in again


def test_totals() -> None:
    keys = [
        _key('needs-rotation'), _key('rotated-still-active', in_head=False),
        _key('rotated', in_head=False), _key('inactive'),
    ]
    assert render(keys, 10).splitlines()[-1] == (
        '4 Vast.ai keys in 10 commits: 2 need rotation, 1 rotated, 1 no longer valid, '
        '2 still in HEAD.'
    )
    assert render([], 5) == '0 Vast.ai keys in 5 commits: 0 need rotation, 0 rotated, 0 still in HEAD.\n'
    assert render([], 5, incomplete='Incomplete scan: x').endswith('\nIncomplete scan: x\n')


def test_quiet_and_verified_order() -> None:
    dead = _key()._replace(verification=Verification('invalid', 'HTTP 401', 'now'))
    live = _key()._replace(verification=Verification('active', 'ok', 'now'))
    quiet = render([dead, live], 2, quiet=True).splitlines()
    assert len(quiet) == 2
    assert '[active]' in quiet[0] and '[invalid]' in quiet[1]
    assert quiet[0].endswith(f' {live.fingerprint[:12]}')
    assert '(still in HEAD)' in quiet[0]
