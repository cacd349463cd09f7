"""`vastai-guard history`: every key ever committed, once, and which still need rotating."""
from __future__ import annotations

import sys

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.history.run import run_history
from vastai_guard.options import HistoryOptions
from vastai_guard.policy.base import Policy
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.suppress import baseline_path as find_baseline
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.output import emit
from vastai_guard.vocabulary import ADVICE_PUSH
from vastai_guard.vocabulary import INCOMPLETE_ERROR
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import SUPPRESSED_BY_BASELINE
from vastai_guard.vocabulary import WALK_STOPPED_ERROR
from vastai_guard.vocabulary import fails_gate
from vastai_guard.vocabulary import short


def history(options: HistoryOptions, gitpython: repository.GitPythonCheck | None = None) -> int:
    """Report every key in the repository's history; 1 when one still needs rotating, 2 when
    the history could not be read whole (unless `allow_missing_objects`)."""
    terminal = options.terminal
    if options.jobs is not None and options.jobs < 1:
        raise FatalError(f'--jobs {options.jobs}: give 1 or more')
    if options.since_rotation_days is not None and options.output_format != 'markdown':
        raise FatalError('--since-rotation-days goes with --format markdown')
    if options.trust_allowances and options.range_spec is None and not options.pre_push:
        raise FatalError('--trust-allowances goes with --range or --pre-push')
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
        tags = None
        if options.pre_push:
            import os

            from vastai_guard.history.prepush import push_revs
            from vastai_guard.history.prepush import pushed_tags

            pushed = push_revs(repo, os.environ)
            tags = pushed_tags(repo, os.environ, pushed)
        baseline_file = find_baseline(repo.root, options.baseline_path)
        policies = None
        if (pushed is not None or options.range_spec is not None) and not options.trust_allowances:
            if pushed is None and options.range_spec is not None:
                repository.check_range(repo, options.range_spec)
            policies = _range_policies(repo, options, pushed or [str(options.range_spec)], config)
        result = run_history(
            repo,
            config if policies is None else policies[0].config,
            range_spec=options.range_spec,
            include_unreachable=options.include_unreachable,
            baseline_path=baseline_file,
            baseline=None if policies is None else policies[0].baseline,
            verify=options.verify,
            jobs=options.jobs,
            push_revs=pushed,
            pushed_refs=tags,
        )
        allowances: list[str] = []
        if policies is not None and policies[0] != policies[1] and result.keys:
            from vastai_guard.policy.base import added_allowances

            # judged again by the range's own policy: what that lets pass, the base does not
            under_head = run_history(
                repo, policies[1].config, range_spec=options.range_spec,
                include_unreachable=False, baseline_path=None, baseline=policies[1].baseline,
                jobs=options.jobs, push_revs=pushed, pushed_refs=tags,
            )
            allowances = added_allowances(
                result.keys, under_head.keys, base=policies[0].config, head=policies[1].config,
            )
    warnings = result.warnings if not terminal.quiet else ()
    for warning in warnings[:_SHOWN_WARNINGS]:
        print(f'vastai-guard: warning: {warning}', file=sys.stderr)
    if len(warnings) > _SHOWN_WARNINGS:
        print(
            f'vastai-guard: warning: ... and {len(result.warnings) - _SHOWN_WARNINGS} more',
            file=sys.stderr,
        )
    if terminal.verbose:
        for known in result.suppressed:
            why = 'in the baseline' if known.reason == SUPPRESSED_BY_BASELINE else (
                f'fingerprint in allow_fingerprints ({config.path})'
            )
            print(f'vastai-guard: suppressed {short(known.fingerprint)}: {why}', file=sys.stderr)
    keys = result.keys
    report = result._replace(
        rotation_period_days=options.since_rotation_days, unpushed=options.pre_push,
    )
    text_on_stdout = options.output_format == 'text' and options.output_file is None
    if keys or result.incomplete or not text_on_stdout or sys.stdout.isatty():
        # as scan: a clean run says nothing to a hook or a pipe, one summary to a person
        emit(
            render(report, options.output_format, terminal), output_file=options.output_file,
            summary=summary(report),
        )
    pending = any(
        key.status in PENDING_STATUSES
        and fails_gate(options.fail_on, key.verification.state if key.verification else None)
        for key in keys
    )
    for allowance in allowances:
        print(f'vastai-guard: {allowance}', file=sys.stderr)
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


def _range_policies(
        repo: runner.Repository, options: HistoryOptions, revs: list[str], config: Config,
) -> tuple[Policy, Policy]:
    """The policy at the range's base and at its tip: config, ledger and baseline as each
    commit holds them. A file named outside the work tree is the caller's own: read from disk,
    it is the same at both ends."""
    import os

    from vastai_guard.policy import base
    from vastai_guard.policy.suppress import BASELINE_FILE

    ends = base.range_ends(repo, revs)
    if options.terminal.verbose:
        print(
            'vastai-guard: policy (config, ledger, baseline): as the range\'s base '
            f'{ends.base[:12] if ends.base else "(none: the range starts a history)"} holds it',
            file=sys.stderr,
        )
    # history reads the root's .secrets.baseline unless told otherwise
    baseline_file = options.baseline_path or os.path.join(repo.root, BASELINE_FILE)
    base_policy, tip_policy = (
        base.policy_of(
            repo, commit, config_file=config_path(repo.root, options.config_file),
            baseline_file=baseline_file, config_here=config,
        )
        for commit in (ends.base, ends.tip)
    )
    return base_policy, tip_policy


# Enough warnings to act on; a partial clone can lack thousands of objects.
_SHOWN_WARNINGS = 20
