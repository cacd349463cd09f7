"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One rule per detector with help text; one result per Result, located by a repository-relative
URI and a start line. `partialFingerprints` carry our fingerprint (never the key), so an alert
keeps its identity when lines move or the report is produced again.
"""
from __future__ import annotations

import json
import urllib.parse
from collections.abc import Sequence

from vastai_guard.report.results import Result
from vastai_guard.report.results import RuleHelp
from vastai_guard.report.results import stable_fingerprint
from vastai_guard.version import tool_version
from vastai_guard.vocabulary import PROJECT_URL
from vastai_guard.vocabulary import SHORT_COMMIT

SCHEMA_URI = (
    'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'
)
# Versioned, as the SARIF spec suggests: a change in what the value means gets a new key.
FINGERPRINT_KEY = 'vastaiGuardFingerprint/v1'
# GitHub's scale for `security-severity`: 9.0 and up is "critical". A live cloud key is.
_SECURITY_SEVERITY = {'error': '9.0', 'warning': '5.0', 'note': '2.0'}


def _uri(path: str) -> str:
    # A relative URI reference: spaces and other characters percent-encoded, '/' kept.
    return urllib.parse.quote(path, safe='/')


def _rule(rule: RuleHelp) -> dict[str, object]:
    return {
        'id': rule.id,
        'name': ''.join(part.capitalize() for part in rule.id.split('-')),
        'shortDescription': {'text': rule.title},
        'fullDescription': {'text': rule.help.split('\n', 1)[0]},
        # GitHub shows the Markdown form on the alert page: a paragraph, then the steps
        'help': {'text': rule.help, 'markdown': rule.help.replace('\n', '\n\n', 1)},
        'helpUri': f'{PROJECT_URL}#what-counts-as-a-vastai-key',
        'defaultConfiguration': {'level': rule.level},
        'properties': {
            'tags': ['security', 'secret', 'vastai'],
            'precision': 'high',
            'security-severity': _SECURITY_SEVERITY[rule.level],
        },
    }


def _result(result: Result, rule_index: int) -> dict[str, object]:
    physical: dict[str, object] = {'artifactLocation': {'uri': _uri(result.path)}}
    if result.line is not None:
        physical['region'] = {'startLine': result.line}
    location: dict[str, object] = {'physicalLocation': physical}
    if result.commit is not None:
        # beside the physical location, never instead: GitHub rejects a logical-only one
        location['logicalLocations'] = [
            {
                'name': result.commit[:SHORT_COMMIT],
                'fullyQualifiedName': result.commit,
                'kind': 'commit',
            },
        ]
    return {
        'ruleId': result.rule_id,
        'ruleIndex': rule_index,
        'level': result.level,
        'message': {'text': result.message},
        'locations': [location],
        'partialFingerprints': {
            FINGERPRINT_KEY: f'{stable_fingerprint(result)}:{result.path}',
        },
    }


def render(
        results: Sequence[Result],
        rules: Sequence[RuleHelp],
        *,
        category: str | None = None,
        incomplete: str | None = None,
) -> str:
    """The SARIF log; `category` tells apart several uploads for one commit (scan, history)."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    unknown = sorted({r.rule_id for r in results} - index.keys())
    if unknown:
        raise ValueError(f'results name rules not given: {", ".join(unknown)}')
    run: dict[str, object] = {
        'tool': {
            'driver': {
                'name': 'vastai-guard',
                # 0.0.0: run from a source tree that was never installed
                'semanticVersion': tool_version('0.0.0'),
                'informationUri': PROJECT_URL,
                'rules': [_rule(rule) for rule in rules],
            },
        },
        'columnKind': 'unicodeCodePoints',
        'results': [_result(r, index[r.rule_id]) for r in results],
    }
    if category is not None:
        run['automationDetails'] = {'id': f'vastai-guard/{category}/'}
    if incomplete is not None:
        # a viewer must not take "no results" for "no keys" when not everything was read
        run['invocations'] = [{
            'executionSuccessful': False,
            'toolExecutionNotifications': [{'level': 'warning', 'message': {'text': incomplete}}],
        }]
    log = {'$schema': SCHEMA_URI, 'version': '2.1.0', 'runs': [run]}
    return json.dumps(log, indent=2) + '\n'
