"""Time the pre-commit hook path against detect-secrets-hook, in one run.

Builds a repository with 20 staged files shaped like a real commit (code, lockfiles with
SHA-256 hashes, docs, a compose file; about 85 KB), then runs, alternately so that machine
drift hits both alike:

    vastai-guard scan FILE...            (what the vastai-secrets hook runs)
    detect-secrets-hook -n FILE...       (what the detect-secrets hook runs, offline)

and prints the median wall time of each and their ratio. Target: vastai-guard at most a quarter
of detect-secrets-hook.

    python benchmarks/scan_hook.py [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def _lockfile(entries: int) -> str:
    parts = []
    for i in range(entries):
        parts.append(
            f'[[package]]\nname = "pkg{i}"\nversion = "1.{i}.0"\n'
            f'files = [\n    {{file = "pkg{i}-1.{i}.0.tar.gz", hash = "sha256:{secrets.token_hex(32)}"}},\n'
            f'    {{file = "pkg{i}-1.{i}.0-py3-none-any.whl", hash = "sha256:{secrets.token_hex(32)}"}},\n]\n\n',
        )
    return ''.join(parts)


def _code(lines: int, seed: int) -> str:
    body = [f'def function_{seed}_{i}(x: int) -> int:\n    return x * {i} + {seed}\n\n' for i in range(lines)]
    return 'import os\n\nAPI_URL = "https://console.vast.ai/api/v0"\n' \
        'VAST_API_KEY = os.environ["VAST_API_KEY"]\n\n' + ''.join(body)


def _docs(paragraphs: int) -> str:
    return ''.join(
        f'## Section {i}\n\nRent a GPU with `vastai search offers`, then set your key with '
        '`vastai set api-key $VAST_API_KEY`. Digests such as '
        f'sha256:{secrets.token_hex(32)} pin the image.\n\n'
        for i in range(paragraphs)
    )


def build_repo(path: Path) -> list[str]:
    files: dict[str, str] = {
        'poetry.lock': _lockfile(60),
        'requirements.txt': ''.join(
            f'pkg{i}==1.0 --hash=sha256:{secrets.token_hex(32)}\n' for i in range(40)
        ),
        'README.md': _docs(20),
        'docs/usage.md': _docs(15),
        'docker-compose.yml': 'services:\n  app:\n    image: vastai/pytorch@sha256:'
        + secrets.token_hex(32) + '\n    environment:\n      - VAST_API_KEY=${VAST_API_KEY}\n',
        '.env.example': 'VAST_API_KEY=your_api_key_here\n',
    }
    for i in range(14):
        files[f'src/module_{i}.py'] = _code(60, i)
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {**os.environ, 'GIT_AUTHOR_NAME': 'b', 'GIT_AUTHOR_EMAIL': 'b@example.invalid',
           'GIT_COMMITTER_NAME': 'b', 'GIT_COMMITTER_EMAIL': 'b@example.invalid'}
    subprocess.run(('git', 'init', '-q'), cwd=path, check=True, env=env)
    subprocess.run(('git', 'add', '-A'), cwd=path, check=True, env=env)
    return sorted(files)


def _time(command: Sequence[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15)
    args = parser.parse_args(argv)

    ours = shutil.which('vastai-guard')
    theirs = shutil.which('detect-secrets-hook')
    if ours is None or theirs is None:
        print('needs vastai-guard and detect-secrets-hook on PATH (pip install -e .)', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        files = build_repo(repo)
        size = sum((repo / name).stat().st_size for name in files)
        commands = {
            'vastai-guard scan': [ours, 'scan', *files],
            'detect-secrets-hook -n': [theirs, '-n', *files],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            _time(command, repo)  # warm-up: page cache, .pyc files
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(_time(command, repo))

    print(f'{len(files)} staged files, {size / 1024:.0f} KB, {args.runs} runs each (interleaved)')
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f'  {name:<24} median {medians[name] * 1000:7.1f} ms   '
              f'min {min(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms')
    ratio = medians['vastai-guard scan'] / medians['detect-secrets-hook -n']
    print(f'  ratio vastai-guard / detect-secrets-hook: {ratio:.3f} (target <= 0.25)')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
