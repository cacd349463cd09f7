from __future__ import annotations

from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.merge import failed
from vastai_guard.sweep.merge import merge
from vastai_guard.sweep.merge import pending
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import Status


def _key(fp: str, date: str, status: Status = NEEDS_ROTATION, in_head: bool = False) -> ExposedKey:
    return ExposedKey(
        fingerprint=fp, rule=ASSIGNMENT, redacted='abcd...wxyz', status=status, in_head=in_head,
        first_seen=FirstSeen('c' * 40, 'a', date, '.env', 1), occurrences=(),
    )


def test_each_key_once_widest_first_repositories_oldest_first() -> None:
    a = RepositorySweep('a', keys=(_key('1' * 64, '2024-05-01'), _key('2' * 64, '2024-01-01')),
                        refs=(('1' * 64, ('refs/heads/main',)),))
    b = RepositorySweep('b', keys=(_key('1' * 64, '2023-01-01', in_head=True),))
    c = RepositorySweep('c', error='not found')

    report = merge([a, b, c])

    assert [k.fingerprint for k in report.keys] == ['1' * 64, '2' * 64]
    shared = report.keys[0]
    assert [p.source for p in shared.repositories] == ['b', 'a']  # first committed first
    assert shared.repositories[1].refs == ('refs/heads/main',)
    assert shared.repositories[0].in_head
    assert [r.source for r in report.repositories] == ['a', 'b', 'c']
    assert pending(report) and failed(report)


def test_a_rotation_recorded_in_any_repository_rotates_the_key() -> None:
    report = merge([
        RepositorySweep('a', keys=(_key('1' * 64, '2024-05-01', ROTATED),)),
        RepositorySweep('b', keys=(_key('1' * 64, '2024-05-01'),)),
    ])
    assert report.keys[0].status == ROTATED
    assert [p.status for p in report.keys[0].repositories] == [ROTATED, NEEDS_ROTATION]
    assert not pending(report)


def test_incomplete_is_failed() -> None:
    assert failed(merge([RepositorySweep('a', incomplete=True)]))
    assert not failed(merge([RepositorySweep('a')]))
