"""The baseline `scan --update-baseline` writes works on a teammate's machine: its plugin
references name no file of the writer's own environment."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import baseline_hash
from vastai_guard.policy.baseline import PLUGIN_FILE


def _baseline(repo: Path) -> tuple[str, dict[str, object]]:
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo)
    result = run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo)
    assert result.returncode == 0, result.stderr
    assert f'wrote {PLUGIN_FILE}' in result.stdout
    return key, json.loads((repo / '.secrets.baseline').read_text(encoding='utf-8'))


def test_plugin_references_name_the_file_beside_the_baseline(repo: Path) -> None:
    _, data = _baseline(repo)
    plugins = data['plugins_used']
    assert isinstance(plugins, list) and plugins
    # nothing of this machine's virtualenv, site-packages or home in the shared file
    assert {plugin['path'] for plugin in plugins} == {f'file://{PLUGIN_FILE}'}
    assert (repo / PLUGIN_FILE).is_file()
    assert sys.prefix not in (repo / '.secrets.baseline').read_text(encoding='utf-8')


def test_a_baseline_in_a_subfolder_names_its_plugin_file_from_the_root(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    (repo / 'ci').mkdir()
    assert run_cli(
        ['scan', '--all-files', '--update-baseline', 'ci/.secrets.baseline'], repo,
    ).returncode == 0
    data = json.loads((repo / 'ci' / '.secrets.baseline').read_text(encoding='utf-8'))
    assert {plugin['path'] for plugin in data['plugins_used']} == {f'file://ci/{PLUGIN_FILE}'}
    assert (repo / 'ci' / PLUGIN_FILE).is_file()


def _detect_secrets_keeps_our_entry(detect_secrets: str, repo: Path, key: str) -> None:
    result = subprocess.run(
        (detect_secrets, 'scan', '--baseline', '.secrets.baseline'),
        cwd=repo, capture_output=True, text=True,
    )
    assert result.returncode == 0 and 'Traceback' not in result.stderr, result.stderr
    data = json.loads((repo / '.secrets.baseline').read_text(encoding='utf-8'))
    assert [entry['hashed_secret'] for entry in data['results']['deploy.sh']] == [
        baseline_hash(key),
    ]


def test_detect_secrets_updates_the_baseline_with_our_plugins(repo: Path) -> None:
    key, _ = _baseline(repo)
    detect_secrets = os.path.join(os.path.dirname(sys.executable), 'detect-secrets')
    _detect_secrets_keeps_our_entry(detect_secrets, repo, key)


@pytest.mark.slow
def test_a_teammates_own_virtualenv_reads_and_updates_it(repo: Path, tmp_path: Path) -> None:
    key, _ = _baseline(repo)
    teammate = tmp_path / 'teammate-venv'
    subprocess.run((sys.executable, '-m', 'venv', str(teammate)), check=True)
    subprocess.run(
        (str(teammate / 'bin' / 'python'), '-m', 'pip', 'install', '-q', str(REPO_ROOT)),
        check=True, capture_output=True,
    )
    _detect_secrets_keeps_our_entry(str(teammate / 'bin' / 'detect-secrets'), repo, key)
