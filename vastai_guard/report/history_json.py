"""JSON report of `vastai-guard history`: the stable, documented contract."""
from __future__ import annotations

import json
from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import SuppressedKey
from vastai_guard.findings import shown_path
from vastai_guard.report.json import verification_json


def key_json(key: ExposedKey) -> dict[str, object]:
    """One exposed key as the JSON contract has it (tests/history.schema.json)."""
    document: dict[str, object] = {
        'fingerprint': key.fingerprint,
        'rule': key.rule.id,
        'redacted': key.redacted,
        'context': key.context,
        'status': key.status,
        'in_head': key.in_head,
        'first_seen': {
            'commit': key.first_seen.commit,
            'author': shown_path(key.first_seen.author),
            'date': key.first_seen.date,
            'path': shown_path(key.first_seen.path),
            'line': key.first_seen.line,
        },
        'occurrences': [
            {'commit': o.commit, 'path': shown_path(o.path), 'line': o.line}
            for o in key.occurrences
        ],
    }
    if key.verification is not None:
        document['verification'] = verification_json(key.verification)
    if key.refs is not None:
        # the refs that reach a commit that introduced it; [] when none does (unreachable)
        document['refs'] = list(key.refs)
    return document


def render(
        keys: Sequence[ExposedKey],
        commits_scanned: int,
        *,
        incomplete: bool = False,
        unreadable_objects: int = 0,
        suppressed: Sequence[SuppressedKey] = (),
) -> str:
    """`history --format json`: every key, the commits read, and whether the scan was whole."""
    document = {
        'keys': [key_json(key) for key in keys],
        'commits_scanned': commits_scanned,
        # true when something that should have been scanned was not (missing or damaged
        # objects, a history walk git could not finish): "no keys" then proves nothing
        'incomplete': incomplete,
        'unreadable_objects': unreadable_objects,
        # keys found and not reported: the baseline or allow_fingerprints knows them
        'suppressed': [
            {'fingerprint': item.fingerprint, 'reason': item.reason} for item in suppressed
        ],
    }
    return json.dumps(document, indent=2) + '\n'
