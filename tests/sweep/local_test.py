from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import env_line
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.sweep.local import run_local
from vastai_guard.sweep.task import task_for


def test_every_repository_comes_back_once_from_the_pool(tmp_path: Path) -> None:
    key = new_key()
    sources = []
    for name in ('a', 'b', 'c', 'd'):
        repo = init_repo(tmp_path / name)
        write(repo, '.env', env_line(key))
        commit_all(repo)
        sources.append(str(repo))
    sources.append(str(tmp_path / 'missing'))

    results = list(run_local([task_for(s, cache=None) for s in sources], workers=2))

    assert sorted(r.source for r in results) == sorted(sources)
    by_source = {r.source: r for r in results}
    assert all(len(by_source[s].keys) == 1 for s in sources[:4])
    assert by_source[sources[4]].error == 'not found'


def test_one_worker_scans_in_this_process(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'a')
    commit_all(repo)
    (result,) = run_local([task_for(str(repo), cache=None)], workers=1)
    assert result.error is None and result.commits_scanned == 1
