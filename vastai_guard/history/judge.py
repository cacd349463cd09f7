"""Judging history's blobs: one blob's bytes and path in, its keys out, on every core.

The unit of work is `judge_blob(path, data)`: what a blob holds, by fingerprint. Blobs travel
in tasks of _TASK_OBJECTS object ids, handed out as the walk finds them: each task is read by
its own `git cat-file --batch` in the worker that judges it, so reading (inflating, resolving
deltas) and judging spread over the cores together, and the main process only walks history
and hands out object ids (workers.Workers: forked, no threads here). With `jobs == 1` the same
tasks are judged in this process.

Memory stays bounded whatever the size of the repository: at most `2 * jobs` tasks (lists of
ids) are in flight, and git streams the blobs to the worker as it judges them: one at a time,
or a batch of small ones up to _BATCH_BYTES for the trigger test (a blob over `max_file_mb`
goes to a file on disk, never into memory).

Results do not depend on the number of jobs: tasks are made in walk order and their results
are taken back in that order.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.detect.decode import judged_on_bytes
from vastai_guard.detect.decode import text_to_scan
from vastai_guard.detect.detector import PathKind
from vastai_guard.detect.detector import blobs_with_trigger
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.detector import has_trigger
from vastai_guard.detect.detector import may_hold_secret
from vastai_guard.detect.detector import path_kind
from vastai_guard.detect.rules import Rule
from vastai_guard.findings import Match
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.git import objects
from vastai_guard.git import runner
from vastai_guard.history.workers import Workers
from vastai_guard.history.workers import can_fork
from vastai_guard.policy.config import Config
from vastai_guard.policy.suppress import fingerprint_allowed
from vastai_guard.policy.suppress import is_suppressed
from vastai_guard.vocabulary import SUPPRESSED_BY_ALLOW
from vastai_guard.vocabulary import SUPPRESSED_BY_BASELINE
from vastai_guard.vocabulary import unreadable_object


def may_hold_key(data: bytes) -> bool:
    """False only when find_secrets would find nothing in `data` (not a CLI key file).

    The detector's own prefilter (detect.may_hold_secret, one RE2 pass) on the blob's bytes:
    every version of a Vast-heavy file says "vast", so the trigger words let it through, and
    this is what then skips the versions that hold no candidate at all. UTF-16/32 text (a BOM,
    or NULs) is judged on its decoded text, never on its raw bytes.

    Not remembered line by line across versions: a memo of each line's verdict (split, hash,
    set difference) measured slower than reading every byte again in one DFA pass, by 1.1x on
    the Vast-heavy benchmark shape's versions and 2.6x on the small-edits shape's.
    """
    return not judged_on_bytes(data) or may_hold_secret(data)


class KeyInBlob(NamedTuple):
    rule: Rule
    redacted: str
    line: int  # first line holding the key
    context: str  # what made the call there (detect: Match.context)


# What a blob holds, by fingerprint; blobs without keys are not stored.
BlobKeys = dict[str, KeyInBlob]
# A blob as judged: its sha, and what its path tells the detector. The same content under a
# name that makes it context (`vast.env`, a CLI key file, Markdown headings) is judged again.
BlobId = tuple[str, PathKind]


def blob_id(sha: str, path: str) -> BlobId:
    return (sha, path_kind(path))


class Suppressions(NamedTuple):
    config: Config
    baseline: frozenset[str]
    # where `--verify` collects the raw keys that survive suppression; None: not kept
    secrets: dict[str, str] | None = None
    # where the suppressed keys are noted (fingerprint -> why), so summaries can count them
    suppressed: dict[str, str] | None = None


def keys_in(matches: Sequence[Match], suppressions: Suppressions) -> BlobKeys:
    keys: BlobKeys = {}
    for match in matches:
        key_fingerprint = fingerprint(match.secret)
        if key_fingerprint in keys:
            continue
        if is_suppressed(
                key_fingerprint, baseline_hash(match.secret),
                config=suppressions.config, baseline=suppressions.baseline,
        ):
            noted = suppressions.suppressed
            if noted is not None and key_fingerprint not in noted:
                allowed = fingerprint_allowed(
                    key_fingerprint, suppressions.config.allow_fingerprints,
                )
                noted[key_fingerprint] = (
                    SUPPRESSED_BY_ALLOW if allowed else SUPPRESSED_BY_BASELINE
                )
            continue
        keys[key_fingerprint] = KeyInBlob(
            match.rule, redact(match.secret), match.line, match.context,
        )
        if suppressions.secrets is not None:
            suppressions.secrets[key_fingerprint] = match.secret
    return keys


def needs_trigger(path: str, data: bytes) -> bool:
    """Whether judge_blob's first test for this blob is the trigger words (has_trigger): its
    bytes are judged as they are, and its name says nothing (not a key file, no vast in it)."""
    if not judged_on_bytes(data):
        return False
    kind = path_kind(path)
    return not (kind.key_file or kind.name_says_vast)


def judge_blob(path: str, data: bytes, suppressions: Suppressions) -> BlobKeys:
    """The unit of judging: one blob's bytes at `path` -> the keys it holds."""
    # the prefilters first, on bytes, before any decoding (most blobs stop here): the words
    # every rule needs, then the candidates (one RE2 pass each)
    if judged_on_bytes(data):
        kind = path_kind(path)  # remembered: history asks of the same paths again and again
        if not kind.key_file and not (
                (kind.name_says_vast or has_trigger(data, bulk=True)) and may_hold_key(data)
        ):
            return {}
    text = text_to_scan(path, data)
    if text is None:
        return {}
    return keys_in(find_secrets(text, path), suppressions)


