"""fileedit: the one write path. Users' files edited in place, locked, inside the work tree."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.util import init_repo
from vastai_guard.errors import FatalError
from vastai_guard.files.writing import appended
from vastai_guard.files.writing import edit_user_file
from vastai_guard.files.writing import undo_edit
from vastai_guard.files.writing import write_report


@pytest.mark.parametrize(
    ('before', 'after'),
    (
        pytest.param(b'', b'a\nb\n', id='empty'),
        pytest.param(b'x\n', b'x\n\na\nb\n', id='lf'),
        pytest.param(b'x', b'x\n\na\nb\n', id='no-final-newline'),
        pytest.param(b'x\n\n', b'x\n\na\nb\n', id='already-blank'),
        pytest.param(b'x\r\ny\r\n', b'x\r\ny\r\n\r\na\r\nb\r\n', id='crlf'),
        pytest.param(b'x\r\ny', b'x\r\ny\r\n\r\na\r\nb\r\n', id='crlf-no-final-newline'),
        pytest.param(b'\xef\xbb\xbfx\n', b'\xef\xbb\xbfx\n\na\nb\n', id='bom-kept'),
    ),
)
def test_appended_keeps_bytes_and_line_endings(before: bytes, after: bytes) -> None:
    assert appended(before, ['a', 'b']) == after


def _append(line: bytes) -> Callable[[bytes | None], bytes]:
    return lambda data: (data or b'') + line


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """A work tree and, beside it, a folder outside it holding a file someone else owns."""
    root = tmp_path / 'repo'
    root.mkdir()
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'theirs').write_bytes(b'not yours\n')
    return root, outside


def _snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: file bytes, link targets; to show nothing changed."""
    seen: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob('*')):
        if path.is_symlink():
            seen[str(path)] = f'-> {os.readlink(path)}'
        elif path.is_file():
            seen[str(path)] = path.read_bytes()
        else:
            seen[str(path)] = stat.filemode(path.lstat().st_mode)
    return seen


def test_edit_creates_a_missing_file_with_the_usual_mode_and_leaves_nothing_else(
        tmp_path: Path,
) -> None:
    old_umask = os.umask(0o022)
    try:
        assert edit_user_file(str(tmp_path / '.gitignore'), _append(b'.env\n'), root=str(tmp_path))
    finally:
        os.umask(old_umask)
    assert (tmp_path / '.gitignore').read_bytes() == b'.env\n'
    assert stat.S_IMODE((tmp_path / '.gitignore').stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ['.gitignore']  # no temporary or lock file left behind


def test_edit_keeps_mode_and_writes_through_a_link_inside_the_tree(tmp_path: Path) -> None:
    real = tmp_path / 'config' / 'shared-ignore'
    real.parent.mkdir()
    real.write_bytes(b'*.log\n')
    os.chmod(real, 0o600)
    link = tmp_path / '.gitignore'
    link.symlink_to('config/shared-ignore')

    assert edit_user_file(str(link), _append(b'.env\n'), root=str(tmp_path))

    assert link.is_symlink() and os.readlink(link) == 'config/shared-ignore'
    assert real.read_bytes() == b'*.log\n.env\n'
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_nothing_to_write_leaves_the_file_alone(tmp_path: Path) -> None:
    target = tmp_path / '.gitignore'
    target.write_bytes(b'.env\n')
    before = target.stat()
    assert edit_user_file(str(target), lambda data: None, root=str(tmp_path)) is False
    assert edit_user_file(str(target), lambda data: data, root=str(tmp_path)) is False
    assert target.stat().st_ino == before.st_ino  # not even replaced by an equal copy


@pytest.mark.parametrize(
    'make',
    (
        pytest.param(lambda root, out: (root / '.gitignore').symlink_to(out / 'theirs'),
                     id='link-to-a-file-outside'),
        pytest.param(lambda root, out: (root / '.gitignore').symlink_to(out / 'new'),
                     id='dangling-link-pointing-outside'),
        pytest.param(lambda root, out: (root / '.gitignore').symlink_to('../outside/theirs'),
                     id='relative-link-out'),
        pytest.param(lambda root, out: (root / 'sub').symlink_to(out),
                     id='linked-folder-outside'),
    ),
)
def test_a_path_that_resolves_outside_the_tree_is_refused(
        tmp_path: Path, make: Callable[[Path, Path], object],
) -> None:
    root, outside = _tree(tmp_path)
    make(root, outside)
    before = _snapshot(tmp_path)
    name = 'sub/.gitignore' if (root / 'sub').exists() else '.gitignore'

    with pytest.raises(FatalError, match='outside the work tree'):
        edit_user_file(str(root / name), _append(b'.env\n'), root=str(root))

    assert _snapshot(tmp_path) == before


def test_dot_dot_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    root, outside = _tree(tmp_path)
    with pytest.raises(FatalError, match='outside the work tree'):
        edit_user_file(str(root / '..' / 'outside' / 'theirs'), _append(b'x'), root=str(root))
    assert (outside / 'theirs').read_bytes() == b'not yours\n'


@pytest.mark.parametrize('kind', ('fifo', 'directory', 'socket', 'device-link'))
def test_a_special_file_is_never_read_or_replaced(tmp_path: Path, kind: str) -> None:
    target = tmp_path / '.gitignore'
    if kind == 'fifo':
        os.mkfifo(target)
    elif kind == 'directory':
        target.mkdir()
    elif kind == 'socket':
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    else:  # a link to /dev/null inside... the tree is /: the device itself is refused
        target.symlink_to(os.devnull)
    kind_before = stat.S_IFMT(target.lstat().st_mode)

    root = '/' if kind == 'device-link' else str(tmp_path)
    with pytest.raises(FatalError, match='not edited'):
        edit_user_file(str(target), _append(b'.env\n'), root=root)

    assert stat.S_IFMT(target.lstat().st_mode) == kind_before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


_RACER = """
import sys
from vastai_guard.files.writing import edit_user_file
from vastai_guard.files.writing import undo_edit
path, root, line = sys.argv[1:]
edit_user_file(path, lambda data: (data or b'') + line.encode() + b'\\n', root=root)
"""


def test_edits_at_the_same_time_all_land(tmp_path: Path) -> None:
    """The lock is held across read -> change -> replace: no edit overwrites another."""
    target = tmp_path / 'ledger'
    racers = [
        subprocess.Popen((sys.executable, '-c', _RACER, str(target), str(tmp_path), f'line {i}'))
        for i in range(30)
    ]
    assert [racer.wait(timeout=120) for racer in racers] == [0] * 30
    assert sorted(target.read_text().splitlines()) == sorted(f'line {i}' for i in range(30))
    assert os.listdir(tmp_path) == ['ledger']


def test_report_to_a_new_path_and_over_a_file_keeping_its_mode(tmp_path: Path) -> None:
    report = tmp_path / 'report.json'
    write_report(str(report), b'{}\n')
    assert report.read_bytes() == b'{}\n'
    report.chmod(0o640)
    write_report(str(report), b'[]\n')
    assert report.read_bytes() == b'[]\n'
    assert stat.S_IMODE(report.stat().st_mode) == 0o640


def test_report_through_a_link_to_a_file_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / 'real.sarif').write_bytes(b'old')
    link = tmp_path / 'latest.sarif'
    link.symlink_to('real.sarif')
    write_report(str(link), b'new')
    assert link.is_symlink() and (tmp_path / 'real.sarif').read_bytes() == b'new'


