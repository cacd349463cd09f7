"""history_changes: each commit, newest first, then the blobs it sets; against real repositories."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import write
from vastai_guard.git.log import Change
from vastai_guard.git.log import Commit
from vastai_guard.git.log import HistoryStreamError
from vastai_guard.git.log import history_changes
from vastai_guard.git.log import is_null
from vastai_guard.git.runner import Repository


def _repository(path: Path) -> Repository:
    return Repository(str(path), str(path / '.git'), shallow=False, partial=False)


def _stream(repo: Path, *revs: str, messages: bool = False) -> list[Commit | Change]:
    return list(history_changes(_repository(repo), revs or ('HEAD',), messages=messages))


def _blob(repo: Path, rev_path: str) -> str:
    return git(repo, 'rev-parse', rev_path).strip()


def test_commits_newest_first_each_followed_by_its_blobs(repo: Path) -> None:
    write(repo, 'a.env', 'one\n')
    first = commit_all(repo, 'first')
    write(repo, 'a.env', 'two\n')
    write(repo, 'dir/b.txt', 'b\n')
    second = commit_all(repo, 'second')
    stream = _stream(repo)
    assert [type(item) for item in stream] == [Commit, Change, Change, Commit, Change]
    assert [item.sha for item in stream if isinstance(item, Commit)] == [second, first]
    changes = {item.path: item for item in stream[1:3] if isinstance(item, Change)}
    assert set(changes) == {'a.env', 'dir/b.txt'}
    # the blob set, and the one it replaced: what lets history judge only what is new
    assert changes['a.env'].sha == _blob(repo, f'{second}:a.env')
    assert changes['a.env'].parents == (_blob(repo, f'{first}:a.env'),)
    assert is_null(changes['dir/b.txt'].parents[0])
    # the root commit's blobs are listed too (`--root`)
    root_change = stream[4]
    assert isinstance(root_change, Change) and root_change.path == 'a.env'


def test_deletions_are_not_changes(repo: Path) -> None:
    write(repo, 'a.env', 'x\n')
    commit_all(repo)
    (repo / 'a.env').unlink()
    commit_all(repo, 'delete')
    stream = _stream(repo)
    assert isinstance(stream[0], Commit)
    assert isinstance(stream[1], Commit)  # the deletion commit sets no blob


def test_messages_and_dates(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo, 'subject line\n\nbody with words')
    commit = _stream(repo, messages=True)[0]
    assert isinstance(commit, Commit)
    assert commit.message.startswith('subject line\n\nbody with')
    assert commit.date[:4].isdigit() and 'T' in commit.date
    plain = _stream(repo)[0]
    assert isinstance(plain, Commit) and plain.message == ''


@pytest.mark.parametrize(
    'name', ('with space.env', 'new\nline.env', 'tab\there.env', 'ünïcödé.env'),
)
def test_odd_paths_arrive_literally(repo: Path, name: str) -> None:
    write(repo, name, 'x\n')
    commit_all(repo)
    paths = [item.path for item in _stream(repo) if isinstance(item, Change)]
    assert paths == [name]  # no C-quoting, no octal escapes


def test_submodule_entries_are_not_blobs(repo: Path) -> None:
    write(repo, 'a', 'x')
    head = commit_all(repo)
    git(repo, 'update-index', '--add', '--cacheinfo', f'160000,{head},sub')
    git(repo, 'commit', '-q', '-m', 'submodule')
    assert [item.path for item in _stream(repo) if isinstance(item, Change)] == ['a']


def test_merge_lists_only_what_the_merge_itself_wrote(repo: Path) -> None:
    write(repo, 'base', 'base\n')
    commit_all(repo, 'base')
    git(repo, 'checkout', '-q', '-b', 'side')
    write(repo, 'side.env', 'from side\n')
    write(repo, 'both', 'side\n')
    commit_all(repo, 'side')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'both', 'main\n')
    commit_all(repo, 'main')
    conflict = subprocess.run(('git', 'merge', '-q', 'side', '-m', 'merge'), cwd=repo, check=False)
    assert conflict.returncode != 0  # conflicts on `both`
    write(repo, 'both', 'resolved\n')
    git(repo, 'add', 'both')
    git(repo, 'commit', '-q', '--no-edit')
    stream = _stream(repo)
    assert isinstance(stream[0], Commit)
    merge_changes = []
    for item in stream[1:]:
        if isinstance(item, Commit):
            break
        merge_changes.append(item)
    # side.env came from the side branch (its own commit lists it); the resolution is new
    assert [change.path for change in merge_changes] == ['both']
    assert len(merge_changes[0].parents) == 2


def test_several_revisions_each_commit_once(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    git(repo, 'branch', 'other')
    commits = [item for item in _stream(repo, 'main', 'other') if isinstance(item, Commit)]
    assert len(commits) == 1


def test_a_bad_revision_raises(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    with pytest.raises(HistoryStreamError):
        _stream(repo, 'no-such-branch')


def test_is_null() -> None:
    assert is_null('0' * 40)
    assert is_null('0' * 64)
    assert not is_null('0' * 39 + '1')


def test_a_symlink_blob_is_a_change(repo: Path) -> None:
    (repo / 'link.env').symlink_to('VAST_API_KEY=target-text')
    commit_all(repo)
    changes = [item for item in _stream(repo) if isinstance(item, Change)]
    assert [change.path for change in changes] == ['link.env']
    assert changes[0].sha == _blob(repo, 'HEAD:link.env')
