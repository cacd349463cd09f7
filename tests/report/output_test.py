"""Where a report goes: stdout, or a file with one summary line on stdout."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from vastai_guard.report.output import default_format
from vastai_guard.report.output import emit


def test_default_format() -> None:
    assert default_format(('text', 'json', 'github'), {'GITHUB_ACTIONS': 'true'}) == 'github'
    assert default_format(('text', 'json', 'github'), {}) == 'text'
    assert default_format(('text', 'json', 'github'), {'GITHUB_ACTIONS': 'false'}) == 'text'
    # a command without annotations stays text inside Actions
    assert default_format(('text', 'json'), {'GITHUB_ACTIONS': 'true'}) == 'text'


def test_emit_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    emit('the report\n', output_file=None, summary='1 key')
    assert capsys.readouterr().out == 'the report\n'


def test_emit_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / 'report.sarif'
    target.write_text('old, longer content that must go')
    emit('{"new": true}\n', output_file=str(target), summary='Found 1 key')
    assert target.read_text() == '{"new": true}\n'
    assert capsys.readouterr().out == f'Found 1 key; report written to {target}\n'


def test_a_strict_ascii_stdout_gets_escapes_not_a_crash(
        monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding='ascii', errors='strict')
    monkeypatch.setattr(sys, 'stdout', stdout)
    emit('caf\u00e9/.env\n', output_file=None, summary='')
    stdout.flush()
    assert raw.getvalue() == b'caf\\xe9/.env\n'
