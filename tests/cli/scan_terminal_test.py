"""What `scan` says to a person at a terminal, and what it leaves unsaid to hooks and pipes."""
from __future__ import annotations

from pathlib import Path

from testing.util import git
from testing.util import run_cli
from testing.util import run_cli_on_terminal
from testing.util import write


def test_a_clean_scan_says_one_line_on_a_terminal(repo: Path) -> None:
    write(repo, 'app.py', 'print("hi")\n')
    write(repo, 'README.md', '# app\n')
    git(repo, 'add', '.')
    result = run_cli_on_terminal(['scan'], repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == 'vastai-guard: no Vast.ai keys in 2 files\n'


def test_a_clean_scan_is_silent_when_stdout_is_not_a_terminal(repo: Path) -> None:
    write(repo, 'app.py', 'print("hi")\n')
    git(repo, 'add', '.')
    result = run_cli(['scan'], repo)
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')
