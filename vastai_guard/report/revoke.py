"""`vastai-guard revoke`: what was done to the key, what it breaks, where the replacement comes
from. Text and JSON (`{fingerprint, key_id, revoked, ledger}`, plus state and where)."""
from __future__ import annotations

import json

from vastai_guard.model import RevokeReport
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import short

BREAKS = (
    'Revoking breaks every service, CI job, script and instance that still uses this key: '
    'they get HTTP 401 until they have the replacement.'
)
REPLACE = (
    f'Create the replacement on the Vast.ai Keys page ({KEYS_PAGE}) -> +New, with only the '
    'permissions it needs (`vastai-guard audit` suggests a least-privilege recipe), and put it '
    'in every secret store, .env file and CI variable that held the old one.'
)


def render_text(report: RevokeReport) -> str:
    key = f'key {report.redacted} (fingerprint {short(report.fingerprint)}, {report.where})'
    if report.state == 'already-invalid':
        lines = [
            f'Vast.ai already rejects {key} (HTTP 401): it was revoked, reset or never valid; '
            'nothing was deleted.',
            f'If it was yours, record it: vastai-guard rotated {short(report.fingerprint)} '
            '--note "..."',
        ]
    elif report.state == 'still-active':
        lines = [
            f'Vast.ai accepted the delete of {key}, key id {report.key_id}, but the key STILL '
            'WORKS.',
            f'Delete it on the Vast.ai Keys page ({KEYS_PAGE}) and check again with '
            '`vastai-guard scan --verify`.',
        ]
    else:
        lines = [
            f'Revoked {key}, key id {report.key_id}, through the Vast.ai API: it is now '
            'rejected (HTTP 401).',
            BREAKS,
            REPLACE,
        ]
        if not report.where.startswith('history'):
            lines.append(
                f'Then remove it from {report.where.partition(": ")[2].rpartition(":")[0]}: a '
                'dead key still trips every scanner.',
            )
    if report.ledger is not None:
        said = 'was already recorded' if report.already_recorded else 'recorded as rotated'
        lines.append(
            f'Ledger: {said} in {report.ledger}; commit it so the team and CI share it.',
        )
    return '\n'.join(lines) + '\n'


def render_json(report: RevokeReport) -> str:
    document = {
        'fingerprint': report.fingerprint,
        'key_id': report.key_id or None,
        'revoked': report.revoked,
        'ledger': report.ledger,
        'state': report.state,
        'where': report.where,
    }
    return json.dumps(document, indent=2) + '\n'
