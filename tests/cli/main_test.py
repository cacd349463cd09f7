"""The command line itself: version, usage errors, no command."""
from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from testing.util import run_cli


def test_version(tmp_path: Path) -> None:
    result = run_cli(['--version'], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f'vastai-guard {version("vastai-guard")}\n')


def test_no_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli([], cwd=tmp_path)
    assert result.returncode == 2
    assert 'usage: vastai-guard' in result.stderr
    assert 'Traceback' not in result.stderr
