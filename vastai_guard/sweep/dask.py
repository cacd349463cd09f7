"""`sweep --scheduler tcp://HOST:PORT`: the same tasks on an existing Dask distributed cluster.

One task per repository (task.sweep_repository), sent by reference: every worker needs git
and this package installed (`pip install vastai-guard[dask]`), and the paths of local
SOURCEs must mean the same on the workers (a shared file system), or sources must be URLs,
which each worker mirrors into its own cache. Results come back as RepositorySweep: no raw
key crosses the network. A repository bigger than the split limit comes back from its first
task with the commit ranges of its other parts (split.py), submitted here as tasks of their
own, so that one huge repository keeps every worker busy.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vastai_guard.errors import FatalError
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.task import SweepTask
from vastai_guard.sweep.task import parts_of
from vastai_guard.sweep.task import sweep_repository

if TYPE_CHECKING:
    from distributed import Client

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
    _reachable(address)
    import logging

    # distributed logs every retry of the connection on stderr: the one line is ours
    logging.getLogger('distributed').setLevel(logging.CRITICAL)
    client = _connect(Client, address)
    try:
        futures = client.map(sweep_repository, list(tasks), pure=False)
        running = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        finished = as_completed(futures, loop=client.loop)  # type: ignore[no-untyped-call]
        for future in finished:
            task = running.pop(future.key)
            try:
                result: RepositorySweep = future.result()
            except Exception as error:  # noqa: BLE001 -- the worker died or lost the task
                result = RepositorySweep(
                    task.source, part=task.part,
                    error=f'worker failed: {type(error).__name__}: {error}'[:300],
                )
            for part in parts_of(task, result):
                more = client.submit(sweep_repository, part, pure=False)
                running[more.key] = part
                finished.add(more)  # type: ignore[no-untyped-call]
            yield result
    finally:
        client.close()  # type: ignore[no-untyped-call]


def _connect(client_type: type[Client], address: str) -> Client:
    """A client of the scheduler at `address`, or FatalError within CONNECT_SECONDS."""
    made: list[Client] = []

    class _Client(client_type):  # type: ignore[valid-type, misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    try:
        client: Client = _Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except Exception as error:  # noqa: BLE001 -- OSError, TimeoutError, a scheduler's garbage
        for half_made in made:
            # a client that failed to connect closes itself when collected, waiting twice the
            # timeout and printing a traceback: closed now, briefly, and quietly
            with contextlib.suppress(Exception):
                half_made.close(timeout=1)  # type: ignore[no-untyped-call]
            half_made.status = 'closed'
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise FatalError(
            f'--scheduler {address}: no Dask scheduler answered ({reason[:200]})',
        ) from None
    return client


def _reachable(address: str) -> None:
    """A refused connection said at once: distributed would retry it for CONNECT_SECONDS."""
    import socket
    import urllib.parse

    parts = urllib.parse.urlsplit(address if '://' in address else f'tcp://{address}')
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme == 'tcp' and (host is None or port is None):
        raise FatalError(f'--scheduler {address}: give the address as tcp://HOST:PORT')
    if parts.scheme != 'tcp' or host is None or port is None:
        return  # tls://, ucx://, inproc://...: distributed's own connect decides
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise FatalError(f'--scheduler {address}: no Dask scheduler answered ({reason})') from None
