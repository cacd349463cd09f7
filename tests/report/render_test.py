"""The one report boundary: a renderer for every format each command offers, and a result
model with no field a raw key could travel in."""
from __future__ import annotations

import argparse
import json
import typing

import pytest

from testing.util import new_key
from vastai_guard import findings
from vastai_guard import model
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import Match
from vastai_guard.findings import to_finding
from vastai_guard.main import _parser
from vastai_guard.model import GitignoreReport
from vastai_guard.model import HistoryReport
from vastai_guard.model import ScanReport
from vastai_guard.report import Report
from vastai_guard.report import formats
from vastai_guard.report import render

_COMMANDS = {'scan': ScanReport, 'history': HistoryReport, 'gitignore': GitignoreReport}
_EMPTY: dict[type[Report], Report] = {
    ScanReport: ScanReport((), files_read=0),
    HistoryReport: HistoryReport((), commits_scanned=0),
    GitignoreReport: GitignoreReport(()),
}


def _format_choices(command: str) -> tuple[str, ...]:
    parser = _parser()
    subparsers = next(a for a in parser._actions if a.dest == 'command')
    sub = typing.cast('dict[str, argparse.ArgumentParser]', subparsers.choices)[command]
    action = next(a for a in sub._actions if a.dest == 'output_format')
    return tuple(action.choices or ())


@pytest.mark.parametrize('command', sorted(_COMMANDS))
def test_each_command_offers_exactly_the_formats_it_can_render(command: str) -> None:
    assert _format_choices(command) == formats(_COMMANDS[command])
    for fmt in formats(_COMMANDS[command]):
        report = render(_EMPTY[_COMMANDS[command]], fmt)
        if fmt in ('json', 'sarif'):
            json.loads(report)


def _field_types(kind: type) -> dict[str, object]:
    return typing.get_type_hints(kind, vars(model) | vars(findings))


@pytest.mark.parametrize(
    'kind',
    (ScanReport, HistoryReport, GitignoreReport, findings.Finding, findings.ExposedKey,
     findings.Problem, findings.Verification, findings.FirstSeen, findings.Occurrence),
)
def test_no_result_type_has_a_field_for_a_raw_key(kind: type) -> None:
    assert not any('secret' in name and name != 'hashed_secret' for name in _field_types(kind))


def test_a_scan_report_renders_a_key_redacted_in_every_format() -> None:
    key = new_key()
    finding = to_finding(Match(ASSIGNMENT, 3, key), '.env')
    report = ScanReport((finding,), files_read=1, committed=frozenset((finding.fingerprint,)))

    for fmt in formats(ScanReport):
        text = render(report, fmt)
        assert key not in text
        assert finding.redacted in text
