"""Walking a folder tree without recursion, and saying what could not be listed.

`os.walk` recurses on Python 3.10 and 3.11: a folder nested ~1,000 deep (one `mkdir -p` away)
raises RecursionError there. This walk keeps its own stack, so depth costs memory, not frames,
and a folder that cannot be listed (chmod 000) is handed back rather than passed over: a scan
must not call a folder it never opened clean.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator


def walk(
        top: str,
        *,
        on_error: Callable[[str, OSError], None],
        skip: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, list[str]]]:
    """(folder, sorted names of what is not a folder in it) for `top` and every folder under
    it, parents first, siblings in name order (os.walk's topdown order, sorted).

    A link to a folder is listed as a name, never entered; folders named in `skip` (`.git`)
    are not entered. `on_error(folder, error)` hears of every folder that could not be listed.
    """
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            on_error(folder, error)
            continue
        folders = []
        names = []
        for entry in entries:
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if entry.name not in skip:
                    folders.append(entry.name)
            else:
                names.append(entry.name)
        yield folder, sorted(names)
        stack.extend(os.path.join(folder, name) for name in sorted(folders, reverse=True))


def special_files_named(top: str, name: str) -> list[tuple[str, int]]:
    """(path, mode) of every file called `name` under `top` (`.git` folders left out) that is
    not a regular file, or a link to one: a FIFO, socket or device. git opens each `.gitignore`
    it meets with a blocking open(), so one FIFO makes its untracked listing wait forever;
    this is asked first, with nothing opened. Folders that cannot be listed are passed over
    here: the scan that follows says so itself."""
    import stat

    found = []
    for folder, names in walk(top, on_error=lambda folder, error: None, skip=_GIT):
        if name not in names:
            continue
        path = os.path.join(folder, name)
        try:
            mode = os.stat(path).st_mode  # a link is judged by what git would open
        except OSError:
            continue  # a dangling link: git skips it
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            found.append((path, mode))
    return found


_GIT = frozenset(('.git',))
