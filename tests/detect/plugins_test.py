"""The detect-secrets plugins, run by detect-secrets itself."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import vastai_guard.detect.plugins
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.detect import rules
from vastai_guard.findings import baseline_hash

PLUGIN_FILE = vastai_guard.detect.plugins.__file__


def _detect_secrets(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # -n: detect-secrets verifies built-in findings over the network by default
    return subprocess.run(
        (sys.executable, '-m', 'detect_secrets', *args),
        cwd=cwd, capture_output=True, text=True, check=False,
    )


def _vast_results(baseline: dict[str, dict[str, list[dict[str, object]]]]) -> set[tuple[object, ...]]:
    """(file, type, line, hashed_secret) of every Vast.ai result; built-in plugins may add more."""
    vast_types = {rule.secret_type for rule in rules.ALL_RULES}
    return {
        (name, entry['type'], entry['line_number'], entry['hashed_secret'])
        for name, entries in baseline['results'].items()
        for entry in entries
        if entry['type'] in vast_types
    }


def test_every_rule_has_one_plugin_with_a_stable_secret_type() -> None:
    assert [d.rule for d in vastai_guard.detect.plugins.DETECTORS] == list(rules.ALL_RULES)
    assert len({d.secret_type for d in vastai_guard.detect.plugins.DETECTORS}) == len(rules.ALL_RULES)
    # baselines key on these names: changing one breaks every user's baseline
    assert vastai_guard.detect.plugins.VastAIKeyDetector.secret_type == 'Vast.ai API Key'


def test_detect_secrets_scan_with_the_plugin_file(tmp_path: Path) -> None:
    env_key, cli_key, file_key, url_key = (new_key() for _ in range(4))
    write(tmp_path, '.env', f'# local\nVAST_API_KEY={env_key}\n')
    write(tmp_path, 'README.md', f'Log in:\n\n    vastai set api-key {cli_key}\n')
    write(tmp_path, 'home/.vast_api_key', f'{file_key}\n')
    write(
        tmp_path, 'client.sh',
        f'curl -s \\\n  -H "Authorization: Bearer {url_key}" \\\n'
        '  https://console.vast.ai/api/v0/instances/\n',
    )
    write(tmp_path, 'poetry.lock', f'name = "vastai"\nhash = "sha256:{new_key()}"\n')

    result = _detect_secrets(
        'scan', '-n', '--all-files', '--plugin', PLUGIN_FILE, '.', cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert _vast_results(json.loads(result.stdout)) == {
        ('.env', 'Vast.ai API Key', 2, baseline_hash(env_key)),
        ('README.md', 'Vast.ai API Key (CLI argument)', 3, baseline_hash(cli_key)),
        ('home/.vast_api_key', 'Vast.ai API Key (CLI key file)', 1, baseline_hash(file_key)),
        ('client.sh', 'Vast.ai API Key (request to a Vast.ai host)', 2, baseline_hash(url_key)),
    }


def test_detect_secrets_hook_blocks_with_the_plugin(tmp_path: Path) -> None:
    key = new_key()
    write(tmp_path, 'deploy.sh', f'export VAST_API_KEY="{key}"\n')
    result = subprocess.run(
        (
            sys.executable, '-m', 'detect_secrets.pre_commit_hook', '-n',
            '--plugin', PLUGIN_FILE, 'deploy.sh',
        ),
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert 'Vast.ai API Key' in result.stdout


def test_audit_works_through_the_plugins_module(tmp_path: Path) -> None:
    key = new_key()
    write(tmp_path, 'a.env', f'VAST_API_KEY={key}\n')
    baseline = _detect_secrets('scan', '-n', '--plugin', PLUGIN_FILE, 'a.env', cwd=tmp_path)
    write(tmp_path, '.secrets.baseline', baseline.stdout)

    # detect-secrets' own audit cannot load custom plugin types (Yelp/detect-secrets#611) ...
    assert _detect_secrets('audit', '--stats', '.secrets.baseline', cwd=tmp_path).returncode != 0
    # ... the plugins module registers them first
    result = subprocess.run(
        (sys.executable, '-m', 'vastai_guard.detect.plugins', 'audit', '--stats', '--json',
         '.secrets.baseline'),
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert 'VastAIKeyDetector' in json.loads(result.stdout)


def test_baseline_from_detect_secrets_suppresses_in_scan(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    known = new_key()
    write(repo, 'a.env', f'VAST_API_KEY={known}\n')
    baseline = _detect_secrets('scan', '-n', '--plugin', PLUGIN_FILE, 'a.env', cwd=repo)
    write(repo, '.secrets.baseline', baseline.stdout)
    git(repo, 'add', '.')
    assert run_cli(['scan', '--all-files'], cwd=repo).returncode == 1
    assert run_cli(['scan', '--all-files', '--baseline', '.secrets.baseline'], cwd=repo).returncode == 0


@pytest.mark.parametrize(
    'line',
    (
        pytest.param('vastai set api-key {key}', id='cli'),
        pytest.param('URL = "https://console.vast.ai/api/v0/?api_key={key}"', id='url'),
        pytest.param('CONTAINER_API_KEY={key}', id='container'),
    ),
)
def test_adhoc_string_scan(line: str) -> None:
    """analyze_string (detect-secrets scan --string) finds the same keys."""
    key = new_key()
    found = [
        (detector.rule, secret)
        for detector in vastai_guard.detect.plugins.DETECTORS
        for secret in detector().analyze_string(line.replace('{key}', key))
    ]
    assert [secret for _, secret in found] == [key]
