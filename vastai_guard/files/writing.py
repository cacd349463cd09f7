"""Every file vastai-guard writes goes through here: users' files and reports.

A user's file (.gitignore, .pre-commit-config.yaml, .vastai-guard.yaml) is edited with
`edit_user_file` (and put back with `undo_edit`): inside the work tree only, regular files
only, under a lock, replaced in one step. A report (`--output`) is written with
`write_report`: replaced in one step when it is a file, written into when it is a device or a
pipe, never replacing one of those.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.errors import FatalError

_DEFAULT_MODE = 0o644
# Names of an already open file: the shell's redirections, not a place to put a new file
_OPEN_DESCRIPTOR = re.compile(r'/dev/(?:stdout|stderr|fd/\d+)|/proc/(?:self|\d+)/fd/\d+')


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return _DEFAULT_MODE & ~umask


def _replace(target: str, data: bytes, mode: int) -> None:
    """Replace `target` (a real path, no link) with `data` in one step. Callers hold the
    folder's lock (_locked).

    The new file is written in the target's own folder (os.replace cannot cross file
    systems); a reader sees the old file or the new one, never half of one. On Linux it is
    written nameless (O_TMPFILE) and given a name only to be renamed over the target, so a run
    killed while writing (`kill -9`) leaves nothing in the folder; elsewhere a killed run's
    `.NAME.XXXXXXXX.tmp` is removed by the next writer of NAME.
    """
    folder, name = os.path.split(target)
    _remove_stale_temps(folder, name)
    fd = _nameless(folder, mode)
    temp = None
    try:
        if fd is None:
            fd, temp = tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp', dir=folder)
        with os.fdopen(fd, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            if temp is None:
                temp = _temp_name(folder, name)
                _link_nameless(file.fileno(), temp)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        if temp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        raise


def _nameless(folder: str, mode: int) -> int | None:
    """A file with no name yet in `folder` (Linux's O_TMPFILE), or None where there is none."""
    flag = getattr(os, 'O_TMPFILE', 0)
    if not flag or not os.path.isdir('/proc/self/fd'):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | getattr(os, 'O_CLOEXEC', 0), mode)
    except OSError:  # a file system without it (some network ones): a named temporary file
        return None


def _link_nameless(fd: int, path: str) -> None:
    """Give the O_TMPFILE file `fd` the name `path`: linkat(AT_SYMLINK_FOLLOW) of its
    /proc link, which needs no privilege (os.link calls plain link(), which does not follow
    it, unless a folder descriptor is given)."""
    folder = os.open(os.path.dirname(path), os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        os.link(
            f'/proc/self/fd/{fd}', os.path.basename(path), dst_dir_fd=folder,
            follow_symlinks=True,
        )
    finally:
        os.close(folder)


def _temp_name(folder: str, name: str) -> str:
    import secrets

    alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_'
    middle = ''.join(secrets.choice(alphabet) for _ in range(8))
    return os.path.join(folder, f'.{name}.{middle}.tmp')


def _remove_stale_temps(folder: str, name: str) -> None:
    """Temporary files a killed run (`kill -9`) left for `name`: removed by the next writer.

    Every writer holds the folder's lock (_locked) for the whole life of its temporary file,
    so under the lock a `.NAME.XXXXXXXX.tmp` (mkstemp's 8 characters) belongs to no live run.
    """
    prefix = f'.{name}.'
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for entry in names:
        middle = entry[len(prefix):-len('.tmp')]
        if entry.startswith(prefix) and entry.endswith('.tmp') and _TEMP_MIDDLE.fullmatch(middle):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, entry))


_TEMP_MIDDLE = re.compile(r'[a-z0-9_]{8}')


