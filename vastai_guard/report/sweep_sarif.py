"""SARIF of `vastai-guard sweep`: one run per repository, as `history` makes for one.

Each run is history's (report/sarif.py, the same rules, results and fingerprints), told apart
by its automation id and the repository in its properties; a repository that failed is a run
with no results whose invocation did not succeed, so that no viewer takes it for clean.
"""
from __future__ import annotations

import json
from typing import Any

from vastai_guard.model import RepositorySweep
from vastai_guard.model import SweepReport
from vastai_guard.report import results
from vastai_guard.report import sarif


def _run(result: RepositorySweep) -> dict[str, Any]:
    trouble = result.error
    if trouble is None and result.incomplete:
        trouble = 'incomplete: ' + (result.warnings[0] if result.warnings else 'not all read')
    log = json.loads(sarif.render(
        [results.from_exposed_key(key) for key in result.keys],
        results.DETECTOR_RULES,
        category=f'sweep/{result.source}',
        incomplete=trouble,
    ))
    run: dict[str, Any] = log['runs'][0]
    run['properties'] = {'repository': result.source}
    return run


def render(report: SweepReport) -> str:
    log = {
        '$schema': sarif.SCHEMA_URI,
        'version': '2.1.0',
        'runs': [_run(result) for result in report.repositories],
    }
    return json.dumps(log, indent=2) + '\n'