# Bytes of blobs tested together for the trigger words: a few MB held at most per worker.
_BATCH_BYTES = 1 << 20
# A task: blobs to read and judge, (sha, path). Small, so that the workers start while the walk
# is young and are never left waiting for it; sizing the blobs first to make tasks of equal
# bytes cost the main process (the walk's bottleneck) more than the balance won.
_TASK_OBJECTS = 256
UNREADABLE = 'unreadable'  # a UnreadableBlob's kind: missing or damaged, the scan is incomplete


class UnreadableBlob(NamedTuple):
    kind: str  # UNREADABLE
    message: str


class TaskResult(NamedTuple):
    keys: list[tuple[BlobId, BlobKeys]]
    problems: list[UnreadableBlob]
    blobs: int
    bytes_read: int
    secrets: dict[str, str]
    # keys found and suppressed (baseline, allow_fingerprints): (fingerprint, why)
    suppressed: tuple[tuple[str, str], ...] = ()


class _Worker:
    """Reads and judges tasks; one per worker process, or the main process with `jobs == 1`."""

    def __init__(self, repo: runner.Repository, config: Config, baseline: frozenset[str],
                 keep_secrets: bool) -> None:
        self.repo = repo
        self.config = config
        self.baseline = baseline
        self.keep_secrets = keep_secrets
        self.max_size = config.max_file_mb * 1024 * 1024
        self.reader = objects.ObjectReader(repo)

    def run(self, task: Sequence[tuple[str, str]]) -> TaskResult:
        secrets: dict[str, str] = {}
        suppressed: dict[str, str] = {}
        suppressions = Suppressions(
            self.config, self.baseline, secrets if self.keep_secrets else None, suppressed,
        )
        found: list[tuple[BlobId, BlobKeys]] = []
        problems: list[UnreadableBlob] = []
        blobs = bytes_read = 0
        # blobs whose first test is the trigger words, tested together (detect.blobs_with_trigger)
        batch: list[tuple[str, str, bytes]] = []
        batch_bytes = 0

        def judge(sha: str, path: str, data: bytes) -> None:
            keys = judge_blob(path, data, suppressions)
            if keys:
                found.append((blob_id(sha, path), keys))

        def judge_batch() -> None:
            for index in blobs_with_trigger([data for _, _, data in batch]):
                judge(*batch[index])
            batch.clear()

        shas = [sha for sha, _ in task]
        # the reader first: it must run to its end, where it checks that git is still in step
        answers = self.reader.read(shas, max_size=self.max_size)
        for obj, (sha, path) in zip(answers, task, strict=False):
            if obj.data is None and obj.size > self.max_size:
                # too big to hold, never too big to scan: judged in chunks from disk
                keys = self._judge_big(sha, path, suppressions)
                if keys is None:
                    problems.append(_problem(sha, path, objects.DAMAGED))
                    continue
                if keys:
                    found.append((blob_id(sha, path), keys))
            elif obj.data is None:
                problems.append(_problem(sha, path, obj.size))
                continue
            elif needs_trigger(path, obj.data):
                batch.append((sha, path, obj.data))
                batch_bytes += obj.size
                if batch_bytes >= _BATCH_BYTES:
                    judge_batch()
                    batch_bytes = 0
            else:
                judge(sha, path, obj.data)
            blobs += 1
            bytes_read += obj.size
        judge_batch()
        return TaskResult(
            found, problems, blobs, bytes_read, secrets, tuple(suppressed.items()),
        )

    def start_in_child(self) -> None:
        """A worker process's first step."""
        import signal

        self.reader.forget()  # the parent's git, if it had one: this process gets its own
        # Ctrl-C reaches the whole process group: the main process alone decides what it means
        # (it stops the workers), so a worker never dies halfway through a result
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _judge_big(self, sha: str, path: str, suppressions: Suppressions) -> BlobKeys | None:
        from vastai_guard.detect.bigfile import find_secrets_in_blob

        matches = find_secrets_in_blob(
            lambda into: runner.copy_blob_in(self.repo, sha, into), path,
        )
        return None if matches is None else keys_in(matches, suppressions)


