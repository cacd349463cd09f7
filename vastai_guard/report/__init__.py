"""The one report boundary: `render(result, fmt, terminal)` for every command's result.

A table from (result type, format) to renderer. `FORMATS` is what the command line offers
for each result, so a format added here is a format the command accepts. Format modules are
imported only when used: the hook path pays for its own format alone.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from vastai_guard.model import GitignoreReport
from vastai_guard.model import HistoryReport
from vastai_guard.model import ScanReport
from vastai_guard.model import SweepReport
from vastai_guard.report.color import Terminal
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import count

if TYPE_CHECKING:
    from vastai_guard.report.results import Result
    from vastai_guard.report.results import RuleHelp

Report = ScanReport | HistoryReport | GitignoreReport | SweepReport


def _render_for_ci(
        fmt: str,
        converted: Sequence[Result],
        rules: Sequence[RuleHelp],
        *,
        category: str,
        incomplete: str | None = None,
) -> str:
    """`--format sarif` or `--format github`, for any command's results (report/results.py).

    `incomplete`: why the scan did not read everything, said in the report itself.
    """
    if fmt == 'sarif':
        from vastai_guard.report import sarif

        return sarif.render(converted, rules, category=category, incomplete=incomplete)
    from vastai_guard.report import github

    report = github.render(converted)
    if incomplete is not None:
        report += f'::warning title=incomplete-scan::{github.escape_data(incomplete)}\n'
    return report


def _scan_text(report: ScanReport, terminal: Terminal) -> str:
    from vastai_guard.report import text

    return text.render(
        report.findings, report.committed, paint=terminal.paint, quiet=terminal.quiet,
        incomplete=report.incomplete_line, earlier=report.earlier,
    )


def _scan_json(report: ScanReport, terminal: Terminal) -> str:
    from vastai_guard.report import json

    return json.render(
        report.findings,
        incomplete=report.incomplete, unreadable_objects=report.unreadable_objects,
        not_read=report.not_read, binary_files=report.binary_files,
    )


def _scan_ci(fmt: str) -> Callable[[ScanReport, Terminal], str]:
    def render(report: ScanReport, terminal: Terminal) -> str:
        from vastai_guard.report import results

        return _render_for_ci(
            fmt,
            [results.from_finding(finding) for finding in report.findings],
            results.DETECTOR_RULES,
            category='scan',
            incomplete=report.incomplete_line,
        )
    return render


def _history_text(report: HistoryReport, terminal: Terminal) -> str:
    from vastai_guard.report import history_text

    return history_text.render(
        report.keys, report.commits_scanned, incomplete=report.incomplete_line,
        paint=terminal.paint, quiet=terminal.quiet, suppressed=len(report.suppressed),
        unpushed=report.unpushed,
    )


def _history_json(report: HistoryReport, terminal: Terminal) -> str:
    from vastai_guard.report import history_json

    return history_json.render(
        report.keys, report.commits_scanned,
        incomplete=report.incomplete, unreadable_objects=report.unreadable_objects,
        suppressed=report.suppressed,
    )


def _history_ci(fmt: str) -> Callable[[HistoryReport, Terminal], str]:
    def render(report: HistoryReport, terminal: Terminal) -> str:
        from vastai_guard.report import results

        return _render_for_ci(
            fmt,
            [results.from_exposed_key(key) for key in report.keys],
            results.DETECTOR_RULES,
            category='history',
            incomplete=report.incomplete_line,
        )
    return render


def _history_markdown(report: HistoryReport, terminal: Terminal) -> str:
    import datetime

    from vastai_guard.report.markdown import render_rotation_plan

    plan = render_rotation_plan(
        report.keys,
        commits_scanned=report.commits_scanned,
        since_rotation_days=report.rotation_period_days,
        rotated=report.rotated,
        today=datetime.date.today(),
        suppressed=len(report.suppressed),
    )
    incomplete = report.incomplete_line
    if incomplete is None:
        return plan
    title, _, rest = plan.partition('\n')  # the warning right under the title
    return f'{title}\n\n> **{incomplete}**\n{rest}'


def _gitignore_text(report: GitignoreReport, terminal: Terminal) -> str:
    from vastai_guard.report import problems

    if terminal.quiet:  # -q: the problem lines alone
        return ''.join(f'{p.path}: {p.kind}: {p.message}\n' for p in report.problems)
    return problems.render_text(
        report.problems,
        added=report.added_block if report.added else report.added,
        untrack=report.untrack,
    )


def _gitignore_json(report: GitignoreReport, terminal: Terminal) -> str:
    from vastai_guard.report import problems

    return problems.render_json(report.problems, added=report.added)


def _gitignore_ci(fmt: str) -> Callable[[GitignoreReport, Terminal], str]:
    def render(report: GitignoreReport, terminal: Terminal) -> str:
        from vastai_guard.report import results

        return _render_for_ci(
            fmt,
            [results.from_gitignore_problem(problem) for problem in report.problems],
            results.gitignore_rules([problem.kind for problem in report.problems]),
            category='gitignore',
        )
    return render


def _sweep(fmt: str) -> Callable[[SweepReport, Terminal], str]:
    def render(report: SweepReport, terminal: Terminal) -> str:
        if fmt == 'text':
            from vastai_guard.report import sweep_text

            return sweep_text.render(report, paint=terminal.paint, quiet=terminal.quiet)
        if fmt == 'json':
            from vastai_guard.report import sweep_json

            return sweep_json.render(report)
        if fmt == 'sarif':
            from vastai_guard.report import sweep_sarif

            return sweep_sarif.render(report)
        from vastai_guard.report import sweep_markdown

        return sweep_markdown.render(report)
    return render


_RENDERERS: dict[tuple[type[Report], str], Callable[[Any, Terminal], str]] = {
    (ScanReport, 'text'): _scan_text,
    (ScanReport, 'json'): _scan_json,
    (ScanReport, 'sarif'): _scan_ci('sarif'),
    (ScanReport, 'github'): _scan_ci('github'),
    (HistoryReport, 'text'): _history_text,
    (HistoryReport, 'json'): _history_json,
    (HistoryReport, 'sarif'): _history_ci('sarif'),
    (HistoryReport, 'github'): _history_ci('github'),
    (HistoryReport, 'markdown'): _history_markdown,
    (GitignoreReport, 'text'): _gitignore_text,
    (GitignoreReport, 'json'): _gitignore_json,
    (GitignoreReport, 'sarif'): _gitignore_ci('sarif'),
    (GitignoreReport, 'github'): _gitignore_ci('github'),
    **{(SweepReport, fmt): _sweep(fmt) for fmt in ('text', 'json', 'sarif', 'markdown')},
}


def formats(result_type: type[Report]) -> tuple[str, ...]:
    """The `--format` choices of the command that makes `result_type`, in the table's order."""
    return tuple(fmt for kind, fmt in _RENDERERS if kind is result_type)


