"""read_regular / open_regular: regular files only, and never more than asked."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from vastai_guard.files.reading import NotRegularFileError
from vastai_guard.files.reading import TooLargeError
from vastai_guard.files.reading import open_regular
from vastai_guard.files.reading import read_regular


def test_reads_a_file_and_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / 'a.env'
    target.write_bytes(b'data\0\xff')
    (tmp_path / 'link').symlink_to(target)
    assert read_regular(str(target), max_bytes=100) == b'data\0\xff'
    assert read_regular(str(tmp_path / 'link'), max_bytes=100) == b'data\0\xff'
    with open_regular(str(target)) as stream:
        assert stream.read() == b'data\0\xff'


def test_the_limit_is_inclusive(tmp_path: Path) -> None:
    path = tmp_path / 'f'
    path.write_bytes(b'x' * 10)
    assert read_regular(str(path), max_bytes=10) == b'x' * 10
    with pytest.raises(TooLargeError) as raised:
        read_regular(str(path), max_bytes=9)
    assert raised.value.size == 9


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    # open() on a FIFO with no writer would block for ever: the test would hang, not fail
    fifo = tmp_path / '.env'
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError) as raised:
        read_regular(str(fifo), max_bytes=100)
    assert 'FIFO' in raised.value.kind
    with pytest.raises(NotRegularFileError):
        open_regular(str(fifo))


def test_a_folder_a_device_and_a_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFileError, match='a folder'):
        read_regular(str(tmp_path), max_bytes=100)
    # /dev/zero never ends: reading it "up to the limit" would still be wrong
    with pytest.raises(NotRegularFileError, match='a device'):
        read_regular('/dev/zero', max_bytes=100)
    path = tmp_path / 's'
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(NotRegularFileError, match='a socket'):
            read_regular(str(path), max_bytes=100)


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / 'link').symlink_to('/dev/zero')
    with pytest.raises(NotRegularFileError):
        read_regular(str(tmp_path / 'link'), max_bytes=100)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular(str(tmp_path / 'absent'), max_bytes=100)


def test_errors_are_oserrors(tmp_path: Path) -> None:
    # callers catch OSError to report "could not read": both must be caught there
    assert issubclass(NotRegularFileError, OSError)
    assert issubclass(TooLargeError, OSError)
