"""Where a report goes, and which format a command uses when none is asked for.

Shared by every command that reports: `--output FILE` writes the full report to FILE
(atomically: a reader never sees half a SARIF log) and leaves stdout one summary line, so a CI
log still says what happened.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from collections.abc import Sequence

from vastai_guard.errors import FatalError


def default_format(choices: Sequence[str], env: Mapping[str, str]) -> str:
    """`github` inside GitHub Actions (annotations on the pull request), else `text`."""
    if env.get('GITHUB_ACTIONS') == 'true' and 'github' in choices:
        return 'github'
    return 'text'


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and os.replace."""
    import tempfile  # only when a file is written: the hook's start-up stays light

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix='.vastai-guard-', suffix='.tmp')
    except OSError as error:
        raise FatalError(f'cannot write {path}: {error.strerror}') from None
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        os.chmod(temp, _mode_for(path))
        os.replace(temp, path)
    except OSError as error:
        os.unlink(temp)
        raise FatalError(f'cannot write {path}: {error.strerror}') from None
    except BaseException:
        os.unlink(temp)
        raise


def _mode_for(path: str) -> int:
    """The file's own mode when it exists; else what a plain `open()` would give.

    mkstemp makes its file 0600, which would quietly tighten an edited config or hide a report.
    """
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)  # the only way to read the umask is to set it
        os.umask(umask)
        return 0o666 & ~umask


def emit(report: str, *, output_file: str | None, summary: str) -> None:
    """The report on stdout; or, with `--output`, in the file and `summary` on stdout."""
    if output_file is None:
        sys.stdout.write(report)
        return
    write_atomically(output_file, report)
    print(f'{summary}; report written to {output_file}')


def count(number: int, noun: str) -> str:
    return f'{number} {noun}{"" if number == 1 else "s"}'