def test_report_to_dev_null_writes_into_the_device(tmp_path: Path) -> None:
    before = os.stat(os.devnull)
    write_report(os.devnull, b'report\n')
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_report_to_a_link_to_dev_null_leaves_the_link(tmp_path: Path) -> None:
    link = tmp_path / 'report.sarif'
    link.symlink_to(os.devnull)
    write_report(str(link), b'report\n')
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert os.listdir(tmp_path) == ['report.sarif']


def test_report_to_a_fifo_reaches_its_reader_and_the_fifo_stays(tmp_path: Path) -> None:
    fifo = tmp_path / 'pipe'
    os.mkfifo(fifo)
    # the reader is there before the write (the writer never waits for one): opened here,
    # non-blocking, so that the test does not race a reader thread's open()
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_report(str(fifo), b'the report\n')
        assert os.read(reader, 100) == b'the report\n'
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ['pipe']


def test_report_to_a_directory_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / 'reports'
    folder.mkdir()
    with pytest.raises(FatalError, match='it is a directory'):
        write_report(str(folder), b'report')
    assert os.listdir(folder) == [] and os.listdir(tmp_path) == ['reports']


@pytest.mark.parametrize('before', (None, b'# theirs\r\n'))
def test_undo_puts_back_the_bytes_or_removes_the_file_it_created(
        tmp_path: Path, before: bytes | None,
) -> None:
    target = tmp_path / '.pre-commit-config.yaml'
    if before is not None:
        target.write_bytes(before)
    assert edit_user_file(str(target), _append(b'repos: []\n'), root=str(tmp_path))
    written = target.read_bytes()

    undo_edit(str(target), before=before, written=written, root=str(tmp_path))

    if before is None:
        assert os.listdir(tmp_path) == []
    else:
        assert target.read_bytes() == before


def test_undo_leaves_an_edit_made_since(tmp_path: Path) -> None:
    target = tmp_path / '.pre-commit-config.yaml'
    assert edit_user_file(str(target), _append(b'ours\n'), root=str(tmp_path))
    target.write_bytes(b'ours\nand someone else\'s line\n')

    undo_edit(str(target), before=None, written=b'ours\n', root=str(tmp_path))

    assert target.read_bytes() == b'ours\nand someone else\'s line\n'


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
