"""Every key ever committed, once, by fingerprint: the data behind `vastai-guard history`.

Blob-based, in two passes over `git log --raw` (tree comparisons only, no content diffs):
1. Walk the commits in scope and hand each blob they set, once per unique blob, to the judge
   (history_judge: read and judged on every core while the walk goes on). Commit messages,
   annotated tag messages, and the blobs and trees that refs name outside any commit are
   judged too: what a push would send is what gets scanned.
2. Only when some blob held a key: walk again and attribute those few blobs to the commits
   and paths that introduced them. A commit introduced a key at a path when its blob there
   holds the key and no parent's blob at that path did, so a key in a file edited a hundred
   times is one occurrence, not a hundred, and a key merged in from a branch belongs to the
   branch commit that added it.

A blob's path matters to the detector only through what its name says (a CLI key file, a name
that says vast, Markdown), so blobs are deduplicated by (sha, that). An object that cannot be
read (missing from a partial clone, damaged) is skipped and counted: the result says the scan
is incomplete. Rendering is the caller's: this module builds ExposedKeys.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.rules import Rule
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import SuppressedKey
from vastai_guard.findings import Verification
from vastai_guard.findings import Verifier
from vastai_guard.findings import key_shaped
from vastai_guard.findings import shown_path
from vastai_guard.git import log
from vastai_guard.git import objects
from vastai_guard.git import refs
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.git import worktree
from vastai_guard.history.judge import UNREADABLE
from vastai_guard.history.judge import BlobId
from vastai_guard.history.judge import BlobKeys
from vastai_guard.history.judge import Judge
from vastai_guard.history.judge import Suppressions
from vastai_guard.history.judge import TaskResult
from vastai_guard.history.judge import blob_id
from vastai_guard.history.judge import keys_in
from vastai_guard.model import HistoryReport
from vastai_guard.policy.config import Config
from vastai_guard.sources.readers import is_scanned
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import AUTHOR_LINE
from vastai_guard.vocabulary import COMMIT_MESSAGE
from vastai_guard.vocabulary import FILE_NAME
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import INVALID
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import REF_NAME
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import TAG_MESSAGE
from vastai_guard.vocabulary import Status

# How often (in blobs asked for) the progress callback hears from the walk.
_PROGRESS_EVERY = 256
# Pass 1 remembers this many changes (a few hundred bytes each, ~60 MB at most) so that pass 2
# reads them from memory; a history with more is walked again instead (bounded memory).
_REMEMBERED_CHANGES = 200_000


class Progress(NamedTuple):
    commits: int
    blobs: int  # judged so far
    bytes_read: int
    total: int = 0  # blobs asked for so far (the walk may still be finding more)
    keys: int = 0  # distinct keys found so far


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
    context: str


class _Introduced(NamedTuple):
    """A commit's change, and its place in `git log` order (newest first)."""
    commit: log.Commit  # without its message
    walk_order: int
    change: log.Change


class _RefObject(NamedTuple):
    """A blob that a ref names outside any commit (directly, through a tag, or in a tree)."""
    owner: log.Commit  # the object the ref names (tag, blob or tree) standing in for a commit
    author: str  # the tagger, if any
    path: str  # what the report shows: the ref, or `ref:path` in a tree
    judged_path: str  # what the detector is told (the path inside the tree)
    sha: str


class _PassOne:
    """What pass 1 learns."""

    def __init__(self, progress: Callable[[Progress], None] | None) -> None:
        self.progress = progress
        self.commits = 0
        self.blobs = 0
        self.bytes_read = 0
        self.requested: set[BlobId] = set()
        self.blob_keys: dict[BlobId, BlobKeys] = {}
        self.message_keys: list[tuple[log.Commit, int, str, BlobKeys]] = []
        self.ref_objects: list[_RefObject] = []
        self.taggers: dict[str, str] = {}
        self.warnings: list[str] = []
        self.unreadable = 0
        self.stopped_early = False
        self.secrets: dict[str, str] = {}
        self.suppressed: dict[str, str] = {}  # keys found and not reported: fingerprint -> why
        self.found: set[str] = set()
        self.total = 0  # blobs asked for so far
        # every wanted change, in walk order, for pass 2; None when there were too many
        self.changes: list[_Introduced] | None = []
        self._wanted: dict[str, bool] = {}
        # what each name (label, text) holds, judged once
        self.name_keys: dict[tuple[str, str], BlobKeys] = {}

    def wants(self, path: str, config: Config) -> bool:
        """sources.wanted, once per path: a history names the same paths in commit after commit,
        and running the exclude globs costs more than a dict lookup."""
        known = self._wanted.get(path)
        if known is None:
            known = self._wanted[path] = is_scanned(path, config)
            if len(self._wanted) > _REMEMBERED_CHANGES:
                self._wanted.clear()
        return known

    def collect(self, result: TaskResult) -> None:
        self.blobs += result.blobs + len(result.problems)
        self.bytes_read += result.bytes_read
        for judged, keys in result.keys:
            self.blob_keys[judged] = keys
            self.found.update(keys)
        for problem in result.problems:
            self.warnings.append(problem.message)
            self.unreadable += problem.kind == UNREADABLE
        self.secrets.update(result.secrets)
        for key_fingerprint, why in result.suppressed:
            self.suppressed.setdefault(key_fingerprint, why)
        self.report()

    def report(self) -> None:
        if self.progress is not None:
            self.progress(Progress(self.commits, self.blobs, self.bytes_read, self.total,
                                   len(self.found)))


