"""JSON report of `scan` findings: the stable, documented contract."""
from __future__ import annotations

import json
from collections.abc import Sequence

from vastai_guard.findings import Finding


def finding_json(finding: Finding) -> dict[str, object]:
    return {
        'rule': finding.rule.id,
        'path': finding.path,
        'line': finding.line,
        'fingerprint': finding.fingerprint,
        'redacted': finding.redacted,
    }


def render(findings: Sequence[Finding]) -> str:
    return json.dumps({'findings': [finding_json(f) for f in findings]}, indent=2) + '\n'
