"""History results GitHub code scanning can take: every SARIF result has a physical location."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from testing.sarif import validated
from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write


def _results(repo: Path) -> list[dict[str, Any]]:
    result = run_cli(['history', '--format', 'sarif'], repo)
    assert result.returncode == 1, result.stderr
    results: list[dict[str, object]] = validated(result.stdout)['runs'][0]['results']
    return results


def test_a_key_in_a_commit_message_is_anchored_at_a_file_and_names_the_commit(repo: Path) -> None:
    write(repo, 'README.md', '# app\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', f'set up\n\nvastai set api-key {new_key()}\n')
    sha = git(repo, 'rev-parse', 'HEAD').strip()

    (found,) = _results(repo)
    (location,) = found['locations']
    physical = location['physicalLocation']
    assert physical['artifactLocation']['uri'] == '.vastai-guard.yaml'
    assert '(commit message)' not in json.dumps(found)
    assert location['logicalLocations'] == [
        {'name': sha[:12], 'fullyQualifiedName': sha, 'kind': 'commit'},
    ]
    assert f'Found in the message of commit {sha}' in found['message']['text']


def test_a_key_in_a_file_gone_from_head_keeps_its_path_and_names_the_commit(repo: Path) -> None:
    write(repo, 'old/deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    sha = commit_all(repo)
    git(repo, 'rm', '-q', 'old/deploy.sh')
    commit_all(repo)

    (found,) = _results(repo)
    (location,) = found['locations']
    assert location['physicalLocation'] == {
        'artifactLocation': {'uri': 'old/deploy.sh'}, 'region': {'startLine': 1},
    }
    assert location['logicalLocations'][0]['fullyQualifiedName'] == sha


@pytest.mark.parametrize('days', ('0', '-5', 'soon'))
def test_since_rotation_days_must_be_positive(repo: Path, days: str) -> None:
    result = run_cli(['history', '--format', 'markdown', '--since-rotation-days', days], repo)
    assert result.returncode == 2
    assert 'expected a whole number of days above 0' in result.stderr
