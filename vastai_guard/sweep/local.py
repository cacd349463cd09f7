"""The default engine: repositories scanned by worker processes on this machine.

No server and no extra dependency: concurrent.futures' process pool, one repository per task
(workers.Workers hands results back in the order of submission, which would leave a worker's
queue behind one big repository; here each worker takes the next repository when it is done).
With one worker, or where processes cannot be forked, this process scans them itself.
"""
from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.task import SweepTask
from vastai_guard.sweep.task import sweep_repository
from vastai_guard.workers import can_fork


def run_local(tasks: Sequence[SweepTask], workers: int) -> Iterator[RepositorySweep]:
    """Each task's result, as each finishes."""
    if workers <= 1 or len(tasks) <= 1 or not can_fork():
        for task in tasks:
            yield sweep_repository(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import as_completed

    # fork: a worker starts with everything this process imported (spawn would import the
    # package again in each); the pool's threads start after the workers are forked
    context = multiprocessing.get_context('fork')
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(sweep_repository, task): task for task in tasks}
        try:
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 -- a worker died (killed, OOM)
                    task = futures[future]
                    yield RepositorySweep(
                        task.source, error=f'worker failed: {type(error).__name__}: {error}',
                    )
        except BaseException:
            # ^C or the caller gave up: no repository still queued is started
            pool.shutdown(wait=False, cancel_futures=True)
            raise
