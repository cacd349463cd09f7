"""Which config file a run reads: `--config FILE`, `VASTAI_GUARD_CONFIG`, or the root's."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint


def _staged_key(repo: Path) -> str:
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    return key


@pytest.mark.parametrize('command', (['scan'], ['history']))
def test_a_config_named_but_missing_is_exit_2(repo: Path, command: list[str]) -> None:
    _staged_key(repo)
    commit_all(repo)
    result = run_cli([*command, '--config', 'ci/guard.yaml'], repo)
    assert result.returncode == 2
    assert result.stderr == (
        'vastai-guard: error: ci/guard.yaml: config file not found (named by --config)\n'
    )


def test_the_env_var_names_the_config(repo: Path, tmp_path: Path) -> None:
    key = _staged_key(repo)
    shared = tmp_path / 'shared.yaml'
    shared.write_text(f'allow_fingerprints:\n  - {fingerprint(key)}\n', encoding='utf-8')
    assert run_cli(['scan'], repo).returncode == 1
    assert run_cli(['scan'], repo, env={'VASTAI_GUARD_CONFIG': str(shared)}).returncode == 0
    # --config wins over the variable
    write(repo, 'empty.yaml', '')
    named = run_cli(
        ['scan', '--config', 'empty.yaml'], repo, env={'VASTAI_GUARD_CONFIG': str(shared)},
    )
    assert named.returncode == 1


def test_the_env_var_naming_a_missing_file_is_exit_2(repo: Path) -> None:
    result = run_cli(['history'], repo, env={'VASTAI_GUARD_CONFIG': 'nowhere.yaml'})
    assert result.returncode == 2
    assert 'nowhere.yaml: config file not found (named by VASTAI_GUARD_CONFIG)' in result.stderr


def test_no_config_anywhere_is_the_defaults(repo: Path) -> None:
    commit_all(repo)
    assert run_cli(['scan', '--all-files'], repo).returncode == 0
