from __future__ import annotations

from pathlib import Path

from testing.util import commit_all
from testing.util import env_line
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.state import State
from vastai_guard.sweep.task import sweep_repository
from vastai_guard.sweep.task import task_for


def test_a_result_comes_back_as_it_was_stored(tmp_path: Path) -> None:
    key = new_key()
    repo = init_repo(tmp_path / 'app')
    write(repo, '.env', env_line(key))
    commit_all(repo)
    result = sweep_repository(task_for(str(repo), cache=None))
    state = State(str(tmp_path / 'state'))

    state.save(str(repo), result)

    assert State(str(tmp_path / 'state')).load(str(repo)) == result
    assert state.load(str(tmp_path / 'other')) is None
    stored = ''.join(p.read_text() for p in (tmp_path / 'state').rglob('*.json'))
    assert key not in stored and result.keys[0].fingerprint in stored


def test_a_failed_repository_is_not_kept(tmp_path: Path) -> None:
    state = State(str(tmp_path / 'state'))
    state.save('/x', RepositorySweep('/x', error='not found'))
    assert state.load('/x') is None


def test_a_damaged_state_file_means_scan_again(tmp_path: Path) -> None:
    state = State(str(tmp_path / 'state'))
    state.save('/x', RepositorySweep('/x', tips='abc'))
    assert state.load('/x') == RepositorySweep('/x', tips='abc')
    for path in (tmp_path / 'state').rglob('*.json'):
        path.write_text('{"version": 1, "where": "/x", "result": {"keys": 3}}')
    assert state.load('/x') is None


def test_a_password_in_a_url_is_not_written(tmp_path: Path) -> None:
    state = State(str(tmp_path / 'state'))
    where = 'https://bot:hunter2secret@git.example/org/app.git'
    state.save(where, RepositorySweep('https://bot:***@git.example/org/app.git', tips='abc'))
    assert state.load(where) is not None
    (stored,) = (tmp_path / 'state').rglob('*.json')
    assert 'hunter2secret' not in stored.read_text()
