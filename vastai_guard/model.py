"""The result model: what each command's engine returns, and all that a report may render.

One typed result per command. They hold fingerprints and redacted forms only: none has a
field a raw key could travel in, so no renderer can print one. `report.render(result, fmt)`
takes any of them; report modules import this module and the vocabulary, never an engine.
"""
from __future__ import annotations

from typing import NamedTuple

from vastai_guard.detect.rules import Rule
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import Finding
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Problem
from vastai_guard.findings import Rotation
from vastai_guard.findings import SuppressedKey
from vastai_guard.findings import Verification
from vastai_guard.vocabulary import Status
from vastai_guard.vocabulary import incomplete_line
from vastai_guard.vocabulary import not_read_line


class ScanReport(NamedTuple):
    """`vastai-guard scan`: the unsuppressed findings."""
    findings: tuple[Finding, ...]
    files_read: int
    # fingerprints of the keys found that HEAD already holds in the same file: exposed for
    # good (rotate now), where a key only staged or on disk is not yet
    committed: frozenset[str] = frozenset()
    # staged or tracked blobs that could not be read (missing, damaged): as history's
    unreadable_objects: int = 0
    # fingerprints of the keys found that HEAD's file lacks but an earlier commit on some ref
    # holds (at a path where a key was found): committed before, so not "in no commit yet"
    earlier: frozenset[str] = frozenset()
    # files and folders that could hold a key and were not read (unreadable, a submodule):
    # no flag excuses them, only naming them in exclude_paths
    not_read: tuple[str, ...] = ()
    # binary files skipped (a PNG, an archive): counted, never judged
    binary_files: int = 0

    @property
    def incomplete(self) -> bool:
        """Something that should have been scanned was not: "no keys" then proves nothing."""
        return self.unreadable_objects > 0 or bool(self.not_read)

    @property
    def incomplete_line(self) -> str | None:
        """What every format says when not everything was read; None when everything was."""
        if not self.incomplete:
            return None
        if not self.not_read:
            return incomplete_line(self.unreadable_objects)
        return not_read_line(self.not_read, self.unreadable_objects)


class HistoryReport(NamedTuple):
    """`vastai-guard history`: every key ever committed, once, by fingerprint."""
    keys: tuple[ExposedKey, ...]
    commits_scanned: int
    # objects that could not be read, or a walk cut short: reported, never fatal
    warnings: tuple[str, ...] = ()
    # objects that should have been scanned and could not be read (missing, damaged)
    unreadable_objects: int = 0
    # something was not read: an unreadable object, or a walk git could not finish
    incomplete: bool = False
    # the walk itself stopped (a commit or tree git could not read): --allow-missing-objects
    # excuses missing blobs, never this, since every commit after it went unread
    walk_stopped: bool = False
    # the rotation ledger (`vastai-guard rotated`), for the Markdown plan's schedule
    rotated: tuple[Rotation, ...] = ()
    # `--since-rotation-days`: the Markdown plan flags rotations older than this
    rotation_period_days: int | None = None
    # keys found and not reported (baseline, allow_fingerprints): every summary counts them
    suppressed: tuple[SuppressedKey, ...] = ()
    # `--pre-push`: the keys are in commits this push would have sent, which never left the
    # machine; the report gives the push's advice, not "rotate, anyone can read it"
    unpushed: bool = False

    @property
    def incomplete_line(self) -> str | None:
        """What every format says when not everything was read; None when everything was."""
        if not self.incomplete:
            return None
        return incomplete_line(
            self.unreadable_objects, self.warnings[0] if self.warnings else None,
        )


class GitignoreReport(NamedTuple):
    """`vastai-guard gitignore`: what keeps env and key files out of git, and what does not."""
    problems: tuple[Problem, ...]
    # `--fix`: the lines appended to the root .gitignore (empty: nothing was missing);
    # None: --fix was not given
    added: tuple[str, ...] | None = None
    # the block as written, between its marker comments
    added_block: tuple[str, ...] = ()
    # commands that take tracked env and key files out of the index
    untrack: tuple[str, ...] = ()


class RevokeReport(NamedTuple):
    """`vastai-guard revoke`: what was done to one key, found by fingerprint."""
    fingerprint: str
    redacted: str
    where: str  # where the key was found: `work tree: .env:1`, `history: <commit> path:line`
    key_id: str
    state: str  # revoked | still-active | already-invalid
    # the config file the rotation was recorded in; None: nothing recorded
    ledger: str | None = None
    already_recorded: bool = False

    @property
    def revoked(self) -> bool:
        return self.state == 'revoked'


class AuditedKey(NamedTuple):
    """One key of the account (`vastai-guard audit`): never the key, only what the list says."""
    key_id: str
    name: str
    access: str  # full | scoped | unknown
    rights: tuple[str, ...]
    created: str  # ISO 8601 date; '' when the API did not say
    age_days: int | None
    problems: tuple[str, ...]  # full-access, older-than-N-days, rotated-but-exists


class AuditReport(NamedTuple):
    """`vastai-guard audit`: the account's API keys against least privilege and key age."""
    keys: tuple[AuditedKey, ...]
    max_age_days: int
    # the id of the key the audit ran with, when the API said which one it is
    own_key_id: str = ''


class RepositorySweep(NamedTuple):
    """`vastai-guard sweep`: what one repository's task sends back (picklable; no raw key)."""
    source: str  # as given, any password in a URL replaced by ***
    keys: tuple[ExposedKey, ...] = ()
    # per key found (by fingerprint): the refs whose history holds the commit that first
    # added it (a few; empty for a key in a tag message or an object no commit holds)
    refs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    commits_scanned: int = 0
    incomplete: bool = False
    # why the repository could not be scanned (not found, clone refused, damaged); one line
    error: str | None = None
    warnings: tuple[str, ...] = ()
    # the ref tips, config and baseline the result is of (sweep --state); '' when failed
    tips: str = ''
    # the tips were those --state already had a result for: not scanned again
    unchanged: bool = False
    seconds: float = 0.0
    # a repository too big for one task is split by commit ranges (sweep/split.py): which
    # part this is (0: the first, newest), and, from part 0, the other parts to scan
    part: int = 0
    more: tuple[tuple[str, ...], ...] = ()


class KeyInRepository(NamedTuple):
    """Where one swept key is, in one repository."""
    source: str
    first_seen: FirstSeen
    in_head: bool
    refs: tuple[str, ...]
    status: Status  # by that repository's rotation ledger


class SweptKey(NamedTuple):
    """One key across every repository of a sweep, by fingerprint."""
    fingerprint: str
    rule: Rule
    redacted: str
    # rotated when any repository's ledger records the rotation (one reset at Vast.ai,
    # whichever repository recorded it), else needs-rotation; with --verify, as `history`
    # says it: inactive, or rotated-still-active
    status: Status
    repositories: tuple[KeyInRepository, ...]
    context: str = ''
    verification: Verification | None = None


class SweepReport(NamedTuple):
    """`vastai-guard sweep`: each key once across all repositories, and a line per repository."""
    repositories: tuple[RepositorySweep, ...]
    keys: tuple[SweptKey, ...]
