"""Time the hook's staged mode against `--all-files` on the same 50,000 staged files.

Builds a repository whose index holds N small files (none with a key), all staged for the
first commit, then runs, alternately so that machine drift hits both alike:

    vastai-guard scan                 (the hook with no file names: what is staged)
    vastai-guard scan FILE...         (the hook as pre-commit runs it: the staged names, in
                                       batches as long as the command line allows)
    vastai-guard scan --all-files     (every tracked file)

and prints the median wall time of each. Target: neither staged mode costs more than
`--all-files` on the same files (they read the same blobs; before this benchmark, matching 50k
literal pathspecs made staged mode 14 s against 2.2 s).

    python benchmarks/many_files.py [--files 50000] [--runs 3]

Standard library only; needs git and an installed vastai-guard.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# well under Linux's ARG_MAX, as pre-commit's xargs batches are
_ARGV_BYTES = 100_000


def build_repo(path: Path, files: int) -> list[str]:
    subprocess.run(('git', 'init', '-q', str(path)), check=True)
    names = []
    for i in range(files):
        name = f'pkg{i // 1000:03d}/mod{i % 1000:03d}.py'
        names.append(name)
        target = path / name
        target.parent.mkdir(exist_ok=True)
        target.write_text(f'VALUE_{i} = {i}\n')
    subprocess.run(('git', 'add', '-A'), cwd=path, check=True)
    return names


def _batches(names: Sequence[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for name in names:
        if size + len(name) + 1 > _ARGV_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(name)
        size += len(name) + 1
    return batches


def _time(argvs: Sequence[Sequence[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for argv in argvs:
        result = subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f'{" ".join(argv[:3])} ...: exit {result.returncode}: '
                             f'{result.stderr.decode(errors="replace")[-300:]}')
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--files', type=int, default=50_000)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument(
        '--repo', type=Path, help='build the repository here and keep it (reused when it exists)',
    )
    args = parser.parse_args(argv)
    guard = shutil.which('vastai-guard')
    if guard is None:
        raise SystemExit('vastai-guard is not installed (pip install -e .)')
    work = Path(tempfile.mkdtemp(prefix='vastai-guard-many-'))
    try:
        repo = args.repo or work / 'repo'
        if (repo / '.git').exists():
            names = subprocess.run(
                ('git', 'ls-files', '-z'), cwd=repo, capture_output=True, check=True,
            ).stdout.decode().split('\0')[:-1]
        else:
            names = build_repo(repo, args.files)
        shapes = {
            'scan (staged)': [[guard, 'scan']],
            'scan FILE... (pre-commit)': [[guard, 'scan', *batch] for batch in _batches(names)],
            'scan --all-files': [[guard, 'scan', '--all-files']],
        }
        times: dict[str, list[float]] = {shape: [] for shape in shapes}
        for _ in range(args.runs):
            for shape, argvs in shapes.items():
                times[shape].append(_time(argvs, repo))
        print(f'{args.files} staged files, median of {args.runs} runs:')
        baseline = statistics.median(times['scan --all-files'])
        for shape, taken in times.items():
            median = statistics.median(taken)
            print(f'  {shape:28} {median:6.2f} s  ({median / baseline:.2f}x --all-files)')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
