"""Conventions from gitleaks and friends: colour only on a terminal, -q and -v."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import run_cli_on_terminal
from testing.util import write
from vastai_guard.findings import fingerprint

ESC = '\x1b['


@pytest.fixture
def staged_key(repo: Path) -> str:
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    return key


@pytest.mark.usefixtures('staged_key')
def test_colour_on_a_terminal_only(repo: Path) -> None:
    coloured = run_cli_on_terminal(['scan'], repo)
    assert coloured.returncode == 1
    assert f'{ESC}31mvast-api-key{ESC}0m' in coloured.stdout
    assert ESC not in run_cli(['scan'], repo).stdout  # a pipe, a hook, a CI log
    assert ESC not in run_cli_on_terminal(['scan', '--no-color'], repo).stdout
    assert ESC not in run_cli_on_terminal(['scan'], repo, env={'NO_COLOR': '1'}).stdout
    assert ESC not in run_cli_on_terminal(['scan', '--format', 'json'], repo).stdout
    commit_all(repo)
    history = run_cli_on_terminal(['history'], repo)
    assert f'{ESC}31;1mneeds-rotation{ESC}0m' in history.stdout
    assert ESC not in run_cli_on_terminal(['history'], repo, env={'NO_COLOR': 'yes'}).stdout


def test_quiet_prints_the_findings_alone(repo: Path, staged_key: str) -> None:
    write(repo, 'big.bin', b'\0' * 10)
    git(repo, 'add', '.')
    result = run_cli(['scan', '-q'], repo)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith('deploy.sh:1: vast-api-key: ')
    commit_all(repo)
    history = run_cli(['history', '--quiet'], repo)
    assert history.returncode == 1
    (line,) = history.stdout.splitlines()
    assert line.startswith('needs-rotation: vast-api-key ')
    assert line.endswith(fingerprint(staged_key)[:12])


def test_quiet_and_verbose_do_not_mix(repo: Path) -> None:
    result = run_cli(['scan', '-q', '-v'], repo)
    assert result.returncode == 2
    assert 'not allowed with argument' in result.stderr


def test_verbose_says_what_was_skipped_and_why(repo: Path) -> None:
    allowed, kept = new_key(), new_key()
    write(
        repo, '.vastai-guard.yaml',
        f'exclude_paths:\n  - fixtures/**\nallow_fingerprints:\n  - {fingerprint(allowed)}\n',
    )
    write(repo, 'fixtures/sample.env', f'VAST_API_KEY={new_key()}\n')
    write(repo, 'logo.png', b'\x89PNG\0\0\0')
    write(repo, '.secrets.baseline', '{"results": {}}\n')
    write(repo, 'docs.md', f'VAST_API_KEY={allowed}\n')
    write(repo, 'run.sh', f'VAST_API_KEY={kept}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '-v'], repo)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'vastai-guard: config: .vastai-guard.yaml; baseline: none',
        'vastai-guard: skipped fixtures/sample.env: excluded by exclude_paths in .vastai-guard.yaml',
        'vastai-guard: skipped logo.png: binary',
        'vastai-guard: suppressed docs.md:1: fingerprint in allow_fingerprints (.vastai-guard.yaml)',
    ]
    plain = run_cli(['scan'], repo)
    # the exclusions and allowances the user wrote are no news without -v; a binary file
    # not scanned is always counted
    assert plain.stderr == 'vastai-guard: 1 binary file not scanned (-v names them)\n'
