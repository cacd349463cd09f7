"""The GitHub Action's run step (action.yml): inputs in, vastai-guard run, outputs out.

Standard library only, and the installed vastai-guard is run as a program (`VASTAI_GUARD`),
never imported: the `version` input may install another release than this file's.

    inputs (env)  MODE, ARGS, CONFIG, BASELINE, RANGE, FORMAT, SARIF_FILE
    GitHub (env)  GITHUB_EVENT_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
    outputs       exit-code, keys (distinct keys at level error), sarif (the SARIF path)
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

MODES = ('scan', 'history', 'gitignore')
_ZERO_SHA = frozenset('0')
_FINGERPRINT_KEY = 'vastaiGuardFingerprint/v1'


def event_range(event_path: str | None) -> str | None:
    """BASE..HEAD of the pull request (or push) that triggered the workflow, if any."""
    if not event_path:
        return None
    try:
        with open(event_path, encoding='utf-8') as f:
            event = json.load(f)
    except (OSError, ValueError):
        return None
    pull = event.get('pull_request') if isinstance(event, dict) else None
    if isinstance(pull, dict):
        base = (pull.get('base') or {}).get('sha')
        head = (pull.get('head') or {}).get('sha')
        if base and head:
            return f'{base}..{head}'
    if isinstance(event, dict) and event.get('before') and event.get('after'):
        # a push; all zeros: a new branch, whose whole history is the range (no base)
        if set(event['before']) != _ZERO_SHA:
            return f'{event["before"]}..{event["after"]}'
    return None


def command(env: Mapping[str, str]) -> list[str]:
    """The vastai-guard arguments for the inputs, before the report format."""
    mode = env.get('MODE', 'scan')
    if mode == 'scan':
        args = ['scan', '--all-files']
        # a pull request is judged by its base's config and baseline, not by the ones it brings
        spec = env.get('RANGE') or event_range(env.get('GITHUB_EVENT_PATH'))
        if spec and '..' in spec and spec.split('..', 1)[0]:
            args += ['--policy-from', spec.split('..', 1)[0].rstrip('.')]
    elif mode == 'history':
        args = ['history']
        spec = env.get('RANGE') or event_range(env.get('GITHUB_EVENT_PATH'))
        if spec:
            args += ['--range', spec]
    else:
        args = ['gitignore']
    if env.get('CONFIG') and mode != 'gitignore':
        args += ['--config', env['CONFIG']]
    if env.get('BASELINE') and mode != 'gitignore':
        args += ['--baseline', env['BASELINE']]
    # word-split as a shell would, but no shell ever sees it
    return args + shlex.split(env.get('ARGS', ''))


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')
    return text.replace(':', '%3A').replace(',', '%2C') if prop else text


def github_annotations(sarif: dict[str, Any]) -> list[str]:
    """GitHub workflow commands for the SARIF results, as `--format github` writes them."""
    from urllib.parse import unquote

    lines = []
    for run in sarif.get('runs', []):
        for result in run.get('results', []):
            physical = result['locations'][0]['physicalLocation']
            props = [('file', unquote(physical['artifactLocation']['uri']))]
            if 'region' in physical:
                props.append(('line', str(physical['region']['startLine'])))
            props.append(('title', result['ruleId']))
            level = {'error': 'error', 'note': 'notice'}.get(result.get('level'), 'warning')
            shown = ','.join(f'{name}={_escape(value, prop=True)}' for name, value in props)
            lines.append(f'::{level} {shown}::{_escape(result["message"]["text"])}')
    return lines


def count_keys(sarif: dict[str, Any]) -> int:
    """Distinct keys reported at level error (found, or needing rotation)."""
    keys = set()
    for run in sarif.get('runs', []):
        for result in run.get('results', []):
            fingerprint = result.get('partialFingerprints', {}).get(_FINGERPRINT_KEY, '')
            if result.get('level') == 'error' and not result['ruleId'].startswith('gitignore-'):
                keys.add(fingerprint.split(':', 1)[0])
    return len(keys)


def _run(program: str, args: list[str]) -> int:
    sys.stdout.flush()
    return subprocess.run((program, *args), check=False).returncode


def main(env: Mapping[str, str] = os.environ) -> int:
    mode = env.get('MODE', 'scan')
    if mode not in MODES:
        print(f"::error title=vastai-guard::mode must be scan, history or gitignore, not '{mode}'")
        return 2
    program = env['VASTAI_GUARD']
    # outside the checkout by default: a pull request can commit `vastai-guard.sarif` as a
    # link to a file of the runner's; a path the workflow names is its own choice
    sarif_path = env.get('SARIF_FILE') or os.path.join(
        env.get('RUNNER_TEMP') or '.', 'vastai-guard.sarif',
    )
    args = command(env)
    code = _run(program, [*args, '--format', 'sarif', '--output', sarif_path])
    try:
        with open(sarif_path, encoding='utf-8') as f:
            sarif = json.load(f)
    except (OSError, ValueError):
        sarif = None  # the run failed before writing (exit 2): its message is in the log
    output_format = env.get('FORMAT') or 'github'
    if sarif is not None and output_format == 'github':
        print('\n'.join(github_annotations(sarif)))
    elif sarif is not None and output_format != 'sarif':
        _run(program, [*args, '--format', output_format])
    summary = env.get('GITHUB_STEP_SUMMARY')
    if sarif is not None and mode == 'history' and summary:
        # the rotation plan on the run's page: a second, report-only pass over the same range
        plan = os.path.join(env.get('RUNNER_TEMP', '.'), 'vastai-guard-plan.md')
        if _run(program, [*args, '--format', 'markdown', '--output', plan]) in (0, 1):
            with open(plan, encoding='utf-8') as src, open(summary, 'a', encoding='utf-8') as dst:
                dst.write(src.read())
    outputs = {
        'exit-code': str(code),
        'keys': str(count_keys(sarif) if sarif is not None else 0),
        'sarif': sarif_path if sarif is not None else '',
    }
    with open(env['GITHUB_OUTPUT'], 'a', encoding='utf-8') as f:
        f.writelines(f'{name}={value}\n' for name, value in outputs.items())
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
