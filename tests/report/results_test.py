"""The adapters to the CI renderers' Result: where each result sits, its level, its identity."""
from __future__ import annotations

from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Match
from vastai_guard.findings import Occurrence
from vastai_guard.findings import Problem
from vastai_guard.findings import fingerprint
from vastai_guard.findings import to_finding
from vastai_guard.report import results
from vastai_guard.vocabulary import ADVICE_CI
from vastai_guard.vocabulary import COMMIT_MESSAGE
from vastai_guard.vocabulary import Status

COMMIT = 'ab' * 20


def _exposed(key: str, *, path: str = '.env', in_head: bool = True,
             status: Status = 'needs-rotation') -> ExposedKey:
    return ExposedKey(
        fingerprint(key), ASSIGNMENT, redacted(key), status, in_head,
        FirstSeen(COMMIT, 'A <a@example.invalid>', '2024-01-01T00:00:00+00:00', path, 3),
        (Occurrence(COMMIT, path, 3),),
    )


def test_from_finding() -> None:
    key = new_key()
    result = results.from_finding(to_finding(Match(ASSIGNMENT, 5, key), 'a/.env'))
    assert (result.rule_id, result.level, result.path, result.line) == (
        'vast-api-key', 'error', 'a/.env', 5,
    )
    assert result.fingerprint == fingerprint(key)
    assert redacted(key) in result.message and fingerprint(key)[:12] in result.message
    assert key not in result.message
    assert result.commit is None


def test_a_key_in_head_sits_on_its_line() -> None:
    result = results.from_exposed_key(_exposed(new_key()))
    assert (result.path, result.line, result.commit) == ('.env', 3, None)
    assert 'still in HEAD' in result.message


def test_a_key_gone_from_head_names_its_commit() -> None:
    result = results.from_exposed_key(_exposed(new_key(), in_head=False))
    assert (result.path, result.line, result.commit) == ('.env', 3, COMMIT)
    assert 'no longer in HEAD' in result.message


def test_a_key_in_a_commit_message_is_anchored_at_the_config() -> None:
    # GitHub rejects a whole SARIF upload when one result has no file location
    result = results.from_exposed_key(_exposed(new_key(), path=COMMIT_MESSAGE))
    assert (result.path, result.line, result.commit) == (results.MESSAGE_ANCHOR, None, COMMIT)
    assert f'message of commit {COMMIT}' in result.message


def test_levels_by_status() -> None:
    levels = {
        status: results.from_exposed_key(_exposed(new_key(), status=status)).level
        for status in ('needs-rotation', 'rotated-still-active', 'rotated', 'inactive')
    }
    assert levels == {
        'needs-rotation': 'error', 'rotated-still-active': 'error',
        'rotated': 'note', 'inactive': 'note',
    }


def test_gitignore_problems_and_rules() -> None:
    result = results.from_gitignore_problem(Problem('tracked', 'a/.env', 'msg'))
    assert (result.rule_id, result.level, result.line, result.message) == (
        'gitignore-tracked', 'warning', None, 'msg',
    )
    rules = results.gitignore_rules(['tracked', 'negation', 'tracked'])
    assert [rule.id for rule in rules] == ['gitignore-negation', 'gitignore-tracked']


def test_stable_fingerprint() -> None:
    def problem(kind: str, path: str) -> results.Result:
        return results.from_gitignore_problem(Problem(kind, path, 'any message'))  # type: ignore[arg-type]

    first = results.stable_fingerprint(problem('tracked', 'a/.env'))
    assert first == results.stable_fingerprint(problem('tracked', 'a/.env'))
    assert first != results.stable_fingerprint(problem('tracked', 'b/.env'))
    assert first != results.stable_fingerprint(problem('staged', 'a/.env'))
    key = new_key()
    finding = results.from_finding(to_finding(Match(ASSIGNMENT, 1, key), '.env'))
    assert results.stable_fingerprint(finding) == fingerprint(key)


def test_every_detector_rule_has_its_help() -> None:
    assert [rule.id for rule in results.DETECTOR_RULES] == [rule.id for rule in ALL_RULES]
    assert all(ADVICE_CI in rule.help for rule in results.DETECTOR_RULES)
