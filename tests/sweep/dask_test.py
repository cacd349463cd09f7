from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.findings import fingerprint
from vastai_guard.sweep import dask
from vastai_guard.sweep.task import task_for


@pytest.fixture(scope='module')
def cluster() -> Iterator[str]:
    """A real Dask cluster: a scheduler and one worker process on this machine."""
    from distributed import LocalCluster

    with LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
    ) as local:
        yield local.scheduler_address


def test_repositories_run_as_tasks_on_the_cluster(cluster: str, tmp_path: Path) -> None:
    key = new_key()
    sources = []
    for name in ('a', 'b'):
        repo = init_repo(tmp_path / name)
        write(repo, '.env', env_line(key))
        commit_all(repo)
        sources.append(str(repo))
    sources.append(str(tmp_path / 'missing'))

    results = {r.source: r for r in dask.run_dask(cluster, [task_for(s, cache=None) for s in sources])}

    assert results.keys() == set(sources)
    assert [k.fingerprint for k in results[sources[0]].keys] == [fingerprint(key)]
    assert [k.fingerprint for k in results[sources[1]].keys] == [fingerprint(key)]
    assert results[sources[2]].error == 'not found'


def test_no_scheduler_is_one_error_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask, 'CONNECT_SECONDS', 1)
    start = time.monotonic()
    with pytest.raises(FatalError, match='no Dask scheduler answered'):
        list(dask.run_dask('tcp://127.0.0.1:9', [task_for('x', cache=None)]))
    assert time.monotonic() - start < 10


def test_without_the_extra_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, 'distributed', None)  # import distributed: ImportError
    with pytest.raises(FatalError, match=r'pip install "vastai-guard\[dask\]"'):
        list(dask.run_dask('tcp://127.0.0.1:9', []))
