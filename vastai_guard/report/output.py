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
        _write_stdout(report)
        return
    from vastai_guard.files.writing import write_report  # only when a file is written

    write_report(output_file, report.encode('utf-8'))
    _write_stdout(f'{summary}; report written to {output_file}\n')


def _write_stdout(text: str) -> None:
    """`text` on stdout, whatever it can encode: a strict ASCII stdout (PYTHONIOENCODING,
    a C locale in CI) gets `\\u0438` for what it cannot show, never a crash."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = sys.stdout.encoding or 'utf-8'
        sys.stdout.write(text.encode(encoding, 'backslashreplace').decode(encoding))
