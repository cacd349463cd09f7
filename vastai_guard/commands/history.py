"""`vastai-guard history`: every key ever committed, once, and which still need rotating."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TextIO

from vastai_guard import git
from vastai_guard.config import Config
from vastai_guard.config import config_path
from vastai_guard.config import load_config
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Verifier
from vastai_guard.history import Progress
from vastai_guard.history import history_revs
from vastai_guard.history import scan_history
from vastai_guard.history_judge import default_jobs
from vastai_guard.model import HistoryReport
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.color import Terminal
from vastai_guard.report.output import emit
from vastai_guard.suppress import baseline_path as find_baseline
from vastai_guard.suppress import load_baseline
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import ADVICE_PUSH
from vastai_guard.vocabulary import INCOMPLETE_ERROR
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import count


class _ProgressLine:
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
        objects = f'objects {progress.blobs}'
        if progress.total:
            objects += f'/{progress.total}'
        commits = f'commits {progress.commits}'
        if self._total:
            fraction = min(progress.commits / self._total, 1.0)
            commits += f'/{self._total} ({fraction:.0%})'
        self._stream.write(
            f'\r{objects}, {count(progress.keys, "key")}, {commits}, {megabytes:.0f} MB, '
            f'{megabytes / elapsed:.0f} MB/s\x1b[K',
        )
        self._stream.flush()

    def close(self) -> None:
        if self._shown:
            self._stream.write('\r\x1b[K')
            self._stream.flush()


def run_history(
        repo: git.HistoryRepo,
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
        git.check_range(repo, range_spec)
        revs = [range_spec]
    else:
        revs = history_revs(repo, include_unreachable=include_unreachable)
    if repo.shallow:
        print(
            'vastai-guard: warning: shallow clone: history is partial (keys in commits not '
            'fetched are not seen; fetch everything with `git fetch --unshallow`)',
            file=sys.stderr,
        )
    line: _ProgressLine | None = None
    if progress is None and sys.stderr.isatty():
        line = _ProgressLine(sys.stderr, git.count_commits(repo, revs))
        progress = line
    try:
        return scan_history(
            repo, revs, config=config, baseline=baseline, progress=progress,
            verify=verify, jobs=jobs or default_jobs(),
            # a range is the commits of a pull request (or of a push): refs outside it are
            # not its business
            with_refs=range_spec is None and push_revs is None,
        )
    finally:
        if line is not None:
            line.close()


def history(
        *,
        repo_path: str,
        range_spec: str | None,
        include_unreachable: bool,
        output_format: str,
        baseline_path: str | None,
        config_file: str | None,
        output_file: str | None = None,
        verify: Verifier | None = None,
        since_rotation_days: int | None = None,
        jobs: int | None = None,
        allow_missing_objects: bool = False,
        pre_push: bool = False,
        fail_on: str = 'any',
        terminal: Terminal = Terminal(),
        gitpython: git.GitPythonCheck | None = None,
) -> int:
    if jobs is not None and jobs < 1:
        raise FatalError(f'--jobs {jobs}: give 1 or more')
    if since_rotation_days is not None and output_format != 'markdown':
        raise FatalError('--since-rotation-days goes with --format markdown')
    if pre_push and (range_spec is not None or include_unreachable):
        raise FatalError(
            '--pre-push scans the commits being pushed: no --range or --include-unreachable',
        )
    with git.history_repo(repo_path, gitpython) as repo:
        config = load_config(config_path(repo.root, config_file, must_exist=True))
        if terminal.verbose:
            used = find_baseline(repo.root, baseline_path)
            print(
                f'vastai-guard: config: {config.path or "none (defaults)"}; '
                f'baseline: {used or "none"}',
                file=sys.stderr,
            )
        pushed = None
        if pre_push:
            import os

            from vastai_guard.prepush import push_revs

            pushed = push_revs(repo, os.environ)
        result = run_history(
            repo,
            config,
            range_spec=range_spec,
            include_unreachable=include_unreachable,
            baseline_path=find_baseline(repo.root, baseline_path),
            verify=verify,
            jobs=jobs,
            push_revs=pushed,
        )
    warnings = result.warnings if not terminal.quiet else ()
    for warning in warnings[:_SHOWN_WARNINGS]:
        print(f'vastai-guard: warning: {warning}', file=sys.stderr)
    if len(warnings) > _SHOWN_WARNINGS:
        print(
            f'vastai-guard: warning: ... and {len(result.warnings) - _SHOWN_WARNINGS} more',
            file=sys.stderr,
        )
    keys = result.keys
    report = result._replace(rotation_period_days=since_rotation_days)
    emit(render(report, output_format, terminal), output_file=output_file, summary=summary(report))
    pending = any(
        key.status in PENDING_STATUSES
        and (fail_on == 'any' or (key.verification and key.verification.state == ACTIVE))
        for key in keys
    )
    if pre_push and pending:
        print(ADVICE_PUSH)
    if pending:
        return EXIT_FINDINGS
    if result.incomplete and not allow_missing_objects:
        # "no key found" is only true of what was read: a CI step must not pass on less
        print(f'vastai-guard: error: {INCOMPLETE_ERROR}', file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN


# Enough warnings to act on; a partial clone can lack thousands of objects.
_SHOWN_WARNINGS = 20

