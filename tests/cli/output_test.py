"""`--output FILE`: the report in the file, one summary line on the terminal."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint
from vastai_guard.main import main

# a clean `scan --format json`: every object read, no finding
CLEAN_JSON = {
    'findings': [], 'incomplete': False, 'unreadable_objects': 0, 'not_read': [],
    'binary_files': 0,
}


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
    assert json.loads(report.read_text(encoding='utf-8')) == CLEAN_JSON
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


def test_output_to_a_named_pipe_reaches_its_reader(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    fifo = tmp_path / 'report.pipe'
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()

    result = run_cli(['scan', '--all-files', '--format', 'json', '--output', str(fifo)], repo)
    reader.join(timeout=60)

    assert result.returncode == 1, result.stderr
    [finding] = json.loads(received[0])['findings']
    assert finding['fingerprint'] == fingerprint(key)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # written into, not replaced by a file
    assert os.listdir(tmp_path) == ['report.pipe', 'repo']


def test_output_to_dev_stdout_when_stdout_is_a_pipe(repo: Path) -> None:
    write(repo, 'README.md', 'nothing here\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--all-files', '--format', 'json', '--output', '/dev/stdout'], repo)
    assert result.returncode == 0, result.stderr
    report, summary = result.stdout.rsplit('\n', 2)[0], result.stdout.splitlines()[-1]
    assert json.loads(report) == CLEAN_JSON
    assert summary == 'vastai-guard: no Vast.ai keys in 1 file; report written to /dev/stdout'


def test_output_to_a_directory_is_refused(repo: Path, tmp_path: Path) -> None:
    write(repo, 'README.md', 'nothing here\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--all-files', '--output', str(tmp_path)], repo)
    assert result.returncode == 2
    assert result.stderr == (
        f'vastai-guard: error: cannot write {tmp_path}: it is a directory; '
        'give a file path to --output\n'
    )
    assert os.listdir(tmp_path) == ['repo']


def test_output_to_dev_stdout_redirected_to_a_log_keeps_what_was_there(
        repo: Path, tmp_path: Path,
) -> None:
    """`{ make; vastai-guard ... --output /dev/stdout; } > ci.log`: the log keeps make's lines."""
    write(repo, 'README.md', 'nothing here\n')
    git(repo, 'add', '.')
    log = tmp_path / 'ci.log'
    log.write_text('earlier step output\n')
    with open(log, 'a') as stdout:
        result = subprocess.run(
            (sys.executable, '-m', 'vastai_guard', 'scan', '--all-files', '--format', 'json',
             '--output', '/dev/stdout'),
            cwd=repo, stdout=stdout, stderr=subprocess.PIPE, text=True,
        )
    assert result.returncode == 0, result.stderr
    lines = log.read_text().splitlines()
    assert lines[0] == 'earlier step output'  # not replaced by a new file
    assert json.loads('\n'.join(lines[1:-1])) == CLEAN_JSON
    assert lines[-1] == 'vastai-guard: no Vast.ai keys in 1 file; report written to /dev/stdout'
