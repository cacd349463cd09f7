"""The shared words: plurals, counts, short ids, and the incomplete-scan line."""
from __future__ import annotations

import pytest

from testing.util import new_key
from vastai_guard import vocabulary
from vastai_guard.findings import fingerprint


@pytest.mark.parametrize(
    ('number', 'expected'),
    ((0, '0 keys'), (1, '1 key'), (2, '2 keys')),
)
def test_count(number: int, expected: str) -> None:
    assert vocabulary.count(number, 'key') == expected


def test_short_is_the_prefix_accepted_back() -> None:
    print_ = fingerprint(new_key())
    assert vocabulary.short(print_) == print_[:vocabulary.SHORT_FINGERPRINT]
    assert len(vocabulary.short(print_)) == 12


def test_pending_statuses() -> None:
    # these fail `history`; a rotated or inactive key must not
    assert vocabulary.PENDING_STATUSES == {'needs-rotation', 'rotated-still-active'}


def test_unreadable_object_says_which_and_why() -> None:
    missing = vocabulary.unreadable_object('abc123', 'a/b.env', missing=True)
    damaged = vocabulary.unreadable_object('abc123', 'a/b.env', missing=False)
    assert 'abc123' in missing and 'a/b.env' in missing and 'missing' in missing
    assert 'damaged' in damaged
    assert missing != damaged


def test_incomplete_line() -> None:
    assert vocabulary.incomplete_line(1).startswith('Incomplete scan: 1 object could not')
    assert vocabulary.incomplete_line(3).startswith('Incomplete scan: 3 objects could not')
    # with no unreadable object, the first warning says why (a walk git could not finish)
    line = vocabulary.incomplete_line(0, 'git log failed')
    assert 'git log failed' in line
    # ... but never next to a count that already says why
    assert 'git log failed' not in vocabulary.incomplete_line(2, 'git log failed')
    assert line.endswith('Keys in them are not reported.')
