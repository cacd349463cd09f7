"""Baselines: `.secrets.baseline` at the root is honoured by `scan` and `history` alike."""
from __future__ import annotations

import json
import subprocess
import sys
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


def test_the_root_baseline_is_honoured_by_history(repo: Path) -> None:
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    assert run_cli(['history'], repo).returncode == 1

    write(repo, '.secrets.baseline', _baseline(key))
    assert run_cli(['history'], repo).returncode == 0
    # scan is the commit hook: it reads the baseline its args name, as detect-secrets-hook does
    assert run_cli(['scan', '--all-files'], repo).returncode == 1
    assert run_cli(['scan', '--all-files', '--baseline', '.secrets.baseline'], repo).returncode == 0
    (repo / 'sub').mkdir()
    assert run_cli(['history'], repo / 'sub').returncode == 0  # found from a subfolder too


def test_an_explicit_baseline_replaces_the_root_one(repo: Path) -> None:
    key, other = new_key(), new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    write(repo, '.secrets.baseline', _baseline(key))
    write(repo, 'other.baseline', _baseline(other))
    commit_all(repo)
    assert run_cli(['history'], repo).returncode == 0
    assert run_cli(['history', '--baseline', 'other.baseline'], repo).returncode == 1


def _leaky(repo: Path) -> list[str]:
    keys = [new_key(), new_key()]
    write(repo, 'deploy.sh', f'export VAST_API_KEY={keys[0]}\n')
    write(repo, 'docs/setup.md', f'    vastai set api-key {keys[1]}\n')
    commit_all(repo)
    return keys


def test_update_baseline_writes_a_baseline_our_scan_reads_back(repo: Path) -> None:
    keys = _leaky(repo)
    result = run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        'vastai-guard: wrote .secrets.baseline: 2 Vast.ai keys in 2 files recorded as known\n'
        'vastai-guard: wrote vastai_guard_plugins.py: detect-secrets loads the Vast.ai plugins '
        'through it (from the installed vastai-guard); commit it with the baseline\n'
    )
    text = (repo / '.secrets.baseline').read_text(encoding='utf-8')
    assert not any(key in text for key in keys)
    data = json.loads(text)
    assert data['results']['deploy.sh'] == [{
        'type': 'Vast.ai API Key', 'filename': 'deploy.sh',
        'hashed_secret': baseline_hash(keys[0]), 'is_verified': False, 'line_number': 1,
    }]
    assert {p['name'] for p in data['plugins_used']} >= {'VastAIKeyDetector', 'VastAICLIKeyDetector'}
    # read back: named, or found at the root by history
    assert run_cli(['scan', '--all-files', '--baseline', '.secrets.baseline'], repo).returncode == 0
    assert run_cli(['history'], repo).returncode == 0
    (repo / '.secrets.baseline').rename(repo / 'known.json')
    assert run_cli(['scan', '--all-files', '--baseline', 'known.json'], repo).returncode == 0
    # a new key is still reported
    write(repo, 'new.sh', f'export VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    again = run_cli(['scan', '--all-files', '--baseline', 'known.json'], repo)
    assert again.returncode == 1 and 'new.sh:1' in again.stdout and 'deploy.sh' not in again.stdout


def test_detect_secrets_loads_it_as_its_audit_does(repo: Path) -> None:
    keys = _leaky(repo)
    assert run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo).returncode == 0
    # detect-secrets' global settings: loaded in a process of its own
    script = (
        'from detect_secrets.core import baseline\n'
        'data = baseline.load_from_file(".secrets.baseline")\n'
        'secrets = baseline.load(data, ".secrets.baseline")\n'
        'for filename, secret in secrets:\n'
        '    print(filename, secret.type, secret.secret_hash, secret.line_number)\n'
    )
    result = subprocess.run(
        (sys.executable, '-c', script), cwd=repo, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == sorted([
        f'deploy.sh Vast.ai API Key {baseline_hash(keys[0])} 1',
        f'docs/setup.md Vast.ai API Key (CLI argument) {baseline_hash(keys[1])} 1',
    ])


def test_updating_keeps_other_plugins_entries_and_audit_marks(repo: Path) -> None:
    keys = _leaky(repo)
    other = {'type': 'AWS Access Key', 'filename': 'aws.cfg', 'hashed_secret': '0' * 40,
             'is_verified': False, 'line_number': 3}
    audited = {'type': 'Vast.ai API Key', 'filename': 'deploy.sh',
               'hashed_secret': baseline_hash(keys[0]), 'is_verified': False,
               'line_number': 1, 'is_secret': True}
    write(repo, '.secrets.baseline', json.dumps({
        'version': '1.5.0', 'plugins_used': [{'name': 'AWSKeyDetector'}], 'filters_used': [],
        'results': {'aws.cfg': [other], 'deploy.sh': [audited]},
    }))
    assert run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo).returncode == 0
    data = json.loads((repo / '.secrets.baseline').read_text(encoding='utf-8'))
    assert data['results']['aws.cfg'] == [other]
    assert data['results']['deploy.sh'] == [audited]
    assert 'AWSKeyDetector' in {p['name'] for p in data['plugins_used']}


def test_update_baseline_needs_all_files(repo: Path) -> None:
    result = run_cli(['scan', '--update-baseline', '.secrets.baseline'], repo)
    assert result.returncode == 2
    assert 'add --all-files' in result.stderr
    assert not (repo / '.secrets.baseline').exists()
