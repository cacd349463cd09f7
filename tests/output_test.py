"""`--output FILE`: the report in the file, one summary line on the terminal."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint
from vastai_guard.main import main


@pytest.mark.parametrize('output_format', ('text', 'json', 'sarif', 'github'))
def test_report_goes_to_the_file_and_a_summary_to_stdout(
        repo: Path, tmp_path: Path, output_format: str,
) -> None:
    key = new_key()
    write(repo, 'app/.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    (tmp_path / 'reports').mkdir()
    report = tmp_path / 'reports' / f'report.{output_format}'
    to_file = run_cli(
        ['scan', '--all-files', '--format', output_format, '--output', str(report)], repo,
    )
    to_stdout = run_cli(['scan', '--all-files', '--format', output_format], repo)

    assert to_file.returncode == to_stdout.returncode == 1
    assert report.read_text(encoding='utf-8') == to_stdout.stdout
    assert to_file.stdout == (
        f'vastai-guard: found 1 Vast.ai key in 1 file; report written to {report}\n'
    )
    assert key not in report.read_text(encoding='utf-8') + to_file.stdout + to_file.stderr
    assert os.listdir(report.parent) == [report.name]  # no temporary file left behind


def test_clean_run_still_writes_the_report(repo: Path, tmp_path: Path) -> None:
    write(repo, 'README.md', 'nothing here\n')
    git(repo, 'add', '.')
    report = tmp_path / 'report.json'
    report.write_text('stale report from an earlier run\n', encoding='utf-8')
    report.chmod(0o640)
    result = run_cli(['scan', '--all-files', '--format', 'json', '--output', str(report)], repo)
    assert result.returncode == 0
    assert json.loads(report.read_text(encoding='utf-8')) == {'findings': []}
    assert stat.S_IMODE(report.stat().st_mode) == 0o640  # replaced, mode kept
    assert result.stdout == f'vastai-guard: no Vast.ai keys in 1 file; report written to {report}\n'


def test_unwritable_output_is_an_environment_error(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    missing = tmp_path / 'no-such-folder' / 'report.sarif'
    assert main(['scan', '--all-files', '--format', 'sarif', '--output', str(missing)]) == 2
    out = capsys.readouterr()
    assert out.err.startswith(f'vastai-guard: error: cannot write {missing}')
    assert len(out.err.splitlines()) == 1
    assert fingerprint(key) not in out.out  # nothing half-reported either
