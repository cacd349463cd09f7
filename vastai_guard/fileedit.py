"""Edits to users' files that keep every existing byte and never leave a half-written file."""
from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence

_DEFAULT_MODE = 0o644


def atomic_write(path: str, data: bytes) -> None:
    """Replace `path` with `data` in one step: a reader sees the old file or the new one.

    The temporary file sits in the target's own folder (os.replace cannot cross file systems)
    and a symlink is written through to its target, so a linked .gitignore stays linked.
    """
    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = _DEFAULT_MODE & ~umask
    folder, name = os.path.split(target)
    fd, temp = tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def newline_of(data: bytes) -> bytes:
    """The file's own line ending: CRLF when most of its lines end so."""
    crlf = data.count(b'\r\n')
    return b'\r\n' if crlf and crlf >= data.count(b'\n') - crlf else b'\n'


def appended(data: bytes, lines: Sequence[str]) -> bytes:
    """`data` with `lines` added at the end, in the file's line ending, after a blank line.

    Existing bytes are kept as they are; a last line without a newline gets one so the
    block starts on its own line.
    """
    newline = newline_of(data)
    head = data
    if head and not head.endswith(b'\n'):
        head += newline
    if head and not head.endswith(newline * 2):
        head += newline  # a blank line sets the block apart
    return head + b''.join(line.encode('utf-8') + newline for line in lines)


def append_lines(path: str, lines: Sequence[str]) -> None:
    """Append `lines` to `path` atomically, creating it when missing."""
    try:
        with open(path, 'rb') as file:
            data = file.read()
    except FileNotFoundError:
        data = b''
    atomic_write(path, appended(data, lines))
