"""Where a report goes, and which format a command uses when none is asked for.

Shared by every command that reports: `--output FILE` writes the full report to FILE
(fileedit.write_report: a file is replaced atomically, so a reader never sees half a SARIF
log; a device or pipe is written into) and leaves stdout one summary line, so a CI
log still says what happened.
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from collections.abc import Sequence


def default_format(choices: Sequence[str], env: Mapping[str, str]) -> str:
    """`github` inside GitHub Actions (annotations on the pull request), else `text`."""
    if env.get('GITHUB_ACTIONS') == 'true' and 'github' in choices:
        return 'github'
    return 'text'


def emit(report: str, *, output_file: str | None, summary: str) -> None:
    """The report on stdout; or, with `--output`, in the file and `summary` on stdout."""
    if output_file is None:
        sys.stdout.write(report)
        return
    from vastai_guard.fileedit import write_report  # only when a file is written

    write_report(output_file, report.encode('utf-8'))
    print(f'{summary}; report written to {output_file}')


def count(number: int, noun: str) -> str:
    return f'{number} {noun}{"" if number == 1 else "s"}'
