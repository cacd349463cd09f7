from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.history.run import history_revs
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep import split
from vastai_guard.sweep.task import parts_of
from vastai_guard.sweep.task import sweep_repository
from vastai_guard.sweep.task import task_for


def _history(path: Path) -> tuple[Path, list[str]]:
    """30 commits on main, a side branch merged in, keys old and new, one added twice."""
    keys = [new_key() for _ in range(4)]
    repo = init_repo(path)
    for step in range(30):
        if step == 20:
            git(repo, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side')
        write(repo, 'src/app.py', f'step = {step}\n')
        if step == 2:
            write(repo, 'old/.env', env_line(keys[0]))  # oldest part, gone later
        if step == 5:
            git(repo, 'rm', '-q', 'old/.env')
        if step == 12:
            write(repo, 'mid/.env', env_line(keys[1]))  # stays in HEAD
        if step == 14:
            git(repo, 'checkout', '-q', '-b', 'side')
            write(repo, 'side/.env', env_line(keys[2]))
            git(repo, 'add', 'side/.env')
            git(repo, 'commit', '-q', '-m', 'side')
            git(repo, 'checkout', '-q', 'main')
        if step == 25:
            write(repo, 'again/.env', env_line(keys[0]))  # the old key, added again
        commit_all(repo, f'step {step}')
    git(repo, 'tag', '-a', 'v1', '-m', f'vastai set api-key {keys[3]}')
    return repo, keys


def _split_run(path: Path, limit: int) -> tuple[RepositorySweep, int]:
    task = task_for(str(path), cache=None, split_commits=limit)
    first = sweep_repository(task)
    parts = [first] + [sweep_repository(part) for part in parts_of(task, first)]
    return split.combine(parts), len(parts)


def test_parts_are_disjoint_and_cover_everything(tmp_path: Path) -> None:
    from vastai_guard.git import repository
    from vastai_guard.git import runner

    repo, _ = _history(tmp_path / 'app')
    with repository.open_repository(str(repo)) as opened:
        ranges = split.plan(opened, history_revs(opened, include_unreachable=False), 8)
        listed = [
            runner.run_in(opened, ('rev-list', *revs, '--')).stdout.split()
            for revs in ranges
        ]
    everything = git(repo, 'rev-list', '--all').split()
    assert len(ranges) == 4
    assert sorted(c for part in listed for c in part) == sorted(c.encode() for c in everything)


def test_a_split_repository_reports_what_one_task_reports(tmp_path: Path) -> None:
    repo, keys = _history(tmp_path / 'app')
    whole = sweep_repository(task_for(str(repo), cache=None))

    combined, parts = _split_run(repo, 8)

    assert parts == 4 and whole.more == ()
    assert combined.commits_scanned == whole.commits_scanned == 32
    assert sorted(combined.keys) == sorted(whole.keys)
    assert sorted(combined.refs) == sorted(whole.refs)
    assert len(combined.keys) == 4


def test_a_small_repository_is_one_task(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'app')
    commit_all(repo)
    _, parts = _split_run(repo, 8)
    assert parts == 1


def test_a_failed_part_fails_the_repository() -> None:
    parts = [RepositorySweep('a', more=(('x',),), commits_scanned=3),
             RepositorySweep('a', part=1, error='worker failed: killed')]
    assert split.combine(parts).error == 'worker failed: killed'
