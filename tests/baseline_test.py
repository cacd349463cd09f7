"""Baselines: `.secrets.baseline` at the root is honoured by `scan` and `history` alike."""
from __future__ import annotations

import json
from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import baseline_hash


def _baseline(key: str) -> str:
    entry = {'type': 'Vast.ai API Key', 'filename': 'deploy.sh', 'line_number': 1,
             'hashed_secret': baseline_hash(key), 'is_verified': False}
    return json.dumps({'version': '1.5.0', 'results': {'deploy.sh': [entry]}})


def test_the_root_baseline_is_honoured_by_history_and_scan(repo: Path) -> None:
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    assert run_cli(['history'], repo).returncode == 1
    assert run_cli(['scan', '--all-files'], repo).returncode == 1

    write(repo, '.secrets.baseline', _baseline(key))
    assert run_cli(['history'], repo).returncode == 0
    assert run_cli(['scan', '--all-files'], repo).returncode == 0
    (repo / 'sub').mkdir()
    assert run_cli(['history'], repo / 'sub').returncode == 0  # found from a subfolder too


def test_an_explicit_baseline_replaces_the_root_one(repo: Path) -> None:
    key, other = new_key(), new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    write(repo, '.secrets.baseline', _baseline(key))
    write(repo, 'other.baseline', _baseline(other))
    git(repo, 'add', '.')
    assert run_cli(['scan'], repo).returncode == 0
    assert run_cli(['scan', '--baseline', 'other.baseline'], repo).returncode == 1
