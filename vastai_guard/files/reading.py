"""Reading files a user or an attacker controls without hanging on them or filling memory.

`open()` on a FIFO waits for a writer forever, and a device (`/dev/zero`) never ends. Every
file vastai-guard reads from disk (scanned files, its config, baselines, .pre-commit-config.yaml)
goes through `read_regular`: anything but a regular file is refused before it is opened for
reading, and what is read is bounded.
"""
from __future__ import annotations

import os
import stat
from typing import BinaryIO


class NotRegularFileError(OSError):
    """The path is a FIFO, socket, device or folder: never read (`kind` says which)."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f'{path}: {kind}, not a regular file')
        self.kind = kind


class TooLargeError(OSError):
    def __init__(self, path: str, size: int) -> None:
        super().__init__(f'{path}: larger than {size} bytes')
        self.size = size


def kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return 'a named pipe (FIFO)'
    if stat.S_ISSOCK(mode):
        return 'a socket'
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return 'a device'
    if stat.S_ISDIR(mode):
        return 'a folder'
    return 'not a regular file'


def _open_checked(path: str) -> int:
    """A descriptor on the regular file at `path`: checked with stat before opening (opening
    some devices has effects of its own), opened non-blocking (a FIFO swapped in meanwhile
    cannot make open() wait), and checked again with fstat on what was actually opened."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(path, kind_of(mode))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0) | getattr(os, 'O_CLOEXEC', 0)
    fd = os.open(path, flags)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFileError(path, kind_of(info.st_mode))
    return fd


def open_regular(path: str) -> BinaryIO:
    """The regular file at `path`, opened for reading with read_regular's checks (a file too
    big to read whole is read in chunks from this)."""
    return os.fdopen(_open_checked(path), 'rb')


def read_regular(path: str, *, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `max_bytes`.

    Raises FileNotFoundError, NotRegularFileError, TooLargeError or another OSError.
    """
    fd = _open_checked(path)
    try:
        if os.fstat(fd).st_size > max_bytes:
            raise TooLargeError(path, max_bytes)
        chunks = []
        total = 0
        # read to the end rather than st_size: a file growing meanwhile is still bounded
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise TooLargeError(path, max_bytes)
        return b''.join(chunks)
    finally:
        os.close(fd)
