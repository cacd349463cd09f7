"""What the `vastai-gitignore` hook costs per commit, next to git's own `git status`.

Builds a synthetic repository (tracked files in many folders, nested .gitignore files, a large
ignored dependency folder), then reports the median wall time of each command over several runs.
Stdlib only: `python benchmarks/gitignore_hook.py [--files N] [--runs N]`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def _git(repo: Path, *args: str) -> None:
    subprocess.run(('git', *args), cwd=repo, check=True, capture_output=True)


def build(repo: Path, files: int) -> None:
    _git(repo, 'init', '-q', '-b', 'main')
    (repo / '.gitignore').write_text('node_modules/\n.env\n.env.*\n!.env.example\n')
    for i in range(files):
        folder = repo / f'pkg{i % 200}' / f'mod{i % 7}'
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f'file{i}.py').write_text(f'x = {i}\n')
    for i in range(0, 200, 10):
        (repo / f'pkg{i}' / '.gitignore').write_text('*.pyc\n')
        (repo / f'pkg{i}' / '.env').write_text('DEBUG=1\n')
    for i in range(files):  # an ignored dependency tree as large as the project
        folder = repo / 'node_modules' / f'dep{i % 300}'
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f'index{i}.js').write_text('module.exports = 1\n')
    env = {**os.environ, 'GIT_AUTHOR_NAME': 'b', 'GIT_AUTHOR_EMAIL': 'b@example.invalid',
           'GIT_COMMITTER_NAME': 'b', 'GIT_COMMITTER_EMAIL': 'b@example.invalid'}
    subprocess.run(('git', 'add', '-A'), cwd=repo, check=True, env=env)
    subprocess.run(('git', 'commit', '-qm', 'bench'), cwd=repo, check=True, env=env)


def median_seconds(command: Sequence[str], cwd: Path, runs: int) -> float:
    subprocess.run(command, cwd=cwd, capture_output=True)  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--files', type=int, default=10_000)
    parser.add_argument('--runs', type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        repo = Path(temp) / 'repo'
        repo.mkdir()
        build(repo, args.files)
        guard = (sys.executable, '-m', 'vastai_guard')
        commands = {
            'python -c pass': (sys.executable, '-c', 'pass'),
            'git status': ('git', 'status', '--porcelain'),
            'vastai-guard scan (nothing staged)': (*guard, 'scan'),
            'vastai-guard gitignore': (*guard, 'gitignore'),
            'vastai-guard gitignore --check-reuse': (*guard, 'gitignore', '--check-reuse'),
        }
        print(f'{args.files} tracked files, {args.files} ignored; median of {args.runs} runs')
        for name, command in commands.items():
            print(f'{name:40} {median_seconds(command, repo, args.runs) * 1000:8.1f} ms')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
