"""Damaging a test repository's objects as disks, bad copies and partial clones do."""
from __future__ import annotations

import zlib
from pathlib import Path

from testing.util import git


def loose_object(repo: Path, sha: str) -> Path:
    return repo / '.git' / 'objects' / sha[:2] / sha[2:]


def lie_about_size(repo: Path, sha: str, size: int) -> None:
    """Rewrite a loose object with a header that gives the wrong size."""
    path = loose_object(repo, sha)
    _, _, body = zlib.decompress(path.read_bytes()).partition(b'\0')
    path.chmod(0o644)
    path.write_bytes(zlib.compress(b'blob %d\0' % size + body))


def corrupt_in_pack(repo: Path, sha: str) -> None:
    """Flip bytes inside one object's compressed data in the repository's only pack."""
    [pack] = (repo / '.git' / 'objects' / 'pack').glob('*.pack')
    offset = next(
        int(line.split()[4])
        for line in git(repo, 'verify-pack', '-v', str(pack.with_suffix('.idx'))).splitlines()
        if line.startswith(sha)
    )
    data = bytearray(pack.read_bytes())
    for i in range(offset + 10, offset + 40):
        data[i] ^= 0xff
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
