"""Every key ever committed, once, by fingerprint: the data behind `vastai-guard history`.

Blob-based, in two passes over `git log --raw` (tree comparisons only, no content diffs):
1. Walk the commits in scope; hand each blob they set, once per unique blob, to one
   `git cat-file --batch` fed from a thread, while this thread prefilters and matches the
   blobs as they stream in. Commit messages are matched on the way.
2. Only when some blob held a key: walk again and attribute those few blobs to the commits
   and paths that introduced them. A commit introduced a key at a path when its blob there
   holds the key and no parent's blob at that path did, so a key in a file edited a hundred
   times is one occurrence, not a hundred, and a key merged in from a branch belongs to the
   branch commit that added it.

A blob's path matters only for the CLI key files (their content is a bare key), so blobs are
deduplicated by (sha, is-key-file). Rendering is the caller's: this module builds ExposedKeys.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard import git
from vastai_guard.config import Config
from vastai_guard.decode import has_bom
from vastai_guard.decode import text_to_scan
from vastai_guard.detect import find_secrets
from vastai_guard.detect import is_key_file
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Match
from vastai_guard.findings import Occurrence
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.findings import shown_path
from vastai_guard.rules import Rule
from vastai_guard.sources import wanted
from vastai_guard.suppress import fingerprint_allowed

# The `path` of an occurrence found in a commit message rather than in a file.
COMMIT_MESSAGE = '(commit message)'
NEEDS_ROTATION = 'needs-rotation'
ROTATED = 'rotated'
# How often (in blobs) the progress callback hears from the scan.
_PROGRESS_EVERY = 256

# Second prefilter, for blobs that mention "vast" (a lockfile naming the vastai package, a
# Vast-heavy codebase): every version of such a file would otherwise go through the full
# detector, whose per-candidate checks cost ~30 us per SHA-256 digest. A blob can only hold a
# finding if it has a 64-hex run not right after a digest prefix (the detector drops those
# first), or a Vast-named key, token or secret variable (the named-secret rules). This is a
# superset of what find_secrets reports: it only skips blobs where it would find nothing.
#
# It works on the blob's bytes: `translate` marks lowercase hex `h` and other ASCII letters and
# digits `a` in one C pass, so 64-hex runs are found by `find` instead of a regex stepping
# through every position (~10x faster on blobs full of digests). The rules' patterns are
# ASCII-only, so nothing is lost; a UTF-16/32 file (BOM) is left to the detector.
_HEX_CLASSES = bytes(
    ord('h') if chr(c) in '0123456789abcdef' else ord('a') if chr(c).isalnum() and c < 128
    else ord(' ')
    for c in range(256)
)
_HEX_RUN = b'h' * 64
_OTHER_ALNUM = ord('a')
_MORE_HEX = re.compile(b'h*')
_DIGEST = re.compile(rb'sha(?:256|512)[:=][0-9a-f]{64}')
_VAST_SECRET_NAME = re.compile(rb'vast[\w.-]*?(?:key|token|secret)')  # on lowercased bytes


def _has_key_shaped_run(data: bytes) -> bool:
    """A 64-hex run between non-alphanumerics that is not a `sha256:`/`sha512=` digest."""
    # digests are never keys (the detector drops them first): cut them all out in one C pass,
    # rather than visit each of the thousands in a lockfile; a space keeps neighbours apart
    marks = _DIGEST.sub(b' ', data).translate(_HEX_CLASSES)
    at = marks.find(_HEX_RUN)  # always the start of a run: the one before it has ended
    while at != -1:
        end = at + 64
        longer = _MORE_HEX.match(marks, end)
        run_end = longer.end() if longer else end
        if (
                run_end == end
                and (at == 0 or marks[at - 1] != _OTHER_ALNUM)
                and (end == len(marks) or marks[end] != _OTHER_ALNUM)
        ):
            return True
        at = marks.find(_HEX_RUN, run_end)
    return False


def _may_hold_key(data: bytes) -> bool:
    """False only when find_secrets would find nothing in `data` (not a CLI key file)."""
    if has_bom(data):
        return True
    return _has_key_shaped_run(data) or _VAST_SECRET_NAME.search(data.lower()) is not None


class Progress(NamedTuple):
    commits: int
    blobs: int
    bytes_read: int


class HistoryResult(NamedTuple):
    keys: tuple[ExposedKey, ...]
    commits_scanned: int
    # objects that could not be read, or a walk cut short: reported, never fatal
    warnings: tuple[str, ...]
    # fingerprint -> raw key, only when asked for (`--verify`); never handed to a renderer
    secrets: Mapping[str, str]


class _KeyInBlob(NamedTuple):
    rule: Rule
    redacted: str
    line: int  # first line holding the key


# What a blob holds, by fingerprint; blobs without keys are not stored.
_BlobKeys = dict[str, _KeyInBlob]
_BlobId = tuple[str, bool]  # (sha, read as a CLI key file)


class _Found(NamedTuple):
    commit: str
    date: datetime.datetime
    # the commit's place in `git log` order (newest first): breaks ties between equal dates
    walk_order: int
    path: str
    line: int
    rule: Rule
    redacted: str
    fingerprint: str


class _Suppressions(NamedTuple):
    config: Config
    baseline: frozenset[str]
    # where `--verify` collects the raw keys that survive suppression; None: not kept
    secrets: dict[str, str] | None = None


class _Walk:
    """What pass 1 learns; filled by the feeding thread and the reading thread in turn."""

    def __init__(self) -> None:
        self.commits = 0
        self.requested: set[_BlobId] = set()
        self.blob_keys: dict[_BlobId, _BlobKeys] = {}
        self.message_keys: list[tuple[git.Commit, int, _BlobKeys]] = []
        self.warnings: list[str] = []



def _keys_in(matches: Sequence[Match], suppressions: _Suppressions) -> _BlobKeys:
    keys: _BlobKeys = {}
    for match in matches:
        print_ = fingerprint(match.secret)
        if (
                print_ in keys
                or fingerprint_allowed(print_, suppressions.config.allow_fingerprints)
                or baseline_hash(match.secret) in suppressions.baseline
        ):
            continue
        keys[print_] = _KeyInBlob(match.rule, redact(match.secret), match.line)
        if suppressions.secrets is not None:
            suppressions.secrets[print_] = match.secret
    return keys


def _scan_blob(path: str, data: bytes, suppressions: _Suppressions) -> _BlobKeys:
    text = text_to_scan(path, data)
    if text is None or (not is_key_file(path) and not _may_hold_key(data)):
        return {}
    return _keys_in(find_secrets(text, path), suppressions)


def _requests(
        root: str,
        revs: Sequence[str],
        walk: _Walk,
        suppressions: _Suppressions,
) -> Iterator[git.BlobRequest]:
    """Pass 1's feed (runs in the feeding thread): each wanted blob once, and the messages."""
    for item in git.history_changes(root, revs, messages=True):
        if isinstance(item, git.Commit):
            walk.commits += 1
            keys = _keys_in(find_secrets(item.message, COMMIT_MESSAGE), suppressions)
            if keys:
                walk.message_keys.append((item, walk.commits, keys))
            continue
        if not wanted(item.path, suppressions.config):
            continue
        blob_id = (item.sha, is_key_file(item.path))
        if blob_id in walk.requested:
            continue
        walk.requested.add(blob_id)
        yield git.BlobRequest(item.sha, item.path)