def render(result: Report, fmt: str, terminal: Terminal = Terminal()) -> str:
    """The text of `result` in format `fmt` (one of formats(type(result)))."""
    return _RENDERERS[type(result), fmt](result, terminal)


def summary(result: Report) -> str:
    """One line saying what a report found: on stdout when the report goes to `--output`."""
    if isinstance(result, ScanReport):
        findings = result.findings
        # "no keys" is only true of what was read
        missed = [
            count(number, noun, nouns) for number, noun, nouns in (
                (result.unreadable_objects, 'object', None),
                (len(result.not_read), 'file or folder', 'files or folders'),
            ) if number
        ]
        unread = f' ({", ".join(missed)} could not be read: incomplete)' if missed else ''
        if result.binary_files:
            unread += f'; {count(result.binary_files, "binary file")} not scanned'
        if not findings:
            return f'vastai-guard: no Vast.ai keys in {count(result.files_read, "file")}{unread}'
        keys = count(len({f.fingerprint for f in findings}), 'Vast.ai key')
        files = count(len({f.path for f in findings}), 'file')
        return f'vastai-guard: found {keys} in {files}{unread}'
    if isinstance(result, HistoryReport):
        pending = sum(1 for key in result.keys if key.status in PENDING_STATUSES)
        suppressed = f', {len(result.suppressed)} suppressed' if result.suppressed else ''
        return (
            f'vastai-guard: {count(len(result.keys), "Vast.ai key")} in history, '
            f'{pending} needing rotation{suppressed}'
        )
    if isinstance(result, SweepReport):
        pending = sum(1 for key in result.keys if key.status in PENDING_STATUSES)
        failed = sum(1 for r in result.repositories if r.error is not None or r.incomplete)
        return (
            f'vastai-guard: {count(len(result.keys), "distinct Vast.ai key")} in '
            f'{count(len(result.repositories), "repository")}, {pending} needing rotation, '
            f'{failed} failed or incomplete'
        )
    if not result.problems:
        return 'vastai-guard: env files and Vast.ai key files are kept out of git'
    return f'vastai-guard: {count(len(result.problems), "problem")} with env and key files'
