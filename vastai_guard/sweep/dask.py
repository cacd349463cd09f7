"""`sweep --scheduler tcp://HOST:PORT`: the same tasks on an existing Dask distributed cluster.

One task per repository (task.sweep_repository), sent by reference: every worker needs git
and this package installed (`pip install vastai-guard[dask]`), and the paths of local
SOURCEs must mean the same on the workers (a shared file system), or sources must be URLs,
which each worker mirrors into its own cache. Results come back as RepositorySweep: no raw
key crosses the network. A repository is not split across tasks: one very big repository is
one task on one worker.
"""
from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.errors import FatalError
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.task import SweepTask
from vastai_guard.sweep.task import sweep_repository

# How long the client waits for the scheduler: the whole wait stays under 30 s.
CONNECT_SECONDS = 10


def run_dask(address: str, tasks: Sequence[SweepTask]) -> Iterator[RepositorySweep]:
    """Each task's result, as each finishes on the cluster at `address`."""
    try:
        from distributed import Client
        from distributed import as_completed
    except ImportError:
        raise FatalError(
            '--scheduler needs Dask distributed: pip install "vastai-guard[dask]"',
        ) from None
    import logging

    # distributed logs every retry of the connection on stderr: the one line is ours
    logging.getLogger('distributed').setLevel(logging.CRITICAL)
    try:
        client = Client(  # type: ignore[no-untyped-call]
            address, timeout=CONNECT_SECONDS, set_as_default=False,
        )
    except Exception as error:  # noqa: BLE001 -- OSError, TimeoutError, ValueError (bad address)
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FatalError(
            f'--scheduler {address}: no Dask scheduler answered ({reason[:200]})',
        ) from None
    try:
        futures = client.map(sweep_repository, list(tasks), pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 -- the worker died or lost the task
                task = by_key[future.key]
                yield RepositorySweep(
                    task.source, error=f'worker failed: {type(error).__name__}: {error}'[:300],
                )
    finally:
        client.close()  # type: ignore[no-untyped-call]

