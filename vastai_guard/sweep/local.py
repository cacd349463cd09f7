"""The default engine: repositories scanned by worker processes on this machine.

No server and no extra dependency: concurrent.futures' process pool, one repository (or one
part of a split one) per task. workers.Workers hands results back in the order of submission,
which would leave a worker's queue behind one big repository; here each worker takes the next
task when it is done. With one worker, or where processes cannot be forked, this process
scans them itself.
"""
from __future__ import annotations

import collections
from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.history.workers import can_fork
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.task import SweepTask
from vastai_guard.sweep.task import parts_of
from vastai_guard.sweep.task import sweep_repository


def run_local(tasks: Sequence[SweepTask], workers: int) -> Iterator[RepositorySweep]:
    """Each task's result as each finishes; the parts a task split its repository into are
    run too, and their results yielded."""
    if workers <= 1 or not can_fork():
        queue = collections.deque(tasks)
        while queue:
            task = queue.popleft()
            result = sweep_repository(task)
            queue.extend(parts_of(task, result))
            yield result
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED
    from concurrent.futures import Future
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import wait

    # fork: a worker starts with everything this process imported (spawn would import the
    # package again in each); the pool's threads start after the workers are forked
    context = multiprocessing.get_context('fork')
    # all `workers` even for fewer repositories: the parts of a split repository come later
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        running: dict[Future[RepositorySweep], SweepTask] = {
            pool.submit(sweep_repository, task): task for task in tasks
        }
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    try:
                        result = future.result()
                    except Exception as error:  # noqa: BLE001 -- a worker died (killed, OOM)
                        result = RepositorySweep(
                            task.source, part=task.part,
                            error=f'worker failed: {type(error).__name__}: {error}'[:300],
                        )
                    for part in parts_of(task, result):
                        running[pool.submit(sweep_repository, part)] = part
                    yield result
        except BaseException:
            # ^C or the caller gave up: no task still queued is started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
