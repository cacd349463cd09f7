"""The scan behind `history`, `rotated` (fingerprint prefixes) and the other callers of the
history engine: which revisions, progress on a terminal, and the shallow-clone warning."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TextIO

from vastai_guard.findings import Verifier
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.history.judge import default_jobs
from vastai_guard.history.walk import Progress
from vastai_guard.history.walk import scan_history
from vastai_guard.model import HistoryReport
from vastai_guard.policy.config import Config
from vastai_guard.policy.suppress import load_baseline
from vastai_guard.vocabulary import count


def history_revs(repo: runner.Repository, *, include_unreachable: bool) -> list[str]:
    """Every ref (branches, tags, remote-tracking, notes, HEAD), every stash entry, and with
    `include_unreachable` the commits nothing reaches any more."""
    revs = ['--all', *repository.stash_commits(repo)]
    if include_unreachable:
        unreachable, problem = repository.unreachable_commits(repo)
        if problem is not None:
            print(
                f'vastai-guard: warning: git fsck: {problem} (unreachable commits may be '
                'missing from the scan)',
                file=sys.stderr,
            )
        revs.extend(unreachable)
    return revs


class ProgressLine:
    """`objects 5300/12000, 2 keys, commits 1200/4000, 210 MB, 95 MB/s` on a terminal."""

    def __init__(self, stream: TextIO, total_commits: int | None) -> None:
        self._stream = stream
        self._total = total_commits
        self._start = time.monotonic()
        self._shown = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._shown < 0.2:
            return
        self._shown = now
        elapsed = max(now - self._start, 1e-6)
        megabytes = progress.bytes_read / 1e6
        shown_objects = f'objects {progress.blobs}'
        if progress.total:
            shown_objects += f'/{progress.total}'
        commits = f'commits {progress.commits}'
        if self._total:
            fraction = min(progress.commits / self._total, 1.0)
            commits += f'/{self._total} ({fraction:.0%})'
        self._stream.write(
            f'\r{shown_objects}, {count(progress.keys, "key")}, {commits}, {megabytes:.0f} MB, '
            f'{megabytes / elapsed:.0f} MB/s\x1b[K',
        )
        self._stream.flush()

    def close(self) -> None:
        if self._shown:
            self._stream.write('\r\x1b[K')
            self._stream.flush()


def run_history(
        repo: runner.Repository,
        config: Config,
        *,
        range_spec: str | None,
        include_unreachable: bool,
        baseline_path: str | None,
        progress: Callable[[Progress], None] | None = None,
        verify: Verifier | None = None,
        jobs: int | None = None,
        push_revs: Sequence[str] | None = None,
) -> HistoryReport:
    """The scan behind `history` (and `rotated`, which resolves fingerprint prefixes with it).

    `push_revs`: the commits a push sends (`--pre-push`), as git log arguments.
    """
    baseline = load_baseline(baseline_path) if baseline_path else frozenset()
    if push_revs is not None:
        revs = list(push_revs)
    elif range_spec is not None:
        repository.check_range(repo, range_spec)
        revs = [range_spec]
    else:
        revs = history_revs(repo, include_unreachable=include_unreachable)
    if repo.shallow:
        print(
            'vastai-guard: warning: shallow clone: history is partial (keys in commits not '
            'fetched are not seen; fetch everything with `git fetch --unshallow`)',
            file=sys.stderr,
        )
    line: ProgressLine | None = None
    if progress is None and sys.stderr.isatty():
        line = ProgressLine(sys.stderr, repository.count_commits(repo, revs))
        progress = line
    # a range is the commits of a pull request (or of a push): refs outside it are not its
    # business
    whole = range_spec is None and push_revs is None
    try:
        report = scan_history(
            repo, revs, config=config, baseline=baseline, progress=progress,
            verify=verify, jobs=jobs or default_jobs(), with_refs=whole,
        )
    finally:
        if line is not None:
            line.close()
    if not whole:
        return report
    from vastai_guard.history.reach import name_refs

    return name_refs(repo, report)
