"""The docs' CI examples (docs/ci.md, and the output formats of docs/output.md) are commands that
work: each one parses, history fails a pull request that adds a key, and scan finds one."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from testing.docs import page
from testing.docs import section
from testing.sarif import validated
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write


def _ci_commands() -> list[str]:
    """The commands shown for CI: the pages where a reader copies them from."""
    text = section(page('output.md'), '## Output formats') + page('ci.md')
    found = re.findall(r'^\s*(?:- (?:run: )?)?(vastai-guard (?!init)[^\n]*)$', text, re.M)
    return sorted(set(found))


def _params() -> list[object]:
    return [pytest.param(command, id=command) for command in _ci_commands()]


def test_the_ci_section_shows_scan_history_and_sarif() -> None:
    commands = _ci_commands()
    assert any(c.startswith('vastai-guard history --range ') for c in commands)
    assert any(c.startswith('vastai-guard scan ') and '--format sarif' in c for c in commands)


@pytest.mark.parametrize(
    'command', [c for c in _ci_commands() if shlex.split(c)[1] == 'history'],
)
def test_documented_history_command_fails_a_pull_request_that_adds_a_key(
        repo: Path, command: str,
) -> None:
    """Run as CI runs it: the base branch fetched, one commit on top adding a key."""
    write(repo, 'README.md', 'hello\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'base')
    git(repo, 'update-ref', 'refs/remotes/origin/main', 'HEAD')
    key = new_key()
    write(repo, 'deploy/.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'add deploy config')
    # GitLab's variable, as its runner would expand it
    argv = shlex.split(command.replace('$CI_MERGE_REQUEST_TARGET_BRANCH_NAME', 'main'))[1:]
    result = run_cli(argv, repo)
    assert result.returncode == 1, result.stderr
    written = ''
    if '--output' in argv:
        written = (repo / argv[argv.index('--output') + 1]).read_text(encoding='utf-8')
        validated(written)
    assert 'deploy/.env' in written + result.stdout
    assert key not in written + result.stdout + result.stderr


@pytest.mark.parametrize(
    'command', [c for c in _ci_commands() if shlex.split(c)[1] == 'scan'],
)
def test_documented_scan_command_finds_a_key_without_printing_it(repo: Path, command: str) -> None:
    key = new_key()
    write(repo, 'config/.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    argv = shlex.split(command)[1:]
    result = run_cli(argv, repo)
    assert result.returncode == 1, result.stderr
    written = ''
    if '--output' in argv:
        written = (repo / argv[argv.index('--output') + 1]).read_text(encoding='utf-8')
        assert result.stdout.startswith('vastai-guard: found 1 Vast.ai key in 1 file')
    if '--format' in argv and argv[argv.index('--format') + 1] == 'sarif':
        validated(written or result.stdout)
    assert 'config/.env' in written + result.stdout
    assert key not in written + result.stdout + result.stderr
