"""A new user's first hour, end to end: real git, real pre-commit, the installed vastai-guard.

`init --local` writes `language: system` hooks, so pre-commit builds no environment and needs
no network: installing vastai-guard (given here: the test's own environment) is the only step
before this test's first command.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from testing.util import GIT_ENV
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.findings import fingerprint


class Shell:
    """A person's shell in their repository: the venv's tools on PATH, their own git."""

    def __init__(self, repo: Path, tmp_path: Path) -> None:
        self.repo = repo
        self.env = {
            **os.environ, **GIT_ENV,
            'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
            'PRE_COMMIT_HOME': str(tmp_path / 'pre-commit-home'),
        }
        self.outputs: list[str] = []

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            args, cwd=self.repo, env=self.env, capture_output=True, text=True, check=False,
        )
        self.outputs.append(result.stdout + result.stderr)
        return result


def test_install_init_blocked_commit_history_and_ci(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'app')
    run = Shell(repo, tmp_path)
    write(repo, 'README.md', '# app\n')
    assert run('git', 'add', '.').returncode == 0
    assert run('git', 'commit', '-q', '-m', 'start').returncode == 0

    # 1. protect commits: one command
    init = run('vastai-guard', 'init', '--local')
    assert init.returncode == 0, init.stderr
    assert 'created .pre-commit-config.yaml (vastai-secrets, vastai-gitignore)' in init.stdout
    hooks = yaml.safe_load((repo / '.pre-commit-config.yaml').read_text())['repos'][0]['hooks']
    assert {hook['language'] for hook in hooks} == {'system'}
    assert '.env' in (repo / '.gitignore').read_text().splitlines()
    run('git', 'add', '.')
    setup = run('git', 'commit', '-q', '-m', 'vastai-guard hooks')
    assert setup.returncode == 0, setup.stdout + setup.stderr  # the hooks pass on it

    # 2. a key staged by mistake: the commit is blocked, and told it leaked nowhere yet
    key = new_key()
    write(repo, 'deploy.sh', f'#!/bin/sh\nexport VAST_API_KEY={key}\nvastai show instances\n')
    run('git', 'add', 'deploy.sh')
    blocked = run('git', 'commit', '-q', '-m', 'deploy script')
    assert blocked.returncode != 0
    output = blocked.stdout + blocked.stderr
    assert 'deploy.sh:2: vast-api-key:' in output
    assert 'The key is not in any commit yet: keep it that way.' in output
    assert run('git', 'rev-list', '--count', 'HEAD').stdout.strip() == '2'

    # 3. committed anyway (--no-verify): history finds it, names the branch, says what to do
    assert run('git', 'commit', '-q', '--no-verify', '-m', 'deploy script').returncode == 0
    history = run('vastai-guard', 'history')
    assert history.returncode == 1
    assert 'needs-rotation: vast-api-key' in history.stdout
    assert 'refs:        refs/heads/main' in history.stdout
    assert '2. Remove it from the file (deploy.sh): it is still in HEAD.' in history.stdout
    assert f'vastai-guard rotated {fingerprint(key)[:12]}' in history.stdout

    # 4. CI: the same checks as a pull request step runs them
    ci_scan = run('vastai-guard', 'scan', '--all-files', '--format', 'github')
    assert ci_scan.returncode == 1
    assert ci_scan.stdout.startswith('::error file=deploy.sh,line=2')
    ci_history = run('vastai-guard', 'history', '--format', 'json')
    (found,) = json.loads(ci_history.stdout)['keys']
    assert (found['fingerprint'], found['refs']) == (fingerprint(key), ['refs/heads/main'])

    # 5. rotated and removed: the next commit passes, history passes
    assert run('vastai-guard', 'rotated', fingerprint(key)[:12], '--note', 'reset').returncode == 0
    write(repo, 'deploy.sh', '#!/bin/sh\nvastai show instances  # key from VAST_API_KEY\n')
    run('git', 'add', '.')
    fixed = run('git', 'commit', '-q', '-m', 'key from the environment; rotated')
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert run('vastai-guard', 'history').returncode == 0
    assert run('vastai-guard', 'scan', '--all-files').returncode == 0

    for text in run.outputs:
        assert key not in text