@contextlib.contextmanager
def _locked(folder: str) -> Iterator[None]:
    """An exclusive lock on `folder` itself, held across read -> change -> replace.

    Not on the file: os.replace puts a new inode at the name, so a second process that opens
    the name after the replace locks the new inode while a third still holds the old one, and
    a missing file has nothing to lock. Not on a sidecar `<name>.lock`: it would show up in the
    user's `git status` (and be committed by `git add .`), and deleting it after use brings the
    same race back. The folder is never replaced, and locking it leaves nothing behind.
    """
    import fcntl

    fd = os.open(folder, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath((path, root)) == root


def _target(path: str, root: str) -> str:
    """The real file behind `path`, checked to be inside `root`; FatalError otherwise.

    realpath follows every link, a dangling one included (to where it would create a file),
    and resolves `..`: what is checked is where the bytes would land.
    """
    target = os.path.realpath(path)
    real_root = os.path.realpath(root)
    if not _inside(target, real_root):
        raise FatalError(
            f'{path} resolves to {target}, outside the work tree {root}: not edited '
            '(vastai-guard only edits files inside the repository)',
        )
    # `.git/` is inside the work tree on disk, not for editing: a committed `.gitignore` link
    # to `.git/config` would have us append to git's own config
    if '.git' in os.path.relpath(target, real_root).split(os.sep):
        raise FatalError(
            f'{path} resolves to {target}, inside the repository\'s .git folder: not edited',
        )
    return target


def _read_regular(target: str, path: str) -> tuple[bytes | None, int]:
    """The bytes and mode of `target` (None: no such file), refusing anything not a file.

    Opened without following a link and without blocking, then checked on the open file: a
    FIFO put there after the path was checked is not read from, and never replaced.
    """
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None, _new_file_mode()
    except OSError as error:  # a socket cannot be opened at all
        raise FatalError(f'{path} is not a regular file ({error.strerror}): not edited') from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        what = 'a directory' if stat.S_ISDIR(info.st_mode) else 'a pipe or a device'
        raise FatalError(f'{path} is {what}, not a regular file: not edited')
    with os.fdopen(fd, 'rb') as file:
        return file.read(), stat.S_IMODE(info.st_mode)


def edit_user_file(
        path: str,
        change: Callable[[bytes | None], bytes | None],
        *,
        root: str,
) -> bool:
    """Read-modify-write `path` (a file in the work tree `root`); whether it was written.

    `change` gets the file's bytes (None: no file yet) and returns the new bytes, or None for
    nothing to write. It runs under the lock, so two runs at once each see the other's edit.
    A link is edited through to its target (the link stays a link) when that target is inside
    `root`; a path outside it, or not a regular file, is refused with nothing written. The
    file's mode is kept.
    """
    try:
        target = _target(path, root)
        with _locked(os.path.dirname(target)):
            target = _target(path, root)  # again, under the lock: a link may have moved
            old, mode = _read_regular(target, path)
            new = change(old)
            if new is None or new == old:
                return False
            _replace(target, new, mode)
            return True
    except OSError as error:
        raise FatalError(f'cannot write {path}: {error.strerror or error}') from None


def undo_edit(path: str, *, before: bytes | None, written: bytes, root: str) -> None:
    """Put back a file `edit_user_file` wrote: `before` again, or no file if there was none.

    Only while it still holds what we `written`: an edit someone made since is theirs.
    """
    try:
        target = _target(path, root)
        with _locked(os.path.dirname(target)):
            target = _target(path, root)
            now, mode = _read_regular(target, path)
            if now != written:
                return
            if before is None:
                os.unlink(target)
            else:
                _replace(target, before, mode)
    except OSError as error:
        raise FatalError(f'cannot restore {path}: {error.strerror or error}') from None


def _is_stdout(info: os.stat_result) -> bool:
    try:
        return os.path.samestat(info, os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):  # no real stdout (closed, captured)
        return False


def _write_into(path: str, info: os.stat_result, data: bytes) -> None:
    """Write `data` into what is open at `path`, in order with anything already written there.

    Our own stdout is written through sys.stdout, so the report and the summary line after it
    keep their order; anything else is opened to append (a file the shell opened for an
    earlier command keeps that command's output), and never created.
    """
    if _is_stdout(info):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        # non-blocking: opening a FIFO no process reads would wait forever
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise FatalError(
                f'cannot write {path}: a named pipe that no process reads (start the reader '
                'first)',
            ) from None
        raise
    os.set_blocking(fd, True)  # a reader is there: wait for it as a pipe does
    with os.fdopen(fd, 'wb') as file:
        file.write(data)


def write_report(path: str, data: bytes) -> None:
    """Write a report to `path` (`--output`).

    A regular file or a new path is replaced in one step (a link is followed and stays). A
    character device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe a reader holds) is
    written into, never replaced: replacing /dev/null as root in a CI container would break
    the machine. So is a file named by an open descriptor (`/dev/stdout` redirected to a log,
    `/dev/fd/3`): replacing it would drop what the shell already wrote there. Anything else (a
    directory, a socket, a block device) is exit 2.
    """
    try:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            _check_link(path)
            _replace_locked(os.path.realpath(path), data, _new_file_mode())
            return
        mode = info.st_mode
        if stat.S_ISREG(mode) and not _OPEN_DESCRIPTOR.fullmatch(os.path.realpath(path)):
            _check_link(path)
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or (
                stat.S_ISREG(mode) and _OPEN_DESCRIPTOR.fullmatch(os.path.abspath(path))
        ):
            _write_into(path, info, data)
            return
        if not stat.S_ISREG(mode):
            what = 'a directory' if stat.S_ISDIR(mode) else 'not a regular file'
            raise FatalError(f'cannot write {path}: it is {what}; give a file path to --output')
        _replace_locked(os.path.realpath(path), data, stat.S_IMODE(mode))
    except OSError as error:
        raise FatalError(f'cannot write {path}: {error.strerror or error}') from None


def _work_tree_around(folder: str) -> str | None:
    """The work tree holding `folder` (the nearest folder with a `.git`), without running git."""
    while True:
        if os.path.lexists(os.path.join(folder, '.git')):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def named_output_root(path: str) -> str:
    """The tree `path`, a file the user named (`--update-baseline FILE`), may be written in:
    the work tree it lies in (found by its name, links not followed: a committed link to a
    folder does not take it out), else its own folder, a place the user chose outside any
    repository."""
    absolute = os.path.abspath(path)
    root = _work_tree_around(os.path.dirname(absolute))
    return root if root is not None else os.path.dirname(os.path.realpath(absolute))


def _check_link(path: str) -> None:
    """FatalError when `path` is a link (or passes through one) that a checkout could have
    brought to choose what gets overwritten: one leading out of the work tree it sits in
    (`vastai-guard.sarif -> ~/.bashrc`), or into its `.git/`. A link outside any work tree
    is the user's own and is followed."""
    absolute = os.path.abspath(path)
    target = os.path.realpath(path)
    if target == absolute:
        return
    root = _work_tree_around(os.path.dirname(absolute))
    if root is None:
        return
    real_root = os.path.realpath(root)
    relative = os.path.relpath(target, real_root)
    if not _inside(target, real_root) or '.git' in relative.split(os.sep):
        raise FatalError(
            f'cannot write {path}: a symbolic link leading to {target}, out of the work tree '
            f'{root} or into its .git: not followed (name the file itself)',
        )


def _replace_locked(target: str, data: bytes, mode: int) -> None:
    with _locked(os.path.dirname(target)):
        _replace(target, data, mode)


def newline_of(data: bytes) -> bytes:
    """The file's own line ending: CRLF when most of its lines end so."""
    crlf = data.count(b'\r\n')
    return b'\r\n' if crlf and crlf >= data.count(b'\n') - crlf else b'\n'


def appended(data: bytes, lines: Sequence[str]) -> bytes:
    """`data` with `lines` added at the end, in the file's line ending, after a blank line.

    Existing bytes are kept as they are; a last line without a newline gets one so the
    block starts on its own line.
    """
    newline = newline_of(data)
    head = data
    if head and not head.endswith(b'\n'):
        head += newline
    if head and not head.endswith(newline * 2):
        head += newline  # a blank line sets the block apart
    return head + b''.join(line.encode('utf-8') + newline for line in lines)