def _problem(sha: str, path: str, size: int) -> UnreadableBlob:
    """An object that could not be read (size MISSING or DAMAGED): the scan is incomplete."""
    return UnreadableBlob(UNREADABLE, unreadable_object(sha, path, missing=size == objects.MISSING))


class Judge:
    """Hands blobs to the workers in tasks and collects what they found, in order.

    `add` as blobs are found, `drain` to wait for everything added; use as a context manager,
    so that the workers are stopped however the scan ends (Ctrl-C included).
    """

    def __init__(
            self,
            repo: runner.Repository,
            config: Config,
            baseline: frozenset[str],
            *,
            jobs: int,
            keep_secrets: bool,
            collect: Callable[[TaskResult], None],
            missing: frozenset[str] = frozenset(),
    ) -> None:
        self._worker = _Worker(repo, config, baseline, keep_secrets)
        self._jobs = jobs if can_fork() else 1
        self._collect = collect
        self._missing = missing
        self._task: list[tuple[str, str]] = []
        self._workers: Workers[Sequence[tuple[str, str]], TaskResult] | None = None

    def __enter__(self) -> Judge:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        self._worker.reader.close()
        if self._workers is not None:
            # on success every task is done; on an error or Ctrl-C nothing more is wanted
            self._workers.stop(finished=exc_type is None)

    def add(self, sha: str, path: str) -> None:
        if sha in self._missing:
            self._collect(TaskResult([], [_problem(sha, path, objects.MISSING)], 0, 0, {}))
            return
        self._task.append((sha, path))
        if len(self._task) >= _TASK_OBJECTS:
            self._submit(last=False)

    def drain(self) -> None:
        """Judge everything added so far and wait for the results."""
        if self._task:
            self._submit(last=not self._workers)
        while self._workers:
            self._collect(self._workers.next_result())

    def _submit(self, *, last: bool) -> None:
        task, self._task = self._task, []
        if self._jobs <= 1 or (last and self._workers is None):
            # one task in all: workers would only add their start-up
            self._collect(self._worker.run(task))
            return
        if self._workers is None:
            worker = self._worker
            try:
                self._workers = Workers(
                    worker.run, self._jobs, start=worker.start_in_child,
                    finish=worker.reader.close,
                )
            except OSError:
                # no process to be had (a limit on processes or files): the scan goes on in
                # this one, slower but whole
                self._jobs = 1
                self._collect(worker.run(task))
                return
        self._workers.submit(task)
        while len(self._workers) > 2 * self._jobs:
            self._collect(self._workers.next_result())


def default_jobs() -> int:
    return os.cpu_count() or 1
