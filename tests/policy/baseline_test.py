"""baseline.render: a detect-secrets baseline of our findings, keeping everything else."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from testing.util import new_key
from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.detect.rules import CLI
from vastai_guard.errors import FatalError
from vastai_guard.findings import Finding
from vastai_guard.findings import Match
from vastai_guard.findings import to_finding
from vastai_guard.policy.baseline import render


def _finding(key: str, path: str, line: int, rule: Any = ASSIGNMENT) -> Finding:
    return to_finding(Match(rule, line, key), path)


def _render(findings: list[Finding], existing: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(findings, str(existing)))
    return data


def test_new_baseline(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    findings = [
        _finding(key, 'b.env', 3),
        _finding(other, 'a.env', 9),
        _finding(key, 'a.env', 2),
        _finding(key, 'a.env', 5),  # the same secret again: detect-secrets lists it once
    ]
    text = render(findings, str(tmp_path / 'absent.json'))
    assert key not in text and other not in text
    data = json.loads(text)
    assert list(data['results']) == ['a.env', 'b.env']
    assert [(e['line_number'], e['hashed_secret']) for e in data['results']['a.env']] == [
        (2, findings[2].hashed_secret), (9, findings[1].hashed_secret),
    ]
    assert data['results']['b.env'][0] == {
        'type': ASSIGNMENT.secret_type, 'filename': 'b.env',
        'hashed_secret': findings[0].hashed_secret, 'is_verified': False, 'line_number': 3,
    }
    assert {p['name'] for p in data['plugins_used']} == {r.plugin for r in ALL_RULES}
    assert data['version'] and data['filters_used'] == []


def test_update_keeps_what_is_not_ours(tmp_path: Path) -> None:
    key, gone = new_key(), new_key()
    kept = _finding(key, 'a.env', 4)
    dropped = _finding(gone, 'a.env', 8, CLI)
    existing = tmp_path / '.secrets.baseline'
    existing.write_text(json.dumps({
        'version': '1.4.0',
        'plugins_used': [{'name': 'AWSKeyDetector'}, {'name': ASSIGNMENT.plugin, 'path': 'x'}],
        'filters_used': [{'path': 'detect_secrets.filters.heuristic.is_sequential_string'}],
        'results': {
            'a.env': [
                {'type': 'AWS Access Key', 'filename': 'a.env', 'hashed_secret': 'aa',
                 'is_verified': False, 'line_number': 1},
                {'type': ASSIGNMENT.secret_type, 'filename': 'a.env',
                 'hashed_secret': kept.hashed_secret, 'is_verified': False,
                 'line_number': 1, 'is_secret': False},
                {'type': CLI.secret_type, 'filename': 'a.env',
                 'hashed_secret': dropped.hashed_secret, 'is_verified': False,
                 'line_number': 8},
            ],
        },
    }))
    data = _render([kept], existing)
    entries = data['results']['a.env']
    # another plugin's result stays; ours found again keeps its audit mark and gets its new line
    assert [(e['type'], e['line_number']) for e in entries] == [
        ('AWS Access Key', 1), (ASSIGNMENT.secret_type, 4),
    ]
    assert entries[1]['is_secret'] is False
    # a key no longer found is no longer listed
    assert dropped.hashed_secret not in json.dumps(data)
    assert data['version'] == '1.4.0'
    assert data['filters_used'] == [
        {'path': 'detect_secrets.filters.heuristic.is_sequential_string'},
    ]
    names = [p['name'] for p in data['plugins_used']]
    assert 'AWSKeyDetector' in names
    assert names.count(ASSIGNMENT.plugin) == 1  # replaced, not duplicated


@pytest.mark.parametrize('content', ('not json', '[1, 2]', '{"results": []}'))
def test_not_a_baseline_is_a_usage_error(tmp_path: Path, content: str) -> None:
    existing = tmp_path / 'b.json'
    existing.write_text(content)
    with pytest.raises(FatalError, match='not a detect-secrets baseline'):
        render([], str(existing))


@pytest.mark.xfail(
    strict=True,
    reason='bug: baseline._load reads the existing baseline with open(), not '
           'files.reading.read_regular: a FIFO there makes `--update-baseline` wait for a '
           'writer for ever (and /dev/zero would be read without end)',
)
def test_a_fifo_at_the_baseline_path_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / '.secrets.baseline'
    os.mkfifo(fifo)

    def feed() -> None:
        # the writer lets a blocking open() through, so that this test fails rather than hangs
        with open(fifo, 'w') as stream:
            stream.write('{"results": {}}')

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        with pytest.raises(FatalError, match='not a regular file'):
            render([], str(fifo))
    finally:
        # if render never opened the FIFO, the writer is still waiting for a reader: be one
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        writer.join()
        os.close(reader)
