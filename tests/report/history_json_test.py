"""The history JSON report: every occurrence, the documented fields, validated by the schema."""
from __future__ import annotations

import json

import jsonschema  # type: ignore[import-untyped, unused-ignore]

from testing.util import REPO_ROOT
from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.report.history_json import render

COMMIT = 'c' * 40


def _key(key: str, occurrences: int) -> ExposedKey:
    return ExposedKey(
        fingerprint=fingerprint(key), rule=ASSIGNMENT, redacted=redacted(key),
        status='needs-rotation', in_head=False,
        first_seen=FirstSeen(COMMIT, 'A <a@example.invalid>', '2024-01-01T00:00:00+00:00',
                             '.env', 2),
        occurrences=tuple(Occurrence(COMMIT, f'd{i}/.env', i + 1) for i in range(occurrences)),
        context='name VAST_API_KEY',
    )


def test_every_occurrence_and_field() -> None:
    key = new_key()
    text = render([_key(key, 8)], commits_scanned=12)
    assert key not in text
    document = json.loads(text)
    schema = json.loads((REPO_ROOT / 'tests' / 'history.schema.json').read_text())
    jsonschema.validate(document, schema)
    (entry,) = document['keys']
    # the text report shows five; JSON is the full list
    assert len(entry['occurrences']) == 8
    assert entry['occurrences'][7] == {'commit': COMMIT, 'path': 'd7/.env', 'line': 8}
    assert entry['first_seen'] == {
        'commit': COMMIT, 'author': 'A <a@example.invalid>',
        'date': '2024-01-01T00:00:00+00:00', 'path': '.env', 'line': 2,
    }
    assert (entry['status'], entry['in_head'], entry['rule']) == (
        'needs-rotation', False, 'vast-api-key',
    )
    assert 'verification' not in entry
    assert (document['commits_scanned'], document['incomplete']) == (12, False)


def test_verification_and_incomplete() -> None:
    verdict = Verification('invalid', 'HTTP 401', '2026-01-01T00:00:00Z')
    exposed = _key(new_key(), 1)._replace(status='inactive', verification=verdict)
    document = json.loads(render([exposed], 3, incomplete=True, unreadable_objects=1))
    assert document['keys'][0]['verification']['state'] == 'invalid'
    assert (document['incomplete'], document['unreadable_objects']) == (True, 1)
