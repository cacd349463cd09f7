"""The object reader: contents in the order asked, missing and damaged objects said, never fatal."""
from __future__ import annotations

import os
import subprocess
import zlib
from collections.abc import Generator
from pathlib import Path

from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import write
from vastai_guard.git.objects import DAMAGED
from vastai_guard.git.objects import MISSING
from vastai_guard.git.objects import ObjectReader
from vastai_guard.git.objects import head_tree
from vastai_guard.git.objects import read_blobs
from vastai_guard.git.objects import read_objects
from vastai_guard.git.objects import tree_blobs
from vastai_guard.git.runner import Repository


def _repository(path: Path) -> Repository:
    return Repository(str(path), str(path / '.git'), shallow=False, partial=False)


def _blob(repo: Path, content: bytes) -> str:
    path = write(repo, 'blob.tmp', content)
    sha = git(repo, 'hash-object', '-w', str(path)).strip()
    path.unlink()
    return sha


def _damage(repo: Path, sha: str, data: bytes) -> None:
    """Replace a loose object's file with `data` (zlib-compressed, as git stores it)."""
    loose = repo / '.git' / 'objects' / sha[:2] / sha[2:]
    os.chmod(loose, 0o644)
    loose.write_bytes(zlib.compress(data))


def test_contents_in_the_order_asked(repo: Path) -> None:
    shas = [_blob(repo, f'content {i}\n'.encode()) for i in range(5)]
    order = [shas[3], shas[0], shas[3], shas[4]]
    read = list(read_objects(_repository(repo), order, max_size=1 << 20))
    assert [obj.sha for obj in read] == order
    assert [obj.data for obj in read] == [b'content 3\n', b'content 0\n', b'content 3\n',
                                          b'content 4\n']


def test_binary_content_is_kept_whole(repo: Path) -> None:
    data = bytes(range(256)) * 300 + b'\n'  # newlines and NULs inside, bigger than one read
    sha = _blob(repo, data)
    (obj,) = read_objects(_repository(repo), [sha], max_size=1 << 20)
    assert obj.data == data
    assert obj.size == len(data)


def test_over_the_limit_has_a_size_and_no_data(repo: Path) -> None:
    big = _blob(repo, b'x' * 5000)
    small = _blob(repo, b'small')
    read = list(read_objects(_repository(repo), [big, small], max_size=1000))
    assert (read[0].size, read[0].data) == (5000, None)
    assert read[1].data == b'small'  # the answer after a skipped body is still in sync


def test_missing_object(repo: Path) -> None:
    present = _blob(repo, b'here')
    absent = 'f' * 40
    read = list(read_objects(_repository(repo), [absent, present], max_size=1 << 20))
    assert (read[0].size, read[0].data) == (MISSING, None)
    assert read[1].data == b'here'


def test_a_damaged_object_does_not_stop_the_reading(repo: Path) -> None:
    before = _blob(repo, b'before')
    damaged = _blob(repo, b'original content\n')
    after = _blob(repo, b'after')
    # a header that announces more bytes than the object has
    _damage(repo, damaged, b'blob 9999\0short')
    read = list(read_objects(_repository(repo), [before, damaged, after], max_size=1 << 20))
    assert [obj.sha for obj in read] == [before, damaged, after]
    assert read[0].data == b'before'
    assert (read[1].size, read[1].data) == (DAMAGED, None)
    assert read[2].data == b'after'


def test_one_reader_serves_many_batches(repo: Path) -> None:
    shas = [_blob(repo, f'{i}'.encode()) for i in range(3)]
    reader = ObjectReader(_repository(repo))
    try:
        for _ in range(3):
            assert [obj.data for obj in reader.read(shas, max_size=100)] == [b'0', b'1', b'2']
        # a caller that stops early leaves no answer behind for the next batch
        partial = reader.read(shas, max_size=100)
        assert next(partial).data == b'0'
        assert isinstance(partial, Generator)
        partial.close()
        assert [obj.data for obj in reader.read(shas[2:], max_size=100)] == [b'2']
    finally:
        reader.close()


def test_read_blobs_outside_a_partial_clone(repo: Path) -> None:
    good = _blob(repo, b'good')
    damaged = _blob(repo, b'to be damaged')
    _damage(repo, damaged, b'blob 3\0abcdef')  # more bytes than announced
    read = list(read_blobs(_repository(repo), [damaged, good, 'e' * 40], max_size=100))
    assert [obj.size for obj in read] == [DAMAGED, 4, MISSING]
    assert read[1].data == b'good'


def test_tree_blobs(repo: Path) -> None:
    assert head_tree(_repository(repo)) == []  # an empty repository
    write(repo, 'a.env', 'a')
    write(repo, 'dir/sub/b.env', 'b')
    head = commit_all(repo)
    entries = head_tree(_repository(repo))
    assert sorted(entry.path for entry in entries) == ['a.env', 'dir/sub/b.env']
    assert {entry.sha for entry in entries} == {
        git(repo, 'rev-parse', f'{head}:a.env').strip(),
        git(repo, 'rev-parse', f'{head}:dir/sub/b.env').strip(),
    }
    assert tree_blobs(_repository(repo), 'no-such-ref') == []


def test_read_blobs_in_a_partial_clone_says_missing_and_fetches_nothing(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / 'origin')
    write(origin, 'kept.txt', 'kept')
    write(origin, 'left.txt', 'left behind')
    commit_all(origin)
    git(origin, 'config', 'uploadpack.allowFilter', 'true')
    clone = tmp_path / 'clone'
    subprocess.run(
        ('git', 'clone', '-q', '--no-checkout', '--filter=blob:none', f'file://{origin}',
         str(clone)),
        check=True,
    )
    git(clone, 'cat-file', 'blob', 'HEAD:kept.txt')  # fetched on purpose: this one is held
    kept = git(origin, 'rev-parse', 'HEAD:kept.txt').strip()
    left = git(origin, 'rev-parse', 'HEAD:left.txt').strip()
    opened = Repository(str(clone), str(clone / '.git'), shallow=False, partial=True)
    read = list(read_blobs(opened, [kept, left, kept], max_size=100))
    assert [(obj.sha, obj.size, obj.data) for obj in read] == [
        (kept, 4, b'kept'), (left, MISSING, None), (kept, 4, b'kept'),
    ]
    # a scanner makes no network calls: the blob is still not in the clone
    held = subprocess.run(
        ('git', 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)'),
        cwd=clone, capture_output=True, text=True, check=True,
    ).stdout.split()
    assert left not in held
