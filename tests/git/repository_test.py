"""Opening a repository and the questions asked of it as a whole, against real repositories."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.git import repository
from vastai_guard.git.runner import Repository


def _repository(path: Path) -> Repository:
    return Repository(str(path), str(path / '.git'), shallow=False, partial=False)


def test_open_from_a_subfolder(repo: Path) -> None:
    write(repo, 'sub/a', 'x')
    commit_all(repo)
    with repository.open_repository(str(repo / 'sub')) as opened:
        assert os.path.realpath(opened.root) == os.path.realpath(repo)
        assert os.path.realpath(opened.git_dir) == os.path.realpath(repo / '.git')
        assert os.path.isabs(opened.git_dir)
        assert (opened.shallow, opened.partial) == (False, False)


def test_open_from_inside_the_git_dir(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    with repository.open_repository(str(repo / '.git' / 'objects')) as opened:
        # git names no work tree from inside .git: the work tree is still the one scanned
        assert os.path.realpath(opened.root) == os.path.realpath(repo)


def test_a_repository_named_elsewhere_wins_over_git_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = init_repo(tmp_path / 'here')
    other = init_repo(tmp_path / 'other')
    monkeypatch.chdir(here)
    monkeypatch.setenv('GIT_DIR', str(here / '.git'))  # as inside a hook of `here`
    with repository.open_repository(str(other)) as opened:
        assert os.path.realpath(opened.git_dir) == os.path.realpath(other / '.git')


def test_open_a_bare_repository(tmp_path: Path) -> None:
    bare = tmp_path / 'bare.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(bare)), check=True)
    with repository.open_repository(str(bare)) as opened:
        assert os.path.realpath(opened.root) == os.path.realpath(bare)


def test_open_a_shallow_clone(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / 'origin')
    for i in range(2):
        write(origin, 'a', str(i))
        commit_all(origin)
    clone = tmp_path / 'clone'
    subprocess.run(
        ('git', 'clone', '-q', '--depth', '1', f'file://{origin}', str(clone)), check=True,
    )
    with repository.open_repository(str(clone)) as opened:
        assert opened.shallow


@pytest.mark.parametrize('where', ('plain', 'absent'))
def test_not_a_repository_is_a_usage_error(
        tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / 'plain').mkdir()
    # the temporary folder may sit inside some repository: git must not look above it
    monkeypatch.setenv('GIT_CEILING_DIRECTORIES', str(tmp_path))
    with pytest.raises(FatalError, match='not a git repository'):
        with repository.open_repository(str(tmp_path / where)):
            pass


@pytest.mark.parametrize(
    ('value', 'partial'), (('true', True), ('false', False)),
)
def test_is_partial(repo: Path, value: str, partial: bool) -> None:
    assert not repository.is_partial(_repository(repo))
    git(repo, 'config', 'remote.origin.promisor', value)
    assert repository.is_partial(_repository(repo)) is partial


def test_every_stash_entry(repo: Path) -> None:
    write(repo, 'a', 'base')
    commit_all(repo)
    for content in ('one', 'two'):
        write(repo, 'a', content)
        git(repo, 'stash', '-q')
    stashes = repository.stash_commits(_repository(repo))
    assert len(stashes) == 2  # `--all` only sees refs/stash, the newest
    assert stashes[0] == git(repo, 'rev-parse', 'refs/stash').strip()
    assert repository.stash_commits(_repository(init_repo(repo / 'empty'))) == []


def test_unreachable_commits(repo: Path) -> None:
    write(repo, 'a', 'base')
    commit_all(repo)
    write(repo, 'a', 'amended away')
    dropped = commit_all(repo, 'dropped')
    git(repo, 'reset', '-q', '--hard', 'HEAD~1')
    shas, error = repository.unreachable_commits(_repository(repo))
    # reflogs still hold it: --no-reflogs makes it count as unreachable
    assert shas == [dropped]
    assert error is None


def test_check_range(repo: Path) -> None:
    write(repo, 'a', '1')
    commit_all(repo)
    write(repo, 'a', '2')
    commit_all(repo)
    opened = _repository(repo)
    repository.check_range(opened, 'HEAD~1..HEAD')
    repository.check_range(opened, 'HEAD~1...')  # an empty end is HEAD
    for bad in ('nope..HEAD', 'HEAD..nope', '--all', '', 'HEAD~5..HEAD'):
        with pytest.raises(FatalError, match='--range'):
            repository.check_range(opened, bad)


def test_is_commit(repo: Path) -> None:
    write(repo, 'a', '1')
    commit_all(repo)
    opened = _repository(repo)
    assert repository.is_commit(opened, 'HEAD')
    assert not repository.is_commit(opened, 'HEAD:a')  # a blob
    assert not repository.is_commit(opened, '--all')  # never an option


def test_commit_authors_and_count(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, 'a', '1')
    first = commit_all(repo)
    monkeypatch.setenv('GIT_AUTHOR_NAME', 'Other Person')
    write(repo, 'a', '2')
    second = commit_all(repo)
    opened = _repository(repo)
    assert repository.commit_authors(opened, [first, second]) == {
        first: 'Test Author <author@example.invalid>',
        second: 'Other Person <author@example.invalid>',
    }
    assert repository.commit_authors(opened, []) == {}
    assert repository.count_commits(opened, ['HEAD']) == 2
    assert repository.count_commits(opened, ['HEAD~1..HEAD']) == 1
    assert repository.count_commits(opened, ['nope']) is None


def test_missing_objects_of_a_partial_clone(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / 'origin')
    write(origin, 'big.bin', 'x' * 10_000)
    commit_all(origin)
    git(origin, 'config', 'uploadpack.allowFilter', 'true')
    clone = tmp_path / 'clone'
    subprocess.run(
        ('git', 'clone', '-q', '--no-checkout', '--filter=blob:none', f'file://{origin}',
         str(clone)),
        check=True,
    )
    blob = git(origin, 'rev-parse', 'HEAD:big.bin').strip()
    opened = _repository(clone)._replace(partial=True)
    assert repository.is_partial(opened)
    assert repository.missing_objects(opened, ['HEAD']) == {blob}
    assert repository.missing_objects(_repository(origin), ['HEAD']) == frozenset()
