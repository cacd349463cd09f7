"""Object contents: one `git cat-file --batch` per reader, every answer checked."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from vastai_guard.git.repository import is_partial
from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import run_in
from vastai_guard.git.runner import spawn_in
from vastai_guard.git.runner import widen_pipe
from vastai_guard.git.worktree import IndexEntry
from vastai_guard.git.worktree import blobs_listed

MISSING = -1
DAMAGED = -2


class ReadObject(NamedTuple):
    sha: str
    size: int  # as git's header says; MISSING or DAMAGED when there is no data
    data: bytes | None  # None: missing, damaged, or larger than the limit asked for


class ObjectReader:
    """Object contents through one `git cat-file --batch`, kept for every call.

    One process for the whole scan keeps git's delta base cache warm: a file edited two
    thousand times is a chain of deltas, and a new git for each batch would rebuild the chain
    from the start each time (measured: 4x the system time).

    A damaged object never stops the reading. A loose object whose header gives the wrong
    size makes git write more or fewer bytes than announced; a corrupt packed object makes git
    die. Each answer is checked (the sha asked for, then exactly `size` bytes and a newline);
    at the first wrong one that object is reported DAMAGED, git is stopped, and a new git reads
    the rest. Each batch ends with a request for the null object id, whose `missing` answer
    marks the end of the batch: a header announcing more bytes than git has is seen when git
    has nothing left to say, rather than waited on for ever.
    """

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._process: subprocess.Popen[bytes] | None = None
        self._answers = _BatchAnswers(-1)  # the running git's output

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass

    def forget(self) -> None:
        """Drop the process without touching it: in a forked child it is the parent's."""
        self._process = None

    def read(self, shas: Sequence[str], *, max_size: int) -> Iterator[ReadObject]:
        """Each object in the order asked; data None when missing, damaged or over max_size."""
        import threading

        pending = list(shas)
        while pending:
            if self._process is None:
                self._process = spawn_in(
                    self._repo, ('cat-file', '--batch'),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
                assert self._process.stdout is not None
                widen_pipe(self._process.stdout.fileno())
                self._answers = _BatchAnswers(self._process.stdout.fileno())
            process, answers = self._process, self._answers
            assert process.stdin is not None
            null = '0' * len(pending[0])
            end = f'{null} missing\n'.encode()
            request = ''.join(f'{sha}\n' for sha in (*pending, null)).encode()

            def feed(stdin: Any = process.stdin, request: bytes = request) -> None:
                try:
                    stdin.write(request)
                    stdin.flush()
                except (OSError, ValueError):
                    pass  # git went away: the reader says which object

            # a thread, so that git can answer while the rest of the batch is still asked
            feeder = threading.Thread(target=feed, name='vastai-guard-feed', daemon=True)
            feeder.start()
            done = 0
            in_sync = False
            try:
                for sha in pending:
                    answer = answers.answer(sha, max_size, end)
                    if answer is None:
                        break
                    done += 1
                    yield answer
                else:
                    in_sync = answers.line() == end
            finally:
                if not in_sync:
                    self.close()  # damaged, or the caller stopped early: answers are pending
                feeder.join()
            if done < len(pending):
                yield ReadObject(pending[done], DAMAGED, None)
                done += 1
            pending = pending[done:]


def read_objects(
        repo: Repository,
        shas: Sequence[str],
        *,
        max_size: int,
) -> Iterator[ReadObject]:
    """Object contents in the order asked, through a cat-file of their own (ObjectReader)."""
    reader = ObjectReader(repo)
    try:
        yield from reader.read(shas, max_size=max_size)
    finally:
        reader.close()


# Reads of this size stay below malloc's mmap threshold: 1 MiB ones measured 3x the CPU.
_READ_BYTES = 1 << 16


class _BatchAnswers:
    """`cat-file --batch` output, parsed from reads of up to _READ_BYTES.

    Reads of that size, not one read per header and body: a history of small files is tens of
    thousands of answers, and three buffered reads for each cost more than git's own work.
    Nothing else may read the pipe.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b''
        self._at = 0  # where the unread part of _buffer starts

    def line(self) -> bytes:
        """The next line, its newline included; at the end of the output, what is left."""
        while True:
            newline = self._buffer.find(b'\n', self._at)
            if newline >= 0:
                line = self._buffer[self._at:newline + 1]
                self._at = newline + 1
                return line
            chunk = os.read(self._fd, _READ_BYTES)
            if not chunk:
                line, self._buffer, self._at = self._buffer[self._at:], b'', 0
                return line
            self._buffer = self._buffer[self._at:] + chunk
            self._at = 0

    def answer(self, sha: str, max_size: int, end: bytes) -> ReadObject | None:
        """One object, or None when the output is not what was asked."""
        header = self.line()
        fields = header.split()
        if not header.endswith(b'\n') or not fields or fields[0] != sha.encode():
            return None
        if len(fields) == 2 and fields[1] == b'missing':
            return ReadObject(sha, MISSING, None)
        if len(fields) != 3 or not fields[2].isdigit():
            return None
        size = int(fields[2])
        data = self._body(size, end, keep=size <= max_size)
        if data is None:
            return None
        return ReadObject(sha, size, data if size <= max_size else None)

    def _body(self, size: int, end: bytes, *, keep: bool) -> bytes | None:
        """`size` bytes and git's newline after them, or None when git has not got them.

        git's last words for a batch are `end`: a body read so far that ends with them means a
        header announced more bytes than git wrote (a blob that itself ends with that line
        would be called damaged: never seen).
        """
        mark = b'\n' + end
        stop = self._at + size
        if stop < len(self._buffer):  # the whole body is here, and the byte after it
            data = self._buffer[self._at:stop]
            self._at = stop + 1
            if self._buffer[stop] != 0x0A or data.endswith(mark):
                return None
            return data if keep else b''
        first = self._buffer[self._at:]
        self._buffer, self._at = b'', 0
        chunks = [first] if keep else []
        got = len(first)
        tail = first[-len(mark):]
        if tail == mark:
            return None
        while got < size:
            chunk = os.read(self._fd, min(size - got, _READ_BYTES))
            if not chunk:
                return None
            got += len(chunk)
            if keep:
                chunks.append(chunk)
            tail = (tail + chunk)[-len(mark):]
            if tail == mark:
                return None
        if self._next_byte() != b'\n':
            return None
        return b''.join(chunks) if keep else b''

    def _next_byte(self) -> bytes:
        if self._at >= len(self._buffer):
            self._buffer, self._at = os.read(self._fd, _READ_BYTES), 0
        byte = self._buffer[self._at:self._at + 1]
        self._at += len(byte)
        return byte


def read_blobs(repo: Repository, shas: Sequence[str], *, max_size: int) -> Iterator[ReadObject]:
    """Blobs for `scan`, in the order asked, through ObjectReader; never fatal, never fetched.

    A blob a partial clone does not hold is MISSING. git before 2.44 cannot be told not to
    fetch it (GIT_NO_LAZY_FETCH): asked for it, git dies, and the reader calls it DAMAGED. So
    at the first damaged object of a partial clone the rest is checked against what the clone
    holds, listed once: a blob it lacks is MISSING without being asked (no git per object).
    """
    reader = ObjectReader(repo)
    pending = list(shas)
    first = reader.read(pending, max_size=max_size)
    partial: bool | None = None  # asked at the first damaged object: a clean run pays nothing
    try:
        done = 0
        for blob in first:
            if blob.size == DAMAGED:
                partial = is_partial(repo) if partial is None else partial
                if partial:
                    break
            done += 1
            yield blob
        else:
            return
        # (`first` stays unfinished: the reader stopped its git before it said "damaged")
        rest = pending[done:]
        held = _held(repo, set(rest))
        yield blob if blob.sha in held else ReadObject(blob.sha, MISSING, None)
        read = reader.read([sha for sha in rest[1:] if sha in held], max_size=max_size)
        for sha in rest[1:]:
            yield next(read) if sha in held else ReadObject(sha, MISSING, None)
    finally:
        reader.close()


def _held(repo: Repository, wanted: set[str]) -> set[str]:
    """Those of `wanted` the object store holds: every object listed once, none fetched."""
    process = spawn_in(
        repo, ('cat-file', '--batch-all-objects', '--unordered', '--batch-check=%(objectname)'),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    with process:
        return {sha for line in process.stdout if (sha := line.decode('ascii').strip()) in wanted}


def tree_blobs(repo: Repository, treeish: str) -> list[IndexEntry]:
    """Every blob in a tree, recursively (an empty list when there is no such tree)."""
    return blobs_listed(run_in(repo, ('ls-tree', '-r', '-z', '--full-tree', treeish, '--')))



def head_tree(repo: Repository) -> list[IndexEntry]:
    """Every blob in HEAD's tree (an empty list in an empty repository)."""
    return tree_blobs(repo, 'HEAD')