def _ask(judge: Judge, walk: _PassOne, sha: str, path: str) -> None:
    id_ = blob_id(sha, path)
    if id_ in walk.requested or log.is_null(sha):
        return
    walk.requested.add(id_)
    judge.add(sha, path)
    walk.total += 1
    if walk.total % _PROGRESS_EVERY == 0:
        walk.report()


def _judge_message(walk: _PassOne, owner: log.Commit, order: int, path: str,
                   suppressions: Suppressions) -> None:
    keys = keys_in(find_secrets(owner.message, path), suppressions)
    if keys:
        walk.message_keys.append((owner, order, path, keys))
        walk.found.update(keys)


def _judge_name(walk: _PassOne, owner: log.Commit, order: int, label: str, name: str,
                suppressions: Suppressions) -> None:
    """A name (file, ref, author line) judged as text: `label` says which kind (the
    detector's path, so that the name's own words are all the context there is), and the
    report shows `label name`, key-shaped runs redacted (shown_path)."""
    keys = walk.name_keys.get((label, name))
    if keys is None:
        keys = keys_in(find_secrets(name, label), suppressions)
        if len(walk.name_keys) < _REMEMBERED_CHANGES:
            walk.name_keys[(label, name)] = keys
    if keys:
        walk.message_keys.append((owner, order, f'{label} {name}', keys))
        walk.found.update(keys)


def _walk(
        repo: runner.Repository,
        revs: Sequence[str],
        judge: Judge,
        walk: _PassOne,
        suppressions: Suppressions,
        *,
        with_refs: bool | Callable[[refs.RefTarget], bool],
) -> None:
    """Pass 1: each wanted blob once, the messages, and what refs name outside commits."""
    config = suppressions.config
    commit = log.Commit('', '', '')
    try:
        for item in log.history_changes(repo, revs, messages=True):
            if isinstance(item, log.Commit):
                walk.commits += 1
                _judge_message(walk, item, walk.commits, COMMIT_MESSAGE, suppressions)
                commit = log.Commit(item.sha, item.date, '')
                if key_shaped(item.people):
                    for person in dict.fromkeys(item.people.split('\n')):
                        _judge_name(walk, commit, walk.commits, AUTHOR_LINE, person,
                                    suppressions)
                continue
            if key_shaped(item.path):  # a name is text too: `VAST_API_KEY=<key>.txt`
                _judge_name(walk, commit, walk.commits, FILE_NAME, item.path, suppressions)
            if walk.wants(item.path, config):
                _ask(judge, walk, item.sha, item.path)
                if walk.changes is not None:  # a change sets a blob: its sha is never null
                    walk.changes.append(_Introduced(commit, walk.commits, item))
                    if len(walk.changes) > _REMEMBERED_CHANGES:
                        walk.changes = None
    except log.HistoryStreamError as error:
        walk.warnings.append(f'history walk stopped early, results are partial: {error}')
        walk.stopped_early = True
    if with_refs:
        _walk_refs(repo, judge, walk, suppressions, None if with_refs is True else with_refs)
    judge.drain()
    walk.report()


def _walk_refs(
        repo: runner.Repository,
        judge: Judge,
        walk: _PassOne,
        suppressions: Suppressions,
        wanted_ref: Callable[[refs.RefTarget], bool] | None = None,
) -> None:
    """Annotated tag messages, and blobs and trees refs name (`git tag k <blob>`); only those
    of the refs `wanted_ref` picks, when given (the tags a push sends)."""
    targets, problems = refs.ref_targets(repo)
    if wanted_ref is not None:
        targets = [target for target in targets if wanted_ref(target)]
    walk.warnings.extend(problems)
    walk.unreadable += len(problems)
    order = walk.commits
    for target in targets:
        if key_shaped(target.ref):
            order += 1
            _judge_name(walk, log.Commit(target.sha, _ref_date(repo, target), ''), order,
                        REF_NAME, target.ref, suppressions)
        for tag_sha, date, tagger, message in target.tags:
            order += 1
            walk.taggers[tag_sha] = tagger
            owner = log.Commit(tag_sha, date, message)
            _judge_message(walk, owner, order, f'{TAG_MESSAGE} {target.ref}', suppressions)
        if target.kind == 'commit':
            continue
        date = target.tags[0][1] if target.tags else refs.NO_DATE
        tagger = target.tags[0][2] if target.tags else ''
        owner = log.Commit(target.sha, date, '')
        if target.kind == 'blob':
            entries = [worktree.IndexEntry(target.ref, target.target)]
            shown = [target.ref]
        else:
            entries = objects.tree_blobs(repo, target.target)
            shown = [f'{target.ref}:{entry.path}' for entry in entries]
        for entry, path in zip(entries, shown, strict=True):
            if is_scanned(entry.path, suppressions.config):
                walk.ref_objects.append(_RefObject(owner, tagger, path, entry.path, entry.sha))
                _ask(judge, walk, entry.sha, entry.path)


