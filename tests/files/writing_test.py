"""The one writer: where it refuses to write, and what it never leaves behind."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from testing.util import init_repo
from vastai_guard.errors import FatalError
from vastai_guard.files.writing import edit_user_file
from vastai_guard.files.writing import write_report


def test_a_stale_temp_file_from_a_killed_run_is_removed_by_the_next_write(
        tmp_path: Path,
) -> None:
    stale = tmp_path / '.report.json.ab12cd_9.tmp'  # what mkstemp names, left by `kill -9`
    stale.write_bytes(b'half a report')
    other = tmp_path / '.report.json.notours.tmp'  # not mkstemp's 8 characters: not ours
    other.write_bytes(b'')
    write_report(str(tmp_path / 'report.json'), b'{}')
    assert sorted(os.listdir(tmp_path)) == ['.report.json.notours.tmp', 'report.json']


def test_a_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')

    def change(data: bytes | None) -> bytes:
        raise FatalError('refused half way')

    with pytest.raises(FatalError):
        edit_user_file(str(repo / '.gitignore'), change, root=str(repo))
    assert sorted(os.listdir(repo)) == ['.git']


def test_a_fifo_output_with_a_reader_is_written(tmp_path: Path) -> None:
    fifo = tmp_path / 'pipe'
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    # the reader may not have opened the pipe yet: the writer says so rather than wait
    for _ in range(200):
        try:
            write_report(str(fifo), b'report\n')
            break
        except FatalError as error:
            assert 'no process reads' in str(error)
            threading.Event().wait(0.01)
    reader.join(timeout=10)
    assert got == [b'report\n']


def test_a_fifo_output_without_a_reader_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / 'pipe'
    os.mkfifo(fifo)
    with pytest.raises(FatalError, match='a named pipe that no process reads'):
        write_report(str(fifo), b'report\n')


@pytest.mark.parametrize(
    ('link', 'refused'),
    (
        pytest.param('../outside.txt', True, id='out of the work tree'),
        pytest.param('.git/config', True, id='into .git'),
        pytest.param('/nonexistent-vastai-guard/x', True, id='dangling, out of the tree'),
        pytest.param('sub/real.txt', False, id='inside the work tree'),
    ),
)
def test_a_report_link_in_a_work_tree_is_followed_only_inside_it(
        tmp_path: Path, link: str, refused: bool,
) -> None:
    repo = init_repo(tmp_path / 'repo')
    (tmp_path / 'outside.txt').write_bytes(b'kept')
    (repo / 'sub').mkdir()
    (repo / 'sub' / 'real.txt').write_bytes(b'old')
    config_before = (repo / '.git' / 'config').read_bytes()
    (repo / 'report.sarif').symlink_to(link)
    if refused:
        with pytest.raises(FatalError, match='not followed'):
            write_report(str(repo / 'report.sarif'), b'new')
        assert (tmp_path / 'outside.txt').read_bytes() == b'kept'
        assert (repo / '.git' / 'config').read_bytes() == config_before
        assert not os.path.exists('/nonexistent-vastai-guard')
    else:
        write_report(str(repo / 'report.sarif'), b'new')
        assert (repo / 'sub' / 'real.txt').read_bytes() == b'new'


def test_a_users_file_linked_into_git_is_not_edited(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    (repo / '.gitignore').symlink_to('.git/config')
    before = (repo / '.git' / 'config').read_bytes()
    with pytest.raises(FatalError, match=r"inside the repository's \.git folder"):
        edit_user_file(str(repo / '.gitignore'), lambda data: b'.env\n', root=str(repo))
    assert (repo / '.git' / 'config').read_bytes() == before


def test_while_the_bytes_are_written_no_temp_file_has_a_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:  # the last moment of writing: a kill -9 here leaves ...
        seen.append(sorted(os.listdir(tmp_path)))
        real_fsync(fd)

    monkeypatch.setattr(os, 'fsync', fsync)
    write_report(str(tmp_path / 'report.json'), b'{}')
    assert seen == [[]]  # ... nothing in the folder
    assert sorted(os.listdir(tmp_path)) == ['report.json']
    assert (tmp_path / 'report.json').read_bytes() == b'{}'


def test_without_o_tmpfile_a_named_temp_file_is_used_and_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vastai_guard.files import writing

    monkeypatch.setattr(writing, '_nameless', lambda folder, mode: None)
    (tmp_path / 'report.json').write_bytes(b'old')
    (tmp_path / 'report.json').chmod(0o600)
    write_report(str(tmp_path / 'report.json'), b'{}')
    assert sorted(os.listdir(tmp_path)) == ['report.json']
    assert (tmp_path / 'report.json').read_bytes() == b'{}'
    assert (tmp_path / 'report.json').stat().st_mode & 0o777 == 0o600
