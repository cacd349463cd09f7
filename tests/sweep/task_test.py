from __future__ import annotations

import pickle
from pathlib import Path

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.findings import fingerprint
from vastai_guard.sweep.task import sweep_repository
from vastai_guard.sweep.task import task_for
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import ROTATED


def _leaky(path: Path, key: str) -> Path:
    init_repo(path)
    write(path, 'deploy/.env', env_line(key))
    commit_all(path, 'env')
    git(path, 'branch', 'release')
    git(path, 'rm', '-q', 'deploy/.env')
    commit_all(path, 'gone from HEAD, not from history')
    return path


def test_a_repository_s_result_carries_fingerprints_never_the_key(tmp_path: Path) -> None:
    key = new_key()
    repo = _leaky(tmp_path / 'app', key)

    result = sweep_repository(task_for(str(repo), cache=None))

    assert result.error is None
    assert [k.fingerprint for k in result.keys] == [fingerprint(key)]
    assert not result.keys[0].in_head
    assert result.keys[0].first_seen.path == 'deploy/.env'
    assert dict(result.refs)[fingerprint(key)] == ('refs/heads/main', 'refs/heads/release')
    assert result.commits_scanned == 2
    # what crosses a pipe or the network to the client
    assert key.encode() not in pickle.dumps(result)


def test_a_bare_repository_s_ledger_is_read_from_head(tmp_path: Path) -> None:
    key = new_key()
    repo = _leaky(tmp_path / 'app', key)
    write(repo, '.vastai-guard.yaml',
          f'rotated:\n- fingerprint: {fingerprint(key)}\n  date: "2026-01-01"\n  note: reset\n')
    commit_all(repo, 'ledger')
    bare = tmp_path / 'app.git'
    git(tmp_path, 'clone', '-q', '--bare', str(repo), str(bare))

    assert sweep_repository(task_for(str(bare), cache=None)).keys[0].status == ROTATED
    git(repo, 'rm', '-q', '.vastai-guard.yaml')
    commit_all(repo, 'ledger dropped')
    git(bare, 'fetch', '-q', str(repo), '+main:main')
    assert sweep_repository(task_for(str(bare), cache=None)).keys[0].status == NEEDS_ROTATION


def test_unchanged_tips_are_not_scanned_again(tmp_path: Path) -> None:
    repo = _leaky(tmp_path / 'app', new_key())
    first = sweep_repository(task_for(str(repo), cache=None))

    again = sweep_repository(task_for(str(repo), cache=None, known_tips=first.tips))
    assert again.unchanged and again.keys == () and again.tips == first.tips

    git(repo, 'tag', 'v1')  # a new ref is a new result
    moved = sweep_repository(task_for(str(repo), cache=None, known_tips=first.tips))
    assert not moved.unchanged and moved.tips != first.tips and moved.keys


def test_the_config_is_part_of_the_tips(tmp_path: Path) -> None:
    """A rotation recorded on disk (not yet committed) changes the status: scan again."""
    repo = _leaky(tmp_path / 'app', new_key())
    first = sweep_repository(task_for(str(repo), cache=None))
    write(repo, '.vastai-guard.yaml', 'exclude_paths: ["docs/**"]\n')
    assert sweep_repository(task_for(str(repo), cache=None)).tips != first.tips


def test_failures_are_the_repository_s_error_line(tmp_path: Path) -> None:
    (tmp_path / 'plain').mkdir()
    missing = sweep_repository(task_for(str(tmp_path / 'nope'), cache=None))
    plain = sweep_repository(task_for(str(tmp_path / 'plain'), cache=None))
    assert missing.error == 'not found'
    assert plain.error == 'not a git repository'
    bad_config = _leaky(tmp_path / 'bad', new_key())
    write(bad_config, '.vastai-guard.yaml', 'nonsense: 1\n')
    assert 'unknown setting' in (sweep_repository(task_for(str(bad_config), cache=None)).error or '')


def test_a_shallow_clone_says_its_history_is_partial(tmp_path: Path) -> None:
    repo = _leaky(tmp_path / 'app', new_key())
    git(tmp_path, 'clone', '-q', '--depth', '1', repo.as_uri(), str(tmp_path / 'shallow'))
    result = sweep_repository(task_for(str(tmp_path / 'shallow'), cache=None))
    assert result.warnings[0].startswith('shallow clone: history is partial')
    assert not sweep_repository(task_for(str(repo), cache=None)).warnings
