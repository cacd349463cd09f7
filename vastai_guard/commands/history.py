"""`vastai-guard history`: every key ever committed, once, and which still need rotating."""
from __future__ import annotations

import sys

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.git import repository
from vastai_guard.history.run import run_history
from vastai_guard.options import HistoryOptions
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.suppress import baseline_path as find_baseline
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.output import emit
from vastai_guard.vocabulary import ADVICE_PUSH
from vastai_guard.vocabulary import INCOMPLETE_ERROR
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import WALK_STOPPED_ERROR
from vastai_guard.vocabulary import fails_gate


def history(options: HistoryOptions, gitpython: repository.GitPythonCheck | None = None) -> int:
    """Report every key in the repository's history; 1 when one still needs rotating, 2 when
    the history could not be read whole (unless `allow_missing_objects`)."""
    terminal = options.terminal
    if options.jobs is not None and options.jobs < 1:
        raise FatalError(f'--jobs {options.jobs}: give 1 or more')
    if options.since_rotation_days is not None and options.output_format != 'markdown':
        raise FatalError('--since-rotation-days goes with --format markdown')
    if options.pre_push and (options.range_spec is not None or options.include_unreachable):
        raise FatalError(
            '--pre-push scans the commits being pushed: no --range or --include-unreachable',
        )
    with repository.open_repository(options.repo_path, gitpython) as repo:
        config = load_config(config_path(repo.root, options.config_file, must_exist=True))
        if terminal.verbose:
            used = find_baseline(repo.root, options.baseline_path)
            print(
                f'vastai-guard: config: {config.path or "none (defaults)"}; '
                f'baseline: {used or "none"}',
                file=sys.stderr,
            )
        pushed = None
        if options.pre_push:
            import os

            from vastai_guard.history.prepush import push_revs

            pushed = push_revs(repo, os.environ)
        result = run_history(
            repo,
            config,
            range_spec=options.range_spec,
            include_unreachable=options.include_unreachable,
            baseline_path=find_baseline(repo.root, options.baseline_path),
            verify=options.verify,
            jobs=options.jobs,
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
    report = result._replace(rotation_period_days=options.since_rotation_days)
    emit(
        render(report, options.output_format, terminal), output_file=options.output_file,
        summary=summary(report),
    )
    pending = any(
        key.status in PENDING_STATUSES
        and fails_gate(options.fail_on, key.verification.state if key.verification else None)
        for key in keys
    )
    if options.pre_push and pending:
        print(ADVICE_PUSH)
    if pending:
        return EXIT_FINDINGS
    if result.walk_stopped:
        # a commit or tree that cannot be read hides every commit behind it: no flag excuses it
        print(f'vastai-guard: error: {WALK_STOPPED_ERROR}', file=sys.stderr)
        return EXIT_ERROR
    if result.incomplete and not options.allow_missing_objects:
        # "no key found" is only true of what was read: a CI step must not pass on less
        print(f'vastai-guard: error: {INCOMPLETE_ERROR}', file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN


# Enough warnings to act on; a partial clone can lack thousands of objects.
_SHOWN_WARNINGS = 20

