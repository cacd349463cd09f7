"""scan's sources: staged blobs (from_index) and files on disk (from_disk), and what each skips."""
from __future__ import annotations

import os
from pathlib import Path

from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import write
from vastai_guard.findings import Fragment
from vastai_guard.git import worktree
from vastai_guard.git.runner import Repository
from vastai_guard.policy.config import Config
from vastai_guard.sources.readers import Skipped
from vastai_guard.sources.readers import from_disk
from vastai_guard.sources.readers import from_index
from vastai_guard.sources.readers import is_scanned


def _opened(repo: Path) -> Repository:
    return Repository(str(repo), str(repo / '.git'), shallow=False, partial=False)


def _index(repo: Path, config: Config = Config()) -> tuple[list[Fragment], list[Skipped],
                                                           list[str]]:
    skipped: list[Skipped] = []
    read: list[str] = []
    fragments = list(from_index(
        worktree.all_index_entries(cwd=str(repo)), repo=_opened(repo), config=config,
        skipped=skipped, read=read,
    ))
    return fragments, skipped, read


def test_is_scanned() -> None:
    config = Config(exclude_paths=('fixtures/**',), path='.vastai-guard.yaml')
    assert is_scanned('app/.env', config)
    assert not is_scanned('fixtures/a/.env', config)
    # a file named .secrets.baseline is read like any other: only exclude_paths skips a file
    assert is_scanned('.secrets.baseline', Config())
    assert is_scanned('sub/.secrets.baseline', Config())


def test_the_index_is_judged_as_staged_not_as_on_disk(repo: Path) -> None:
    key = new_key()
    write(repo, 'app/.env', env_line(key))
    git(repo, 'add', '-A')
    write(repo, 'app/.env', 'VAST_API_KEY=\n')  # an unstaged edit takes the key out
    fragments, skipped, read = _index(repo)
    assert [(f.path, key in f.text) for f in fragments] == [('app/.env', True)]
    assert (skipped, read) == ([], ['app/.env'])


def test_what_the_index_skips_and_why(repo: Path) -> None:
    write(repo, 'fixtures/.env', env_line(new_key()))
    write(repo, 'logo.png', b'\x89PNG\0\0vast' + bytes(100))
    write(repo, 'notes.txt', 'nothing to see\n')
    git(repo, 'add', '-A')
    config = Config(exclude_paths=('fixtures/**',), path='cfg.yaml')
    fragments, skipped, read = _index(repo, config)
    assert fragments == []  # notes.txt never says vast: no rule could match it
    assert sorted(read) == ['logo.png', 'notes.txt']  # excluded files are not read
    by_path = {s.path: s for s in skipped}
    assert by_path['fixtures/.env'].reason == 'excluded by exclude_paths in cfg.yaml'
    assert by_path['logo.png'].reason == 'binary'
    assert not any(s.notable for s in skipped)  # expected, told only with -v


def test_an_unreadable_blob_is_skipped_not_fatal(repo: Path) -> None:
    write(repo, 'a.env', env_line(new_key()))
    git(repo, 'add', '-A')
    sha = git(repo, 'rev-parse', ':a.env').strip()
    os.unlink(repo / '.git' / 'objects' / sha[:2] / sha[2:])
    write(repo, 'b.env', env_line(new_key()))
    git(repo, 'add', 'b.env')
    fragments, skipped, _ = _index(repo)
    assert [f.path for f in fragments] == ['b.env']
    (lost,) = skipped
    assert lost.unreadable and lost.notable
    assert f'object {sha} (a.env) is missing' in lost.reason


def test_a_big_staged_file_is_judged_in_chunks(repo: Path) -> None:
    key = new_key()
    write(repo, 'big.env', '#\n' * 600_000 + env_line(key))  # > 1 MB
    git(repo, 'add', '-A')
    fragments, skipped, read = _index(repo, Config(max_file_mb=1))
    (fragment,) = fragments
    assert fragment.matches is not None
    assert [m.secret for m in fragment.matches] == [key]
    assert (skipped, read) == ([], ['big.env'])


def _disk(paths: list[str], root: Path, config: Config = Config()) -> tuple[
        list[Fragment], list[Skipped]]:
    skipped: list[Skipped] = []
    fragments = list(from_disk(paths, relative_to=str(root), config=config, skipped=skipped))
    return fragments, skipped


def test_from_disk_walks_folders_and_shows_relative_paths(tmp_path: Path) -> None:
    key = new_key()
    write(tmp_path, 'b/.env', env_line(key))
    write(tmp_path, 'a/vast.sh', f'vastai set api-key {key}\n')
    write(tmp_path, '.git/config', f'VAST_API_KEY={key}\n')  # never walked into
    fragments, skipped = _disk([str(tmp_path)], tmp_path)
    assert [f.path for f in fragments] == ['a/vast.sh', 'b/.env']  # sorted, '/'-separated
    assert skipped == []


def test_links_fifos_and_devices_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / 'outside'
    write(outside, 'secret.env', env_line(new_key()))
    root = tmp_path / 'root'
    root.mkdir()
    (root / 'linked').symlink_to(outside)
    (root / 'link.env').symlink_to(outside / 'secret.env')
    os.mkfifo(root / 'pipe.env')
    fragments, skipped = _disk([str(root)], root)
    assert fragments == []  # the test would hang on the FIFO, not fail, if it were opened
    reasons = {s.path: s.reason for s in skipped}
    assert reasons['linked'] == 'symbolic link: not followed'
    assert reasons['link.env'] == 'symbolic link: not followed'
    assert reasons['pipe.env'] == 'a named pipe (FIFO): not read'
    assert all(s.notable for s in skipped)  # something the user might expect read


def test_from_disk_a_vanished_file_is_nothing(tmp_path: Path) -> None:
    fragments, skipped = _disk([str(tmp_path / 'gone.env')], tmp_path)
    assert (fragments, skipped) == ([], [])


def test_from_disk_outside_relative_to_keeps_the_path(tmp_path: Path) -> None:
    key = new_key()
    path = write(tmp_path, 'elsewhere/.env', env_line(key))
    (tmp_path / 'root').mkdir()
    fragments, _ = _disk([str(path)], tmp_path / 'root')
    assert [f.path for f in fragments] == [str(path)]  # not '../elsewhere/.env'
