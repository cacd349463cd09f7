"""files.walk: no recursion, os.walk's order, and every folder it cannot list said."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from testing.util import remove_deep_tree
from vastai_guard.files.walk import special_files_named
from vastai_guard.files.walk import walk


def _deep(root: Path, depth: int) -> str:
    at = str(root)
    for _ in range(depth):
        at = os.path.join(at, 'd')
        os.mkdir(at)
    return at


def test_walks_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    bottom = _deep(tmp_path, 1100)
    Path(bottom, 'a.env').write_text('x')
    errors: list[str] = []
    try:
        listed = [
            os.path.join(folder, name)
            for folder, names in walk(str(tmp_path), on_error=lambda f, e: errors.append(f))
            for name in names
        ]
    finally:
        # pytest's own clean-up of old tmp_path folders recurses, and would fail on it
        remove_deep_tree(tmp_path / 'd')
    assert listed == [os.path.join(bottom, 'a.env')]
    assert errors == []


def _fail(folder: str, error: OSError) -> None:
    pytest.fail(f'{folder}: {error}')


def test_order_is_sorted_os_walk_order(tmp_path: Path) -> None:
    for name in ('b/z', 'b/a', 'a/c/x', 'a/y', 'top', 'c'):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('')
    (tmp_path / '.git').mkdir()
    (tmp_path / '.git' / 'HEAD').write_text('')
    expected = []
    for folder, dirs, files in os.walk(tmp_path):
        dirs[:] = sorted(d for d in dirs if d != '.git')
        expected += [os.path.join(folder, name) for name in sorted(files)]
    got = [
        os.path.join(folder, name)
        for folder, names in walk(str(tmp_path), on_error=_fail, skip=frozenset({'.git'}))
        for name in names
    ]
    assert got == expected


def test_a_folder_that_cannot_be_listed_is_handed_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / 'shut').mkdir()
    (tmp_path / 'open').mkdir()
    (tmp_path / 'open' / 'a').write_text('')
    real = os.scandir

    def scandir(path: str) -> object:
        if path.endswith('shut'):  # what chmod 000 does for anyone but root
            raise PermissionError(13, 'Permission denied', path)
        return real(path)

    monkeypatch.setattr(os, 'scandir', scandir)
    errors: list[tuple[str, str]] = []
    listed = list(walk(
        str(tmp_path), on_error=lambda folder, error: errors.append((folder, str(error.strerror))),
    ))
    assert errors == [(str(tmp_path / 'shut'), 'Permission denied')]
    assert (str(tmp_path / 'open'), ['a']) in listed


def test_special_files_named_finds_fifos_at_any_depth(tmp_path: Path) -> None:
    (tmp_path / 'a' / 'b').mkdir(parents=True)
    os.mkfifo(tmp_path / 'a' / 'b' / '.gitignore')
    (tmp_path / '.gitignore').write_text('*.log\n')
    (tmp_path / 'a' / '.gitignore').symlink_to('b/.gitignore')  # a link to a FIFO is one too
    found = sorted(path for path, mode in special_files_named(str(tmp_path), '.gitignore'))
    assert found == [str(tmp_path / 'a' / '.gitignore'), str(tmp_path / 'a' / 'b' / '.gitignore')]
    assert all(stat.S_ISFIFO(mode) for _, mode in special_files_named(str(tmp_path), '.gitignore'))
