"""The forked workers history judges with (vastai_guard.history.workers): order, failures, no hang, no
process left behind."""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vastai_guard.history.workers import WorkerFailed
from vastai_guard.history.workers import Workers


@pytest.fixture
def deadline() -> Iterator[None]:
    """A hang fails the test instead of the suite: SIGALRM raises in this process, and leaving
    the Workers block on that error kills the workers."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError('the workers hung')

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(30)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _nothing() -> None:
    pass


def _slow_echo(task: tuple[int, float]) -> tuple[int, int]:
    number, pause = task
    time.sleep(pause)
    return number, os.getpid()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_results_come_back_in_the_order_tasks_went_in(deadline: None) -> None:
    # the first tasks are the slowest: the other worker finishes later ones first
    tasks = [(number, 0.2 if number < 2 else 0.0) for number in range(12)]
    with Workers(_slow_echo, 2, start=_nothing, finish=_nothing) as workers:
        results = []
        for task in tasks:
            workers.submit(task)
            if len(workers) > 4:
                results.append(workers.next_result())
        while workers:
            results.append(workers.next_result())

    assert [number for number, _ in results] == list(range(12))
    pids = {pid for _, pid in results}
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(_gone(pid) for pid in pids), 'a worker was left running'


def _fails_on_three(number: int) -> int:
    if number == 3:
        raise ValueError('three is not judged')
    return number


def test_a_task_that_raises_fails_with_its_error(deadline: None) -> None:
    with pytest.raises(WorkerFailed, match='ValueError: three is not judged'):
        with Workers(_fails_on_three, 2, start=_nothing, finish=_nothing) as workers:
            for number in range(6):
                workers.submit(number)
            while workers:
                workers.next_result()


def _dies_on_two(number: int) -> int:
    if number == 2:
        os._exit(9)  # as an out-of-memory kill would: no answer at all
    return number


def test_a_worker_that_dies_fails_the_scan_instead_of_hanging_it(deadline: None) -> None:
    with pytest.raises(WorkerFailed, match='ended early'):
        with Workers(_dies_on_two, 2, start=_nothing, finish=_nothing) as workers:
            for number in range(6):
                workers.submit(number)
            while workers:
                workers.next_result()


def test_a_task_for_a_worker_already_gone_fails_the_scan(deadline: None) -> None:
    """The worker died before its next task was written: writing it fails, and says why."""
    with pytest.raises(WorkerFailed, match='ended early'):
        with Workers(_dies_on_two, 1, start=_nothing, finish=_nothing) as workers:
            workers.submit(2)
            time.sleep(0.5)  # it has read the task and died
            workers.submit(3)
            while workers:
                workers.next_result()


def _big_echo(task: bytes) -> bytes:
    return task * 2


def test_big_tasks_and_big_results_do_not_deadlock(deadline: None) -> None:
    """Tasks and results far bigger than a pipe holds, many in flight: this process must read
    results while a worker's task pipe is full, or both sides wait for ever."""
    payload = os.urandom(1 << 20)
    with Workers(_big_echo, 2, start=_nothing, finish=_nothing) as workers:
        for _ in range(8):
            workers.submit(payload)
        results = [workers.next_result() for _ in range(8)]

    assert results == [payload * 2] * 8


def test_each_worker_finishes_before_the_block_ends(tmp_path: Path, deadline: None) -> None:
    """`finish` runs in every worker (history's workers stop their git there), and leaving the
    block waits for it."""
    def finish() -> None:
        (tmp_path / str(os.getpid())).write_text('finished')

    with Workers(_slow_echo, 2, start=_nothing, finish=finish) as workers:
        for number in range(4):
            workers.submit((number, 0.0))
        pids = {workers.next_result()[1] for _ in range(4)}

    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(map(str, pids))


def test_an_error_in_this_process_kills_the_workers(deadline: None) -> None:
    start = time.monotonic()
    with pytest.raises(RuntimeError, match='the walk failed'):
        with Workers(_slow_echo, 2, start=_nothing, finish=_nothing) as workers:
            workers.submit((0, 0.0))
            workers.submit((1, 60.0))  # would run for a minute
            _, pid = workers.next_result()
            raise RuntimeError('the walk failed')

    assert _gone(pid)
    assert time.monotonic() - start < 20, 'waited for the minute-long task instead of killing it'
