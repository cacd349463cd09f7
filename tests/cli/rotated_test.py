"""`vastai-guard rotated`: what it says when the fingerprint given is not one."""
from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import run_cli
from testing.util import write


def test_a_short_prefix_is_refused_saying_how_long_one_must_be(repo: Path) -> None:
    write(repo, 'README.md', '# app\n')
    commit_all(repo)
    result = run_cli(['rotated', 'abcdef'], repo)
    assert result.returncode == 2
    assert 'a unique prefix of at least 12 characters' in result.stderr
