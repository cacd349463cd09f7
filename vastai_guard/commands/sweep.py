"""`vastai-guard sweep`: many repositories in one run, each leaked key once across all of them."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TextIO

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.model import RepositorySweep
from vastai_guard.options import SweepOptions
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.output import emit
from vastai_guard.sweep.merge import failed
from vastai_guard.sweep.merge import merge
from vastai_guard.sweep.merge import pending
from vastai_guard.sweep.sources import names_sources
from vastai_guard.sweep.sources import read_source_file
from vastai_guard.sweep.sources import unique
from vastai_guard.sweep.split import combine
from vastai_guard.sweep.state import State
from vastai_guard.sweep.task import SPLIT_COMMITS
from vastai_guard.sweep.task import SweepTask
from vastai_guard.sweep.task import task_for
from vastai_guard.vocabulary import count


class _ProgressLine:
    """`repositories 40/200, 3 keys, 2.5 repositories/s` on a terminal."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self._stream = stream
        self._total = total
        self._start = time.monotonic()
        self._shown = 0.0

    def __call__(self, done: int, keys: int) -> None:
        now = time.monotonic()
        if now - self._shown < 0.2 and done < self._total:
            return
        self._shown = now
        rate = done / max(now - self._start, 1e-6)
        self._stream.write(
            f'\rrepositories {done}/{self._total}, {count(keys, "key")}, '
            f'{rate:.1f} repositories/s\x1b[K',
        )
        self._stream.flush()

    def close(self) -> None:
        if self._shown:
            self._stream.write('\r\x1b[K')
            self._stream.flush()


class _Parts:
    """The results of a split repository's parts, until the last one is in."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[RepositorySweep]] = {}
        self._expected: dict[str, int] = {}

    def whole(self, result: RepositorySweep) -> RepositorySweep | None:
        """The repository's result once all its parts are in; None before."""
        if result.part == 0 and not result.more and result.source not in self._expected:
            return result  # never split: the common case
        if result.part == 0:
            self._expected[result.source] = 1 + len(result.more)
        waiting = self._waiting.setdefault(result.source, [])
        waiting.append(result)
        if len(waiting) < self._expected.get(result.source, len(waiting) + 1):
            return None
        del self._waiting[result.source], self._expected[result.source]
        return combine(waiting)


def _engine(
        tasks: Sequence[SweepTask], *, workers: int, scheduler: str | None,
) -> Iterator[RepositorySweep]:
    if scheduler is not None:
        from vastai_guard.sweep.dask import run_dask

        return run_dask(scheduler, tasks)
    from vastai_guard.sweep.local import run_local

    return run_local(tasks, workers)


def sweep(options: SweepOptions) -> int:
    """Scan every repository named, on local processes or a Dask cluster, and report each key
    once with the repositories that hold it; 1 when a key needs rotating, 2 when a repository
    failed or could not be read whole and no key was found."""
    if options.workers is not None and options.workers < 1:
        raise FatalError(f'--workers {options.workers}: give 1 or more')
    if options.split_commits is not None and options.split_commits < 1:
        raise FatalError(f'--split-commits {options.split_commits}: give 1 or more')
    if options.workers is not None and options.scheduler is not None:
        raise FatalError(
            '--workers is for local processes: the cluster at --scheduler has its own',
        )
    given = list(options.sources)
    if options.from_file is not None:
        given += read_source_file(options.from_file)
    names = unique(given)
    names_sources(names)
    state = State(options.state_dir) if options.state_dir is not None else None
    # absolute: a Dask worker's current folder is not this one
    cache = os.path.abspath(options.cache_dir) if options.cache_dir is not None else None
    tasks = []
    stored: dict[str, RepositorySweep] = {}
    seen: set[str] = set()
    for name in names:
        task = task_for(
            name, cache=cache, split_commits=options.split_commits or SPLIT_COMMITS,
            verify=options.verify,
        )
        if task.where in seen or task.source in seen:
            continue  # `app` and `./app`: one repository, swept once
        seen.update((task.where, task.source))
        # with --verify every repository is scanned again: a verdict is of the day it is asked
        if state is not None and options.verify is None:
            earlier = state.load(task.where)
            if earlier is not None:
                stored[task.where] = earlier
                task = task._replace(known_tips=earlier.tips)
        tasks.append(task)
    by_source = {task.source: task for task in tasks}

    line = _ProgressLine(sys.stderr, len(tasks)) if sys.stderr.isatty() else None
    results: dict[str, RepositorySweep] = {}
    keys: set[str] = set()
    parts = _Parts()
    try:
        workers = options.workers or os.cpu_count() or 1
        for each in _engine(tasks, workers=workers, scheduler=options.scheduler):
            result = parts.whole(each)
            if result is None:
                continue  # a part of a split repository: the others are still running
            where = by_source[result.source].where
            if result.unchanged and where in stored:
                result = stored[where]._replace(
                    source=result.source, unchanged=True, seconds=result.seconds,
                )
            if state is not None:
                state.save(where, result)
            results[result.source] = result
            keys.update(key.fingerprint for key in result.keys)
            if line is not None:
                line(len(results), len(keys))
    finally:
        if line is not None:
            line.close()

    report = merge([results[task.source] for task in tasks])
    for result in report.repositories:
        if result.error is not None:
            print(f'vastai-guard: error: {result.source}: {result.error}', file=sys.stderr)
        elif result.warnings and not options.terminal.quiet:
            # the first of a repository's warnings (unreadable objects, a shallow clone); the
            # JSON report counts it incomplete when something was not read
            more = f' (and {len(result.warnings) - 1} more)' if len(result.warnings) > 1 else ''
            print(f'vastai-guard: warning: {result.source}: {result.warnings[0]}{more}',
                  file=sys.stderr)
    emit(
        render(report, options.output_format, options.terminal),
        output_file=options.output_file, summary=summary(report),
    )
    if pending(report, fail_on=options.fail_on):
        return EXIT_FINDINGS
    if failed(report):
        return EXIT_ERROR
    return EXIT_CLEAN