def _walk(
        root: str,
        revs: Sequence[str],
        suppressions: _Suppressions,
        progress: Callable[[Progress], None] | None,
) -> _Walk:
    walk = _Walk()
    max_size = suppressions.config.max_file_mb * 1024 * 1024
    requests = _requests(root, revs, walk, suppressions)
    blobs = bytes_read = 0
    try:
        for tag, blob in git.read_blobs_pipelined(root, requests, max_size=max_size):
            path = str(tag)
            blobs += 1
            bytes_read += blob.size
            if progress is not None and blobs % _PROGRESS_EVERY == 0:
                progress(Progress(walk.commits, blobs, bytes_read))
            if blob.data is None:
                walk.warnings.append(_unreadable(blob, path, suppressions.config))
                continue
            keys = _scan_blob(path, blob.data, suppressions)
            if keys:
                walk.blob_keys[(blob.sha, is_key_file(path))] = keys
    except git.HistoryStreamError as error:
        walk.warnings.append(f'history walk stopped early, results are partial: {error}')
    if progress is not None:
        progress(Progress(walk.commits, blobs, bytes_read))
    return walk


def _unreadable(blob: git.Blob, path: str, config: Config) -> str:
    if blob.size == 0:
        return f'object {blob.sha} ({path}) is missing: skipped'
    return f'object {blob.sha} ({path}) is larger than {config.max_file_mb} MB: skipped'


def _read_more(
        root: str,
        blobs_at_paths: Sequence[tuple[str, str]],
        walk: _Walk,
        suppressions: _Suppressions,
) -> None:
    """Scan blobs pass 1 did not read (parents outside a range, HEAD's files), by (sha, path)."""
    todo: dict[_BlobId, str] = {}
    for sha, path in blobs_at_paths:
        blob_id = (sha, is_key_file(path))
        if sha != git.NULL_SHA and blob_id not in walk.requested:
            todo.setdefault(blob_id, path)
    max_size = suppressions.config.max_file_mb * 1024 * 1024
    items = list(todo.items())
    blobs = git.read_blobs((blob_id[0] for blob_id, _ in items), cwd=root, max_size=max_size)
    for (blob_id, path), blob in zip(items, blobs, strict=True):
        walk.requested.add(blob_id)
        if blob.data is None:
            walk.warnings.append(_unreadable(blob, path, suppressions.config))
            continue
        keys = _scan_blob(path, blob.data, suppressions)
        if keys:
            walk.blob_keys[blob_id] = keys


