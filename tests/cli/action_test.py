"""action.yml: the composite GitHub Action runs commands our CLI has, and its script works."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest
import yaml

from testing.sarif import validated
from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import write

ACTION = REPO_ROOT / 'action.yml'


def _action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding='utf-8'))
    return action


def _step(name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = _action()['runs']['steps']
    (step,) = [s for s in steps if s.get('name') == name]
    return step


_FAKE_PYTHON = """#!/bin/sh
# stands in for python: records its arguments; `-m venv DIR` makes DIR/bin/python this script
echo "$@" >> "$CALLS"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
"""


@pytest.mark.parametrize(
    ('version', 'installed'),
    (
        pytest.param('', '{action_path}', id='from-the-action-checkout'),
        pytest.param('0.2.0', 'vastai-guard==0.2.0', id='a-pinned-release'),
    ),
)
def test_install_step_installs_the_action_itself_or_the_version_asked(
        tmp_path: Path, version: str, installed: str,
) -> None:
    """The install step's own script, run: a venv of its own, then one pip install."""
    fake = tmp_path / 'python'
    fake.write_text(_FAKE_PYTHON)
    fake.chmod(0o755)
    calls = tmp_path / 'calls'
    action_path = tmp_path / 'action checkout'
    env = {
        **os.environ, 'PYTHON': str(fake), 'RUNNER_TEMP': str(tmp_path / 'runner'),
        'ACTION_PATH': str(action_path), 'VERSION': version, 'CALLS': str(calls),
    }
    subprocess.run(('bash', '-c', _step('Install vastai-guard')['run']), env=env, check=True)
    venv = tmp_path / 'runner' / 'vastai-guard-venv'
    assert calls.read_text().splitlines() == [
        f'-m venv {venv}',
        f'-m pip install --quiet {installed.format(action_path=action_path)}',
    ]


def test_is_a_composite_action_with_the_documented_inputs_and_outputs() -> None:
    action = _action()
    assert action['runs']['using'] == 'composite'
    assert set(action['inputs']) >= {
        'mode', 'args', 'config', 'baseline', 'version', 'range', 'format', 'upload-sarif',
    }
    assert set(action['outputs']) == {'exit-code', 'keys', 'sarif'}
    upload = _step('Upload SARIF to code scanning')
    assert upload['uses'].startswith('github/codeql-action/upload-sarif@')
    assert upload['with']['sarif_file'] == '${{ steps.run.outputs.sarif }}'


def test_inputs_never_reach_a_script_as_expressions() -> None:
    # `${{ inputs.range }}` pasted into `run:` would let a branch name run shell code
    for step in _action()['runs']['steps']:
        assert '${{' not in step.get('run', ''), step['name']


class Step(NamedTuple):
    result: subprocess.CompletedProcess[str]
    outputs: dict[str, str]
    summary: str


