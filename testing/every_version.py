"""The slow, obvious answer to "which keys did this history ever hold": every version of every
file, under every name it had, and every commit message, each judged whole by the detector.

`vastai-guard history` must give exactly this set of fingerprints (it only skips work); the
tests check it on generated histories and benchmarks/history_check.py on real ones.
"""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from vastai_guard.detect.decode import text_to_scan
from vastai_guard.detect.detector import find_secrets
from vastai_guard.findings import fingerprint
from vastai_guard.vocabulary import COMMIT_MESSAGE


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(
        ('git', '--no-replace-objects', *args), cwd=repo, capture_output=True, check=True,
    ).stdout


def _versions(repo: Path) -> Iterator[tuple[str, str]]:
    """(blob, path) for every file version any commit on any ref sets, each pair once."""
    raw = _git(repo, 'log', '--all', '--raw', '-c', '--root', '--no-abbrev', '--no-renames',
               '-z', '--format=', '--')
    tokens = raw.split(b'\0')
    seen: set[tuple[str, str]] = set()
    for meta, path in zip(tokens[::2], tokens[1::2], strict=False):
        fields = meta.strip(b'\n:').split(b' ')
        parents = len(fields) // 2 - 1
        mode = fields[parents]
        if not mode.startswith(b'10'):
            continue  # deleted, a submodule, a link
        pair = (fields[-2].decode(), path.decode('utf-8', 'surrogateescape'))
        if pair not in seen:
            seen.add(pair)
            yield pair


def _contents(repo: Path, shas: list[str]) -> Iterator[bytes | None]:
    """Each blob's bytes, in order, through one `git cat-file --batch` (None: missing)."""
    out = subprocess.run(
        ('git', '--no-replace-objects', 'cat-file', '--batch'), cwd=repo, check=True,
        input=''.join(f'{sha}\n' for sha in shas).encode(), capture_output=True,
    ).stdout
    at = 0
    for _ in shas:
        end = out.index(b'\n', at)
        header = out[at:end].split()
        if header[-1] == b'missing':
            at = end + 1
            yield None
            continue
        size = int(header[2])
        yield out[end + 1:end + 1 + size]
        at = end + 1 + size + 1


def keys_in_every_version(repo: Path) -> set[str]:
    """Fingerprints of every key in any file version or commit message of any ref."""
    found: set[str] = set()
    versions = list(_versions(repo))
    for (_, path), data in zip(versions, _contents(repo, [b for b, _ in versions]), strict=True):
        text = None if data is None else text_to_scan(path, data)
        if text is not None:
            found.update(fingerprint(match.secret) for match in find_secrets(text, path))
    for message in _git(repo, 'log', '--all', '--format=%B%x00').split(b'\0'):
        text = message.decode('utf-8', 'replace')
        found.update(fingerprint(match.secret) for match in find_secrets(text, COMMIT_MESSAGE))
    return found
