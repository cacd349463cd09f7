"""action.yml: the composite GitHub Action runs commands our CLI has, and its script works."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.sarif import validated
from testing.util import git
from testing.util import new_key
from testing.util import write

ACTION = Path(__file__).parent.parent / 'action.yml'


def _action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding='utf-8'))
    return action


def _step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = _action()['runs']['steps']
    (step,) = [s for s in steps if s.get('name') == name]
    return step


def test_is_a_composite_action_installing_from_its_own_path() -> None:
    action = _action()
    assert action['runs']['using'] == 'composite'
    assert set(action['inputs']) >= {'mode', 'range', 'format', 'upload-sarif'}
    install = _step('Install vastai-guard')
    assert install['env']['ACTION_PATH'] == '${{ github.action_path }}'
    assert 'pip install --quiet "$ACTION_PATH"' in install['run']
    upload = _step('Upload SARIF to code scanning')
    assert upload['uses'].startswith('github/codeql-action/upload-sarif@')
    assert upload['with']['sarif_file'] == '${{ inputs.sarif-file }}'


def test_inputs_never_reach_a_script_as_expressions() -> None:
    # `${{ inputs.range }}` pasted into `run:` would let a branch name run shell code
    for step in _action()['runs']['steps']:
        assert '${{' not in step.get('run', ''), step['name']


def _run_step(
        repo: Path, tmp_path: Path, env: dict[str, str], *, shim: str | None = None,
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The action's run script, as the runner would run it, with our CLI as the venv's."""
    runner_temp = tmp_path / 'runner-temp'
    bin_dir = runner_temp / 'vastai-guard-venv' / 'bin'
    bin_dir.mkdir(parents=True)
    program = bin_dir / 'vastai-guard'
    program.write_text(
        shim or f'#!/bin/sh\nexec "{sys.executable}" -m vastai_guard "$@"\n', encoding='utf-8',
    )
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    output = tmp_path / 'github-output'
    output.write_text('', encoding='utf-8')
    defaults = {'RANGE': '', 'FORMAT': 'github', 'UPLOAD_SARIF': 'false',
                'SARIF_FILE': 'vastai-guard.sarif'}
    result = subprocess.run(
        # the runner's own bash flags for `shell: bash`
        ('bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', _step('Run vastai-guard')['run']),
        cwd=repo, capture_output=True, text=True,
        env={
            **os.environ, **defaults, **env,
            'RUNNER_TEMP': str(runner_temp), 'GITHUB_OUTPUT': str(output),
            'PYTHONPATH': str(Path(__file__).parent.parent),
        },
    )
    outputs = dict(
        line.split('=', 1) for line in output.read_text(encoding='utf-8').splitlines()
    )
    return result, outputs


def test_scan_mode_annotates_and_reports_the_exit_code(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    result, outputs = _run_step(repo, tmp_path, {'MODE': 'scan'})
    assert result.returncode == 0, result.stderr  # the step records; a later step fails the job
    assert outputs == {'exit-code': '1'}
    assert result.stdout.startswith('::error file=.env,line=1,title=vast-api-key::')
    assert key not in result.stdout + result.stderr


def test_upload_sarif_writes_a_valid_sarif_file(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, 'src/app.py', f'VAST_API_KEY = "{key}"\n')
    git(repo, 'add', '.')
    result, outputs = _run_step(
        repo, tmp_path, {'MODE': 'scan', 'UPLOAD_SARIF': 'true', 'SARIF_FILE': 'out.sarif'},
    )
    assert outputs == {'exit-code': '1'}
    text = (repo / 'out.sarif').read_text(encoding='utf-8')
    (found,) = validated(text)['runs'][0]['results']
    assert found['locations'][0]['physicalLocation']['artifactLocation']['uri'] == 'src/app.py'
    assert key not in text + result.stdout


def test_an_unknown_mode_fails_the_step(repo: Path, tmp_path: Path) -> None:
    result, outputs = _run_step(repo, tmp_path, {'MODE': 'everything'})
    assert result.returncode == 2
    assert "mode must be scan, history or gitignore, not 'everything'" in result.stdout
    assert outputs == {}


@pytest.mark.parametrize(
    'env',
    (
        pytest.param({'MODE': 'scan'}, id='scan'),
        pytest.param({'MODE': 'scan', 'UPLOAD_SARIF': 'true'}, id='scan-sarif'),
        pytest.param({'MODE': 'history', 'RANGE': 'origin/main..HEAD'}, id='history'),
        pytest.param({'MODE': 'history', 'UPLOAD_SARIF': 'true'}, id='history-sarif'),
        pytest.param({'MODE': 'gitignore', 'FORMAT': 'json'}, id='gitignore'),
    ),
)
def test_every_mode_runs_a_command_line_our_cli_accepts(
        repo: Path, tmp_path: Path, env: dict[str, str],
) -> None:
    from vastai_guard.main import _parser

    argv_file = tmp_path / 'argv'
    _run_step(repo, tmp_path, env, shim=f'#!/bin/sh\nprintf "%s\\n" "$@" > "{argv_file}"\n')
    argv = argv_file.read_text(encoding='utf-8').splitlines()
    assert argv[0] == env['MODE']
    if env.get('RANGE'):
        assert argv[argv.index('--range') + 1] == env['RANGE']
    args = _parser().parse_args(argv)  # argparse exits 2 on an unknown command or flag
    assert args.command == env['MODE']
