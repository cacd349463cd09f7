"""Where `scan` gets its text: staged blobs, every tracked file, or plain folders on disk.

A source knows git and files; it yields Fragments and says what it had to skip. Nothing after
it does.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.detect.decode import is_binary
from vastai_guard.detect.decode import text_to_scan
from vastai_guard.files.reading import NotRegularFileError
from vastai_guard.files.reading import TooLargeError
from vastai_guard.files.reading import open_regular
from vastai_guard.files.reading import read_regular
from vastai_guard.files.walk import walk
from vastai_guard.findings import Fragment
from vastai_guard.findings import shown_path
from vastai_guard.git import objects
from vastai_guard.git import runner
from vastai_guard.git import worktree
from vastai_guard.policy.config import Config
from vastai_guard.policy.suppress import path_excluded
from vastai_guard.vocabulary import unreadable_object

# No file name is skipped for its name: a `.secrets.baseline` is read like any file (a real one
# holds SHA-1 hashes, 40 hex, that no rule reports; one holding a key is a leak like any other).
_LINK_NOT_FOLLOWED = 'symbolic link: not followed'


class Skipped(NamedTuple):
    path: str
    reason: str
    # False: expected and harmless (excluded by the user's config), told only with -v
    notable: bool = True
    # something that could hold a key was not read (a blob git could not give, a file or
    # folder that cannot be opened, a submodule): a warning, and the scan is incomplete
    unreadable: bool = False
    # a binary file (decode.is_binary): not scanned, counted in the summary
    binary: bool = False
    # of the unreadable: a blob missing or damaged in git's store, which only
    # --allow-missing-objects may excuse (a partial clone lacks blobs by design)
    missing_object: bool = False


def is_scanned(path: str, config: Config) -> bool:
    """Whether a file at `path` is scanned at all (config excludes)."""
    return not path_excluded(path, config)


def _not_scanned(path: str, config: Config) -> Skipped:
    return Skipped(path, f'excluded by exclude_paths in {config.path}', notable=False)


def _binary(path: str, data: bytes) -> Skipped | None:
    # told apart from "no trigger word": a binary file is counted, a text one was read
    if is_binary(data):
        return Skipped(path, 'binary', notable=False, binary=True)
    return None


def not_read(path: str, why: str) -> Skipped:
    """A file or folder that could hold a key and could not be read: the scan is incomplete."""
    return Skipped(path, f'{shown_path(path)}: {why}: not scanned', unreadable=True)


def _from_bytes(path: str, data: bytes) -> Fragment | None:
    text = text_to_scan(path, data)
    return None if text is None else Fragment(path, text)


def _unreadable(entry: worktree.IndexEntry, *, missing: bool) -> Skipped:
    return Skipped(
        entry.path, unreadable_object(entry.sha, shown_path(entry.path), missing=missing),
        unreadable=True, missing_object=True,
    )


def from_index(
        entries: Sequence[worktree.IndexEntry],
        *,
        repo: runner.Repository,
        config: Config,
        skipped: list[Skipped],
        read: list[str] | None = None,
) -> Iterator[Fragment]:
    """The staged content of each entry: a partially staged file is judged as committed.

    `read` gets the path of every file read (for "no keys in N files"). A blob git cannot
    give is never fatal: it goes to `skipped` as unreadable, and the rest is read.
    """
    skipped.extend(_not_scanned(e.path, config) for e in entries if not is_scanned(e.path, config))
    entries = [entry for entry in entries if is_scanned(entry.path, config)]
    max_size = config.max_file_mb * 1024 * 1024
    blobs = objects.read_blobs(repo, [entry.sha for entry in entries], max_size=max_size)
    for entry, blob in zip(entries, blobs, strict=True):
        if blob.size in (objects.MISSING, objects.DAMAGED):
            skipped.append(_unreadable(entry, missing=blob.size == objects.MISSING))
            continue
        if blob.data is None:
            # too big to hold, never too big to scan: judged in chunks from a file on disk
            yield from _read_big_blob(repo, entry, skipped, read)
            continue
        if read is not None:
            read.append(entry.path)
        fragment = _from_bytes(entry.path, blob.data)
        if fragment is not None:
            yield fragment
        elif (binary := _binary(entry.path, blob.data)) is not None:
            skipped.append(binary)


def from_disk(
        paths: Sequence[str],
        *,
        relative_to: str,
        config: Config,
        skipped: list[Skipped],
        read: list[str] | None = None,
) -> Iterator[Fragment]:
    """Files and folders read from disk (outside git, or files git does not track).

    Paths are shown relative to `relative_to` (the repo root, or the current folder).
    """
    for path in paths:
        if os.path.isdir(path):
            def unlisted(folder: str, error: OSError) -> None:
                shown = _display_path(folder, relative_to)
                skipped.append(not_read(shown, f'folder cannot be listed ({error.strerror})'))

            # a link (to a folder too) is a name in its folder: _read_file says it is not
            # followed
            for folder, names in walk(path, on_error=unlisted, skip=frozenset(('.git',))):
                for name in names:
                    file_path = os.path.join(folder, name)
                    yield from _read_file(file_path, relative_to, config, skipped, read)
        else:
            yield from _read_file(path, relative_to, config, skipped, read)


def _display_path(path: str, relative_to: str) -> str:
    relative = os.path.relpath(path, relative_to)
    if relative.startswith('..'):
        relative = path
    return relative.replace(os.sep, '/')


def _read_file(
        path: str,
        relative_to: str,
        config: Config,
        skipped: list[Skipped],
        read: list[str] | None = None,
) -> Iterator[Fragment]:
    shown = _display_path(path, relative_to)
    if not is_scanned(shown, config):
        skipped.append(_not_scanned(shown, config))
        return
    # A link's target may be outside the tree, or a FIFO or device: never followed. Git
    # stores a link as its target's name, which is what a staged link is judged by.
    if os.path.islink(path):
        skipped.append(Skipped(shown, _LINK_NOT_FOLLOWED))
        return
    try:
        got = _file_fragment(path, shown, config.max_file_mb * 1024 * 1024)
    except FileNotFoundError:
        return  # deleted since it was named: nothing left to leak
    except NotRegularFileError as error:
        skipped.append(Skipped(shown, f'{error.kind}: not read'))
        return
    except OSError as error:
        # chmod 000, an I/O error: it could hold a key, so the scan is incomplete
        skipped.append(not_read(shown, f'cannot be read ({error.strerror})'))
        return
    if read is not None:
        read.append(shown)
    if isinstance(got, Fragment):
        yield got
    elif got is not None:
        skipped.append(got)


def _file_fragment(path: str, shown: str, max_bytes: int) -> Fragment | Skipped | None:
    """What a file on disk gives the detector: its text (or, too big to hold, its matches), a
    note that it is binary, or None when no rule could match anything in it."""
    try:
        data = read_regular(path, max_bytes=max_bytes)
    except TooLargeError:
        # too big to hold, never too big to scan: judged in chunks, memory bounded
        from vastai_guard.detect.bigfile import find_secrets_in_open_file

        with open_regular(path) as file:
            matches = find_secrets_in_open_file(file, shown)
        if matches is None:
            return Skipped(shown, 'binary', notable=False, binary=True)
        return Fragment(shown, '', tuple(matches))
    return _from_bytes(shown, data) or _binary(shown, data)


def _read_big_blob(
        repo: runner.Repository,
        entry: worktree.IndexEntry,
        skipped: list[Skipped],
        read: list[str] | None,
) -> Iterator[Fragment]:
    from vastai_guard.detect.bigfile import find_secrets_in_blob

    matches = find_secrets_in_blob(
        lambda into: runner.copy_blob_in(repo, entry.sha, into), entry.path,
    )
    if matches is None:
        # its header was read a moment ago: git failed on its content
        skipped.append(_unreadable(entry, missing=False))
        return
    if read is not None:
        read.append(entry.path)
    yield Fragment(entry.path, '', tuple(matches))
