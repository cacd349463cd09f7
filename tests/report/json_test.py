"""The scan JSON report: the documented fields, verification only when asked, never a key."""
from __future__ import annotations

import json

from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import Match
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.findings import to_finding
from vastai_guard.report.json import render


def test_fields() -> None:
    key = new_key()
    finding = to_finding(Match(ASSIGNMENT, 4, key, 'name VAST_API_KEY'), 'a/.env')
    text = render([finding])
    assert key not in text
    assert json.loads(text) == {
        'findings': [{
            'rule': 'vast-api-key', 'path': 'a/.env', 'line': 4,
            'fingerprint': fingerprint(key), 'redacted': redacted(key),
            'context': 'name VAST_API_KEY',
        }],
        'incomplete': False,
        'unreadable_objects': 0,
        'not_read': [],
        'binary_files': 0,
    }


def test_incomplete() -> None:
    document = json.loads(render([], incomplete=True, unreadable_objects=2))
    assert (document['findings'], document['incomplete'], document['unreadable_objects']) == (
        [], True, 2,
    )


def test_verification_and_account_only_when_known() -> None:
    finding = to_finding(Match(ASSIGNMENT, 1, new_key()), '.env')
    verdict = Verification('active', 'accepted', '2026-01-01T00:00:00Z')
    (entry,) = json.loads(render([finding._replace(verification=verdict)]))['findings']
    assert entry['verification'] == {
        'state': 'active', 'reason': 'accepted', 'checked_at': '2026-01-01T00:00:00Z',
    }
    with_account = verdict._replace(account='42 a@b.example')
    (entry,) = json.loads(render([finding._replace(verification=with_account)]))['findings']
    assert entry['verification']['account'] == '42 a@b.example'