def _date(iso: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(iso)


def _attribute(
        root: str,
        revs: Sequence[str],
        walk: _Walk,
        suppressions: _Suppressions,
) -> list[_Found]:
    """Pass 2: the commits and paths that introduced each key found in pass 1."""
    candidates: list[tuple[git.Commit, int, git.Change]] = []
    commit = git.Commit('', '', '')
    walk_order = 0
    try:
        for item in git.history_changes(root, revs, messages=False):
            if isinstance(item, git.Commit):
                commit = item
                walk_order += 1
            elif (item.sha, is_key_file(item.path)) in walk.blob_keys and wanted(
                    item.path, suppressions.config,
            ):
                candidates.append((commit, walk_order, item))
    except git.HistoryStreamError:
        pass  # already reported by pass 1
    _read_more(
        root,
        [(parent, change.path) for _, _, change in candidates for parent in change.parents],
        walk, suppressions,
    )
    found: list[_Found] = []
    for commit, walk_order, change in candidates:
        key_file = is_key_file(change.path)
        before: set[str] = set()
        for parent in change.parents:
            before.update(walk.blob_keys.get((parent, key_file), {}))
        for print_, key in walk.blob_keys[(change.sha, key_file)].items():
            if print_ not in before:
                found.append(
                    _Found(
                        commit.sha, _date(commit.date), walk_order, shown_path(change.path),
                        key.line,
                        key.rule,
                        key.redacted, print_,
                    ),
                )
    for commit, walk_order, keys in walk.message_keys:
        for print_, key in keys.items():
            found.append(
                _Found(
                    commit.sha, _date(commit.date), walk_order, COMMIT_MESSAGE, key.line,
                    key.rule,
                    key.redacted, print_,
                ),
            )
    return found


def _in_head(root: str, walk: _Walk, suppressions: _Suppressions) -> set[str]:
    """Fingerprints that HEAD's tree still holds."""
    entries = [e for e in git.head_tree(root) if wanted(e.path, suppressions.config)]
    _read_more(root, [(entry.sha, entry.path) for entry in entries], walk, suppressions)
    held: set[str] = set()
    for entry in entries:
        held.update(walk.blob_keys.get((entry.sha, is_key_file(entry.path)), {}))
    return held


def _oldest_first(found: _Found) -> tuple[datetime.datetime, int, str, int]:
    # equal dates (commits made in the same second): git log lists the older one later
    return (found.date, -found.walk_order, found.path, found.line)


def _exposed_keys(
        found: Sequence[_Found],
        *,
        in_head: set[str],
        rotated: frozenset[str],
        authors: dict[str, str],
) -> list[ExposedKey]:
    by_key: dict[str, list[_Found]] = {}
    for item in found:
        by_key.setdefault(item.fingerprint, []).append(item)
    keys = []
    for print_, items in by_key.items():
        items.sort(key=_oldest_first)
        first = items[0]
        keys.append(
            ExposedKey(
                fingerprint=print_,
                rule=first.rule,
                redacted=first.redacted,
                status=ROTATED if print_ in rotated else NEEDS_ROTATION,
                in_head=print_ in in_head,
                first_seen=FirstSeen(
                    commit=first.commit,
                    author=authors.get(first.commit, ''),
                    date=first.date.isoformat(),
                    path=first.path,
                    line=first.line,
                ),
                occurrences=tuple(Occurrence(f.commit, f.path, f.line) for f in items),
            ),
        )
    latest = {print_: max(f.date for f in items) for print_, items in by_key.items()}
    # most urgent first: still in HEAD, then the most recently committed
    keys.sort(key=lambda k: (not k.in_head, -latest[k.fingerprint].timestamp(), k.fingerprint))
    return keys


def scan_history(
        root: str,
        revs: Sequence[str],
        *,
        config: Config,
        baseline: frozenset[str],
        progress: Callable[[Progress], None] | None = None,
        keep_secrets: bool = False,
) -> HistoryResult:
    """Every key introduced by a commit reachable from `revs` (git log revision arguments).

    With `keep_secrets` the result also maps each key's fingerprint to the key, for `--verify`.
    """
    secrets: dict[str, str] | None = {} if keep_secrets else None
    suppressions = _Suppressions(config, baseline, secrets)
    walk = _walk(root, revs, suppressions, progress)
    if not walk.blob_keys and not walk.message_keys:
        return HistoryResult((), walk.commits, tuple(walk.warnings), {})
    found = _attribute(root, revs, walk, suppressions)
    in_head = _in_head(root, walk, suppressions) if found else set()
    earliest: dict[str, _Found] = {}
    for item in sorted(found, key=_oldest_first, reverse=True):
        earliest[item.fingerprint] = item
    authors = git.commit_authors(root, {item.commit for item in earliest.values()})
    keys = _exposed_keys(
        found,
        in_head=in_head,
        rotated=frozenset(rotation.fingerprint for rotation in config.rotated),
        authors=authors,
    )
    return HistoryResult(tuple(keys), walk.commits, tuple(walk.warnings), secrets or {})