def _run_step(
        repo: Path, tmp_path: Path, env: dict[str, str], *, shim: str | None = None,
) -> Step:
    """The action's run step, as the runner runs it, with our CLI as the venv's."""
    runner_temp = tmp_path / 'runner-temp'
    bin_dir = runner_temp / 'vastai-guard-venv' / 'bin'
    bin_dir.mkdir(parents=True)
    for name, text in (
        ('vastai-guard', shim or f'#!/bin/sh\nexec "{sys.executable}" -m vastai_guard "$@"\n'),
        ('python', f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'),
    ):
        program = bin_dir / name
        program.write_text(text, encoding='utf-8')
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    output = tmp_path / 'github-output'
    output.write_text('', encoding='utf-8')
    summary = tmp_path / 'step-summary'
    summary.write_text('', encoding='utf-8')
    defaults = {'ARGS': '', 'CONFIG': '', 'BASELINE': '', 'RANGE': '', 'FORMAT': 'github',
                'SARIF_FILE': 'vastai-guard.sarif'}
    result = subprocess.run(
        # the runner's own bash flags for `shell: bash`
        ('bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', _step('Run vastai-guard')['run']),
        cwd=repo, capture_output=True, text=True,
        env={
            **os.environ, **defaults, **env,
            'RUNNER_TEMP': str(runner_temp), 'GITHUB_OUTPUT': str(output),
            'GITHUB_STEP_SUMMARY': str(summary), 'ACTION_PATH': str(ACTION.parent),
            'PYTHONPATH': str(ACTION.parent),
        },
    )
    outputs = dict(
        line.split('=', 1) for line in output.read_text(encoding='utf-8').splitlines()
    )
    return Step(result, outputs, summary.read_text(encoding='utf-8'))


def test_scan_mode_annotates_and_sets_the_outputs(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    step = _run_step(repo, tmp_path, {'MODE': 'scan'})
    assert step.result.returncode == 0, step.result.stderr  # a later step fails the job
    assert step.outputs == {'exit-code': '1', 'keys': '1', 'sarif': 'vastai-guard.sarif'}
    annotation = [line for line in step.result.stdout.splitlines() if line.startswith('::')]
    assert annotation[0].startswith('::error file=.env,line=1,title=vast-api-key::')
    validated((repo / 'vastai-guard.sarif').read_text(encoding='utf-8'))
    assert key not in step.result.stdout + step.result.stderr


def test_annotations_match_the_cli_github_format(repo: Path, tmp_path: Path) -> None:
    write(repo, 'src/my app.py', f'VAST_API_KEY = "{new_key()}"\n')
    git(repo, 'add', '.')
    step = _run_step(repo, tmp_path, {'MODE': 'scan'})
    from testing.util import run_cli

    direct = run_cli(['scan', '--all-files', '--format', 'github'], repo).stdout
    shown = [line for line in step.result.stdout.splitlines() if line.startswith('::')]
    assert shown == direct.splitlines()


def _pull_request(repo: Path, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """main with an old key, then a pull request commit adding a new one; the event file."""
    write(repo, 'old.sh', f'export VAST_API_KEY={new_key()}\n')
    base = commit_all(repo, 'old')
    key = new_key()
    write(repo, 'new.sh', f'export VAST_API_KEY={key}\n')
    head = commit_all(repo, 'pull request')
    event = tmp_path / 'event.json'
    event.write_text(json.dumps(
        {'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}},
    ), encoding='utf-8')
    return key, {'GITHUB_EVENT_PATH': str(event)}


def test_history_takes_the_pull_request_range_from_the_event(repo: Path, tmp_path: Path) -> None:
    key, env = _pull_request(repo, tmp_path)
    step = _run_step(repo, tmp_path, {'MODE': 'history', **env})
    assert step.outputs['exit-code'] == '1'
    assert step.outputs['keys'] == '1'  # the old key is before the range
    assert 'new.sh' in step.result.stdout and 'old.sh' not in step.result.stdout
    # the Markdown rotation plan on the run's page
    assert step.summary.startswith('# Vast.ai key rotation plan')
    assert '1 Vast.ai key found in 1 commit' in step.summary
    assert key not in step.summary + step.result.stdout


def test_config_baseline_and_args_reach_the_cli(repo: Path, tmp_path: Path) -> None:
    argv_file = tmp_path / 'argv'
    shim = f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{argv_file}"; echo --- >> "{argv_file}"\n'
    _, env = _pull_request(repo, tmp_path)
    _run_step(repo, tmp_path, {
        'MODE': 'history', 'CONFIG': 'ci/guard.yaml', 'BASELINE': 'known.json',
        'ARGS': "--include-unreachable --repo 'a b'", **env,
    }, shim=shim)
    runs = [run.strip().splitlines() for run in argv_file.read_text().split('---') if run.strip()]
    first = runs[0]
    assert first[:2] == ['history', '--range']
    assert first[first.index('--config') + 1] == 'ci/guard.yaml'
    assert first[first.index('--baseline') + 1] == 'known.json'
    assert first[first.index('--repo') + 1] == 'a b'
    assert first[-4:] == ['--format', 'sarif', '--output', 'vastai-guard.sarif']
    from vastai_guard.main import _parser

    for argv in runs:
        assert _parser().parse_args(argv).command == 'history'


def test_an_unknown_mode_fails_the_step(repo: Path, tmp_path: Path) -> None:
    step = _run_step(repo, tmp_path, {'MODE': 'everything'})
    assert step.result.returncode == 2
    assert "mode must be scan, history or gitignore, not 'everything'" in step.result.stdout
    assert step.outputs == {}


@pytest.mark.parametrize(
    'env',
    (
        pytest.param({'MODE': 'scan'}, id='scan'),
        pytest.param({'MODE': 'scan', 'FORMAT': 'json'}, id='scan-json'),
        pytest.param({'MODE': 'history', 'RANGE': 'origin/main..HEAD'}, id='history'),
        pytest.param({'MODE': 'scan', 'RANGE': 'origin/main..HEAD'}, id='scan-pull-request'),
        pytest.param({'MODE': 'gitignore', 'FORMAT': 'text'}, id='gitignore'),
    ),
)
def test_every_mode_runs_command_lines_our_cli_accepts(
        repo: Path, tmp_path: Path, env: dict[str, str],
) -> None:
    from vastai_guard.main import _parser

    argv_file = tmp_path / 'argv'
    shim = f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{argv_file}"; echo --- >> "{argv_file}"\n'
    _run_step(repo, tmp_path, env, shim=shim)
    runs = [run.strip().splitlines() for run in argv_file.read_text().split('---') if run.strip()]
    for argv in runs:
        assert argv[0] == env['MODE']
        if env.get('RANGE') and env['MODE'] == 'history':
            assert argv[argv.index('--range') + 1] == env['RANGE']
        if env.get('RANGE') and env['MODE'] == 'scan':
            # a pull request is judged by its base's policy, not the one it brings
            assert argv[argv.index('--policy-from') + 1] == 'origin/main'
        args = _parser().parse_args(argv)  # argparse exits 2 on an unknown command or flag
        assert args.command == env['MODE']


def test_the_sarif_report_is_written_outside_the_checkout_by_default(
        repo: Path, tmp_path: Path,
) -> None:
    # a pull request can commit `vastai-guard.sarif` as a link to a file of the runner's
    victim = tmp_path / 'runner-file'
    victim.write_text('kept', encoding='utf-8')
    (repo / 'vastai-guard.sarif').symlink_to(victim)
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')

    step = _run_step(repo, tmp_path, {'MODE': 'scan', 'SARIF_FILE': ''})

    written = tmp_path / 'runner-temp' / 'vastai-guard.sarif'
    assert step.outputs['sarif'] == str(written)
    validated(written.read_text(encoding='utf-8'))
    assert victim.read_text(encoding='utf-8') == 'kept'


def test_a_sarif_path_that_is_a_link_out_of_the_checkout_is_refused(
        repo: Path, tmp_path: Path,
) -> None:
    victim = tmp_path / 'runner-file'
    victim.write_text('kept', encoding='utf-8')
    (repo / 'report.sarif').symlink_to(victim)
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')

    step = _run_step(repo, tmp_path, {'MODE': 'scan', 'SARIF_FILE': 'report.sarif'})

    assert step.outputs['exit-code'] == '2'
    assert 'not followed' in step.result.stderr
    assert victim.read_text(encoding='utf-8') == 'kept'
