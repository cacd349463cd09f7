"""Time `vastai-guard sweep` on a synthetic organisation against a plain loop of `history`.

    python benchmarks/sweep_bench.py                     # 200 repositories
    python benchmarks/sweep_bench.py --repos 60 --rounds 1

The organisation (generated with `git fast-import`): repositories of mixed sizes (most a few
commits, some a few hundred), a pool of keys that several repositories share (a template's
.env copied around) and some keys of their own, in HEAD or only in history. Keys are made at
run time in a temporary folder, never in this repository.

Measured, as whole-process wall times (time.perf_counter; medians of --rounds):
- loop: `vastai-guard history --repo R --format json` once per repository, one after another
  (what a team does without `sweep`), and the JSON merged here;
- sweep: `vastai-guard sweep --from LIST` on the local worker pool (one process per core);
- dask: the same on a Dask LocalCluster of this machine (one single-threaded worker process
  per core; the cluster's start-up is timed apart): the overhead of the engine;
- state: `sweep --state DIR` the first time, then again with nothing changed, then after one
  repository got a new commit.
Each way must find the same distinct keys; the script checks it. Needs `distributed` for the
Dask rows (`pip install -e '.[dask]'`); without it they are skipped with a note.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import IO


def _hex(rng: random.Random) -> str:
    return '%064x' % rng.getrandbits(256)


class _Importer:
    """A `git fast-import` stream into a new repository: one commit at a time."""

    def __init__(self, path: Path) -> None:
        subprocess.run(('git', 'init', '-q', '-b', 'main', str(path)), check=True)
        self.process = subprocess.Popen(
            ('git', 'fast-import', '--quiet'), cwd=path, stdin=subprocess.PIPE,
        )
        assert self.process.stdin is not None
        self.out: IO[bytes] = self.process.stdin
        self.when = 1_600_000_000

    def commit(self, message: str, changes: dict[str, bytes | None]) -> None:
        self.when += 3600
        self.out.write(b'commit refs/heads/main\n')
        self.out.write(b'committer Bench <bench@example.invalid> %d +0000\n' % self.when)
        self.out.write(b'data %d\n%s\n' % (len(message), message.encode()))
        for name, payload in changes.items():
            if payload is None:
                self.out.write(f'D {name}\n'.encode())
            else:
                self.out.write(f'M 100644 inline {name}\ndata {len(payload)}\n'.encode())
                self.out.write(payload + b'\n')

    def close(self) -> None:
        self.out.close()
        if self.process.wait() != 0:
            raise SystemExit('git fast-import failed')


def _module(rng: random.Random, lines: int) -> bytes:
    words = ('client', 'request', 'value', 'config', 'retry', 'timeout', 'session', 'vast')
    return ''.join(
        f'{rng.choice(words)}_{i} = {rng.choice(words)}({rng.randrange(1000)})\n'
        for i in range(lines)
    ).encode()


def make_org(folder: Path, repos: int, seed: int) -> tuple[list[str], set[str]]:
    """`repos` repositories under `folder`; their paths and the distinct keys planted."""
    rng = random.Random(seed)
    shared = [_hex(rng) for _ in range(max(3, repos // 20))]
    planted: set[str] = set()
    paths = []
    for number in range(repos):
        path = folder / f'repo-{number:04d}'
        importer = _Importer(path)
        # mixed sizes: most repositories are small, one in ten is ten times bigger
        commits = rng.randrange(3, 30) * (10 if rng.random() < 0.1 else 1)
        files = [f'src/mod_{i}.py' for i in range(rng.randrange(3, 20))]
        keys = []
        if rng.random() < 0.5:
            keys.append(shared[min(int(rng.expovariate(0.5)), len(shared) - 1)])
        if rng.random() < 0.2:
            keys.append(_hex(rng))
        key_at = {rng.randrange(commits): key for key in keys}
        removed_at = rng.randrange(commits) if keys and rng.random() < 0.5 else None
        for step in range(commits):
            changes: dict[str, bytes | None] = {
                name: _module(rng, rng.randrange(20, 120))
                for name in rng.sample(files, min(len(files), rng.randrange(1, 4)))
            }
            if step in key_at:
                changes['deploy/.env'] = f'VAST_API_KEY={key_at[step]}\n'.encode()
                planted.add(key_at[step])
            if step == removed_at and step not in key_at:
                changes['deploy/.env'] = None  # gone from HEAD, still in history
            importer.commit(f'change {step}', changes)
        importer.close()
        paths.append(str(path))
    return paths, planted


def _fingerprint(key: str) -> str:
    import hashlib

    return hashlib.sha256(key.encode()).hexdigest()


def _guard() -> list[str]:
    return [sys.executable, '-m', 'vastai_guard']


def _run(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise SystemExit(f'{" ".join(args[:4])}...: exit {result.returncode}: {result.stderr}')
    return result


def loop_history(paths: Sequence[str], env: dict[str, str]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        result = _run([*_guard(), 'history', '--repo', path, '--format', 'json'], env)
        found.update(key['fingerprint'] for key in json.loads(result.stdout)['keys'])
    return found


def sweep(listing: Path, env: dict[str, str], *extra: str) -> set[str]:
    result = _run([*_guard(), 'sweep', '--from', str(listing), '--format', 'json', *extra], env)
    report = json.loads(result.stdout)
    failed = [r for r in report['repositories'] if r['error'] or r['incomplete']]
    if failed:
        raise SystemExit(f'sweep: {len(failed)} repositories failed: {failed[:3]}')
    return {key['fingerprint'] for key in report['keys']}


def _timed(rounds: int, work: Callable[[], set[str]], expected: set[str], name: str) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        found = work()
        times.append(time.perf_counter() - start)
        if found != expected:
            raise SystemExit(f'{name}: found {len(found)} keys, expected {len(expected)}')
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--repos', type=int, default=200)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--seed', type=int, default=23)
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix='sweep-bench-'))
    env = {
        **os.environ, 'GIT_CONFIG_GLOBAL': os.devnull, 'GIT_CONFIG_NOSYSTEM': '1',
        'XDG_CACHE_HOME': str(folder / 'cache'),
    }
    try:
        start = time.perf_counter()
        paths, planted = make_org(folder / 'org', args.repos, args.seed)
        expected = {_fingerprint(key) for key in planted}
        listing = folder / 'repos.txt'
        listing.write_text(''.join(f'{path}\n' for path in paths), encoding='utf-8')
        commits = sum(
            int(subprocess.run(('git', '-C', p, 'rev-list', '--count', '--all'),
                               capture_output=True, text=True, check=True).stdout)
            for p in paths
        )
        print(f'{args.repos} repositories, {commits} commits, {len(expected)} distinct keys '
              f'(made in {time.perf_counter() - start:.1f} s); {os.cpu_count()} CPUs; '
              f'medians of {args.rounds}')

        rows: list[tuple[str, float]] = []
        rows.append(('loop of `history`', _timed(
            args.rounds, lambda: loop_history(paths, env), expected, 'loop')))
        workers = ('--workers', str(args.workers))
        rows.append((f'sweep, local pool ({args.workers} workers)', _timed(
            args.rounds, lambda: sweep(listing, env, *workers), expected, 'sweep')))
        rows.append(('sweep, --workers 1', _timed(
            args.rounds, lambda: sweep(listing, env, '--workers', '1'), expected, 'sweep 1')))
        try:
            from distributed import LocalCluster
        except ImportError:
            print('(no distributed: the Dask rows are skipped)')
        else:
            start = time.perf_counter()
            with LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=args.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None,
            ) as cluster:
                rows.append(('(LocalCluster start-up)', time.perf_counter() - start))
                address = cluster.scheduler_address
                rows.append((f'sweep, Dask LocalCluster ({args.workers} workers)', _timed(
                    args.rounds, lambda: sweep(listing, env, '--scheduler', address),
                    expected, 'dask')))
        state = folder / 'state'
        first = _timed(1, lambda: sweep(listing, env, *workers, '--state', str(state)),
                       expected, 'state, first')
        rows.append(('sweep --state, first run', first))
        rows.append(('sweep --state, nothing changed', _timed(
            args.rounds, lambda: sweep(listing, env, *workers, '--state', str(state)),
            expected, 'state, again')))
        importer_path = Path(paths[0])
        subprocess.run(('git', '-C', str(importer_path), 'commit', '-q', '--allow-empty',
                        '-m', 'one more'), check=True, env=env | {
            'GIT_AUTHOR_NAME': 'b', 'GIT_AUTHOR_EMAIL': 'b@example.invalid',
            'GIT_COMMITTER_NAME': 'b', 'GIT_COMMITTER_EMAIL': 'b@example.invalid'})
        rows.append(('sweep --state, one repository changed', _timed(
            1, lambda: sweep(listing, env, *workers, '--state', str(state)),
            expected, 'state, one changed')))

        width = max(len(name) for name, _ in rows)
        for name, seconds in rows:
            per_repo = '' if name.startswith('(') else f'{1000 * seconds / args.repos:8.1f} ms/repo'
            print(f'{name:<{width}}  {seconds:7.2f} s  {per_repo}')
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
