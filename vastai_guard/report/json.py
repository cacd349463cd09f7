"""JSON report of `scan` findings: the stable, documented contract."""
from __future__ import annotations

import json
from collections.abc import Sequence

from vastai_guard.findings import Finding
from vastai_guard.findings import Verification
from vastai_guard.findings import shown_path
from vastai_guard.report import blast


def verification_json(verification: Verification) -> dict[str, object]:
    """`"verification"` of a key checked with `--verify`; `account` only with --show-account,
    `blast_radius` only with --blast-radius (and an active key)."""
    result: dict[str, object] = {
        'state': verification.state,
        'reason': verification.reason,
        'checked_at': verification.checked_at,
    }
    if verification.account:
        result['account'] = verification.account
    if verification.blast_radius is not None:
        result['blast_radius'] = blast.as_json(verification.blast_radius)
    return result


def finding_json(finding: Finding) -> dict[str, object]:
    """One finding as the JSON contract has it: fingerprint and redacted form, never the key."""
    result: dict[str, object] = {
        'rule': finding.rule.id,
        'path': shown_path(finding.path),
        'line': finding.line,
        'fingerprint': finding.fingerprint,
        'redacted': finding.redacted,
        'context': finding.context,
    }
    if finding.verification is not None:
        result['verification'] = verification_json(finding.verification)
    return result


def render(
        findings: Sequence[Finding],
        *,
        incomplete: bool = False,
        unreadable_objects: int = 0,
        not_read: Sequence[str] = (),
        binary_files: int = 0,
) -> str:
    """`scan --format json`: every finding, and whether every file could be read."""
    document = {
        'findings': [finding_json(f) for f in findings],
        # as in history's report: true when a staged or tracked blob could not be read
        # (missing or damaged), or a file or folder (`not_read`), and "no findings" then
        # proves nothing
        'incomplete': incomplete,
        'unreadable_objects': unreadable_objects,
        'not_read': [shown_path(path) for path in not_read],
        # binary files (images, archives) skipped: counted, never judged
        'binary_files': binary_files,
    }
    return json.dumps(document, indent=2) + '\n'