def _ref_date(repo: runner.Repository, target: refs.RefTarget) -> str:
    """When a ref's name was last set, near enough: its tag's date, or its commit's. Asked only
    for the rare key-shaped ref name, so one git call each."""
    if target.tags:
        return target.tags[0][1]
    if target.kind == 'commit':
        result = runner.run_in(repo, ('log', '-1', '--format=%cI', target.target, '--'))
        date = result.stdout.decode('utf-8', 'replace').strip()
        if result.returncode == 0 and date:
            return date
    return refs.NO_DATE


def _date(iso: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(iso)


def _attribute(
        repo: runner.Repository,
        revs: Sequence[str],
        judge: Judge,
        walk: _PassOne,
        suppressions: Suppressions,
) -> list[_Found]:
    """Pass 2: the commits and paths that introduced each key found in pass 1."""
    candidates = [
        introduced for introduced in _changes(repo, revs, walk, suppressions)
        if blob_id(introduced.change.sha, introduced.change.path) in walk.blob_keys
    ]
    # the parents' versions of those paths: pass 1 did not read them when outside a range
    for _, _, change in candidates:
        for parent in change.parents:
            _ask(judge, walk, parent, change.path)
    judge.drain()
    found: list[_Found] = []
    for commit, walk_order, change in candidates:
        before: set[str] = set()
        for parent in change.parents:
            before.update(walk.blob_keys.get(blob_id(parent, change.path), {}))
        for key_fingerprint, key in walk.blob_keys[blob_id(change.sha, change.path)].items():
            if key_fingerprint not in before:
                found.append(
                    _Found(
                        commit.sha, _date(commit.date), walk_order, shown_path(change.path),
                        key.line, key.rule, key.redacted, key_fingerprint, key.context,
                    ),
                )
    order = walk.commits
    for ref_object in walk.ref_objects:
        order += 1
        for key_fingerprint, key in walk.blob_keys.get(
                blob_id(ref_object.sha, ref_object.judged_path), {},
        ).items():
            found.append(
                _Found(
                    ref_object.owner.sha, _date(ref_object.owner.date), order,
                    shown_path(ref_object.path), key.line, key.rule, key.redacted, key_fingerprint,
                    key.context,
                ),
            )
            walk.taggers.setdefault(ref_object.owner.sha, ref_object.author)
    for owner, message_order, path, keys in walk.message_keys:
        for key_fingerprint, key in keys.items():
            found.append(
                _Found(
                    owner.sha, _date(owner.date), message_order, shown_path(path), key.line,
                    key.rule, key.redacted, key_fingerprint, key.context,
                ),
            )
    return found


def _changes(
        repo: runner.Repository,
        revs: Sequence[str],
        walk: _PassOne,
        suppressions: Suppressions,
) -> Iterator[_Introduced]:
    """Pass 1's wanted changes again: remembered, or walked again when there were too many."""
    if walk.changes is not None:
        yield from walk.changes
        return
    commit = log.Commit('', '', '')
    walk_order = 0
    try:
        for item in log.history_changes(repo, revs, messages=False):
            if isinstance(item, log.Commit):
                commit = item
                walk_order += 1
            elif not log.is_null(item.sha) and walk.wants(item.path, suppressions.config):
                yield _Introduced(commit, walk_order, item)
    except log.HistoryStreamError:
        pass  # already reported by pass 1


def _in_head(
        repo: runner.Repository,
        judge: Judge,
        walk: _PassOne,
        suppressions: Suppressions,
) -> set[str]:
    """Fingerprints that HEAD's tree still holds."""
    entries = [e for e in objects.head_tree(repo) if is_scanned(e.path, suppressions.config)]
    for entry in entries:
        _ask(judge, walk, entry.sha, entry.path)
    judge.drain()
    held: set[str] = set()
    for entry in entries:
        held.update(walk.blob_keys.get(blob_id(entry.sha, entry.path), {}))
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
    for key_fingerprint, items in by_key.items():
        items.sort(key=_oldest_first)
        first = items[0]
        keys.append(
            ExposedKey(
                fingerprint=key_fingerprint,
                rule=first.rule,
                redacted=first.redacted,
                status=ROTATED if key_fingerprint in rotated else NEEDS_ROTATION,
                in_head=key_fingerprint in in_head,
                first_seen=FirstSeen(
                    commit=first.commit,
                    # an author line is data too: escaped, and a key in it redacted
                    author=shown_path(authors.get(first.commit, '')),
                    date=first.date.isoformat(),
                    path=first.path,
                    line=first.line,
                ),
                occurrences=tuple(Occurrence(f.commit, f.path, f.line) for f in items),
                context=first.context,
            ),
        )
    latest = {
        key_fingerprint: max(f.date for f in items) for key_fingerprint, items in by_key.items()
    }
    # most urgent first: still in HEAD, then the most recently committed
    keys.sort(key=lambda k: (not k.in_head, -latest[k.fingerprint].timestamp(), k.fingerprint))
    return keys


def scan_history(
        repo: runner.Repository,
        revs: Sequence[str],
        *,
        config: Config,
        baseline: frozenset[str],
        progress: Callable[[Progress], None] | None = None,
        verify: Verifier | None = None,
        jobs: int = 1,
        with_refs: bool | Callable[[refs.RefTarget], bool] = True,
) -> HistoryReport:
    """Every key introduced by a commit reachable from `revs` (git log revision arguments).

    With `with_refs`, also what refs name outside commits (tag messages, blob and tree refs):
    of every ref, or of those a predicate picks.
    With `verify` (`--verify`), each key found is verified and its status follows the verdict;
    the raw keys it is called with go no further.
    """
    keep_secrets = verify is not None
    secrets: dict[str, str] | None = {} if keep_secrets else None
    walk = _PassOne(progress)
    suppressions = Suppressions(config, baseline, secrets, walk.suppressed)
    # a partial clone lacks objects by design: asking git for one would make it fetch
    missing = repository.missing_objects(repo, revs) if repo.partial else frozenset()
    with Judge(
            repo, config, baseline, jobs=jobs, keep_secrets=keep_secrets,
            collect=walk.collect, missing=missing,
    ) as judge:
        _walk(repo, revs, judge, walk, suppressions, with_refs=with_refs)
        found: list[_Found] = []
        in_head: set[str] = set()
        if walk.blob_keys or walk.message_keys:
            found = _attribute(repo, revs, judge, walk, suppressions)
            in_head = _in_head(repo, judge, walk, suppressions) if found else set()
    earliest: dict[str, _Found] = {}
    for item in sorted(found, key=_oldest_first, reverse=True):
        earliest[item.fingerprint] = item
    authors = repository.commit_authors(
        repo, {item.commit for item in earliest.values() if item.commit not in walk.taggers},
    )
    authors.update(walk.taggers)
    keys = _exposed_keys(
        found,
        in_head=in_head,
        rotated=frozenset(rotation.fingerprint for rotation in config.rotated),
        authors=authors,
    )
    if verify is not None and secrets is not None and keys:
        secrets.update(walk.secrets)
        verdicts = verify(secrets[key.fingerprint] for key in keys if key.fingerprint in secrets)
        keys = apply_verification(keys, verdicts)
    return HistoryReport(
        tuple(keys), walk.commits, tuple(walk.warnings),
        unreadable_objects=walk.unreadable,
        incomplete=walk.unreadable > 0 or walk.stopped_early,
        suppressed=tuple(
            SuppressedKey(key_fingerprint, why)
            for key_fingerprint, why in sorted(walk.suppressed.items())
        ),
        walk_stopped=walk.stopped_early,
    )


def apply_verification(
        keys: Sequence[ExposedKey],
        verdicts: Mapping[str, Verification],
) -> list[ExposedKey]:
    """History keys with their verdicts: `invalid` ones no longer need rotating.

    - invalid: inactive (the key no longer works), unless the ledger already says rotated,
      which tells more;
    - active: needs rotation; rotated but still active when the ledger says rotated -- the
      rotation did not take (a reset of another key, or of the key before a re-issue);
    - unknown: the status stays as it was.
    """
    result = []
    for key in keys:
        verdict = verdicts.get(key.fingerprint)
        if verdict is None:
            result.append(key)
            continue
        status: Status = key.status
        if verdict.state == INVALID and status != ROTATED:
            status = INACTIVE
        elif verdict.state == ACTIVE:
            status = ROTATED_STILL_ACTIVE if status == ROTATED else NEEDS_ROTATION
        result.append(key._replace(verification=verdict, status=status))
    return result
