"""A few forked processes that each run one function on tasks; results come back in order.

What history judges blobs with. Not multiprocessing.Pool: its three threads in this process
(feeding tasks, collecting results, watching workers) take the GIL from the history walk, which
is this process's whole job, and its import alone costs as much as walking a small repository.
Here the worker function reaches the children by fork (nothing to pickle but tasks and
results), and this process only writes and reads pipes.

A task and its result travel as one pickled frame (length, then payload) on the worker's own
pair of pipes. This process never blocks writing a task while a worker could be blocked
writing a result it has not read: task pipes are non-blocking, and while one is full the
results waiting in every worker's pipe are read into memory.
"""
from __future__ import annotations

import collections
import os
import pickle
import struct
import sys
from collections.abc import Callable
from typing import Any
from typing import Generic
from typing import TypeVar

Task = TypeVar('Task')
Result = TypeVar('Result')

_LENGTH = struct.Struct('<Q')
_CHUNK = 1 << 16


class WorkerFailed(RuntimeError):
    """A worker raised, or ended without answering (killed, out of memory)."""


def can_fork() -> bool:
    """Workers are forked, which is safe on Linux; on macOS the system libraries may have
    started threads that a forked child lacks (Python's own default there is spawn), and
    Windows has no fork: there the caller works in process."""
    return sys.platform.startswith('linux')


class _Channel:
    """One worker as this process sees it."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid = pid
        self.tasks = tasks  # write end, non-blocking
        self.results = results  # read end
        self.in_flight = 0
        self.inbox = bytearray()  # result bytes read ahead, not yet a whole frame
        self.ready: collections.deque[bytes] = collections.deque()  # whole frames

    def take_in(self, data: bytes) -> None:
        self.inbox += data
        while len(self.inbox) >= _LENGTH.size:
            (size,) = _LENGTH.unpack_from(self.inbox)
            end = _LENGTH.size + size
            if len(self.inbox) < end:
                return
            self.ready.append(bytes(self.inbox[_LENGTH.size:end]))
            del self.inbox[:end]


class Workers(Generic[Task, Result]):
    """`jobs` processes running `work` on tasks, forked now with everything imported.

    `submit` a task, `next_result` for the oldest task's result (the order of submission).
    `start` runs first in each worker, `finish` when it has no more tasks. Use as a context
    manager: leaving it normally lets the workers finish; leaving it on an error (Ctrl-C
    included) kills them.
    """

    def __init__(
            self,
            work: Callable[[Task], Result],
            jobs: int,
            *,
            start: Callable[[], None],
            finish: Callable[[], None],
    ) -> None:
        self._channels: list[_Channel] = []
        self._order: collections.deque[_Channel] = collections.deque()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            for _ in range(jobs):
                self._channels.append(self._fork(work, start, finish))
        except OSError:
            self.stop(finished=False)  # the ones started: no half-made pool is left
            raise

    def _fork(
            self,
            work: Callable[[Task], Result],
            start: Callable[[], None],
            finish: Callable[[], None],
    ) -> _Channel:
        made: list[int] = []
        try:
            task_read, task_write = os.pipe()
            made += (task_read, task_write)
            result_read, result_write = os.pipe()
            made += (result_read, result_write)
            pid = os.fork()
        except OSError:  # out of processes or descriptors
            for fd in made:
                os.close(fd)
            raise
        if pid == 0:  # pragma: no cover (the child ends in os._exit: coverage never sees it)
            status = 1
            try:
                for fd in (task_write, result_read, *self._parent_fds()):
                    os.close(fd)
                start()
                _serve(work, task_read, result_write)
                finish()
                status = 0
            finally:
                os._exit(status)
        os.close(task_read)
        os.close(result_write)
        os.set_blocking(task_write, False)
        return _Channel(pid, task_write, result_read)

    def _parent_fds(self) -> list[int]:
        return [fd for channel in self._channels for fd in (channel.tasks, channel.results)]

    def __enter__(self) -> Workers[Task, Result]:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self.stop(finished=exc_type is None)

    def __len__(self) -> int:
        """Tasks submitted whose results were not taken yet."""
        return len(self._order)

    def submit(self, task: Task) -> None:
        # the least busy worker; ties to the first, so that results do not depend on timing
        channel = min(self._channels, key=lambda each: each.in_flight)
        payload = pickle.dumps(task, pickle.HIGHEST_PROTOCOL)
        self._send(channel, _LENGTH.pack(len(payload)) + payload)
        channel.in_flight += 1
        self._order.append(channel)

    def next_result(self) -> Result:
        channel = self._order.popleft()
        while not channel.ready:
            data = os.read(channel.results, _CHUNK)
            if not data:
                raise WorkerFailed(f'a worker process ended early ({self._end_of(channel)})')
            channel.take_in(data)
        channel.in_flight -= 1
        ok, value = pickle.loads(channel.ready.popleft())
        if not ok:
            raise WorkerFailed(f'in a worker process: {value}')
        result: Result = value
        return result

    def stop(self, *, finished: bool) -> None:
        """Let the workers end (`finished`: every task done), or kill them."""
        import signal

        for channel in self._channels:
            os.close(channel.tasks)  # no more tasks: a worker reads the end and finishes
            if not finished:
                try:
                    os.kill(channel.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for channel in self._channels:
            os.close(channel.results)
            os.waitpid(channel.pid, 0)
        self._channels = []

    def _send(self, channel: _Channel, frame: bytes) -> None:
        import select

        view = memoryview(frame)
        while view:
            try:
                view = view[os.write(channel.tasks, view):]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise WorkerFailed(
                    f'a worker process ended early ({self._end_of(channel)})',
                ) from None
            # the worker is busy and its pipe full: meanwhile take in what every worker has
            # answered, so that none waits on this process to read a result (poll, not
            # select: no limit on the descriptors' numbers)
            poll = select.poll()
            poll.register(channel.tasks, select.POLLOUT)
            for each in self._channels:
                poll.register(each.results, select.POLLIN)
            ready = {fd for fd, _ in poll.poll()}
            for each in list(self._channels):
                if each.results in ready:
                    data = os.read(each.results, _CHUNK)
                    if not data:
                        raise WorkerFailed(
                            f'a worker process ended early ({self._end_of(each)})',
                        )
                    each.take_in(data)

    def _end_of(self, channel: _Channel) -> str:
        _, status = os.waitpid(channel.pid, 0)
        self._channels.remove(channel)
        os.close(channel.tasks)
        os.close(channel.results)
        return f'exit status {os.waitstatus_to_exitcode(status)}'


def _serve(work: Callable[[Any], Any], task_fd: int, result_fd: int) -> None:  # pragma: no cover
    """A worker's life: a task in, its result (or what went wrong) out, until no more."""
    with os.fdopen(task_fd, 'rb') as tasks, os.fdopen(result_fd, 'wb') as results:
        while True:
            head = tasks.read(_LENGTH.size)
            if len(head) < _LENGTH.size:
                return
            (size,) = _LENGTH.unpack(head)
            task = pickle.loads(tasks.read(size))
            try:
                answer: tuple[bool, Any] = (True, work(task))
            except Exception as error:  # noqa: BLE001 -- sent back, for the caller to raise
                # one line, as the main process reports its own unexpected errors
                answer = (False, f'{type(error).__name__}: {error}')
            payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
            results.write(_LENGTH.pack(len(payload)))
            results.write(payload)
            results.flush()
