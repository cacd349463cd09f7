"""JSON report of `vastai-guard sweep`: the documented contract.

`{"repositories": [{"source", "keys", "incomplete", "error", ...}], "keys": [{"fingerprint",
"redacted", "rule", "status", "repositories": [{"source", "first_seen", "in_head", ...}]}]}`
"""
from __future__ import annotations

import json

from vastai_guard.model import SweepReport
from vastai_guard.report.json import verification_json


def render(report: SweepReport) -> str:
    document = {
        'repositories': [
            {
                'source': result.source,
                'keys': len(result.keys),
                # true when something that should have been scanned was not
                'incomplete': result.incomplete,
                'error': result.error,
                'commits_scanned': result.commits_scanned,
                'unchanged': result.unchanged,
                'seconds': round(result.seconds, 3),
            }
            for result in report.repositories
        ],
        'keys': [
            {
                'fingerprint': key.fingerprint,
                'redacted': key.redacted,
                'rule': key.rule.id,
                'status': key.status,
                'context': key.context,
                **(
                    {'verification': verification_json(key.verification)}
                    if key.verification is not None else {}
                ),
                'repositories': [
                    {
                        'source': place.source,
                        'first_seen': place.first_seen._asdict(),
                        'in_head': place.in_head,
                        'refs': list(place.refs),
                        'status': place.status,
                    }
                    for place in key.repositories
                ],
            }
            for key in report.keys
        ],
    }
    return json.dumps(document, indent=2) + '\n'
