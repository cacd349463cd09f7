"""The result model: what each command's engine returns, and all that a report may render.

One typed result per command. They hold fingerprints and redacted forms only: none has a
field a raw key could travel in, so no renderer can print one. `report.render(result, fmt)`
takes any of them; report modules import this module and the vocabulary, never an engine.
"""
from __future__ import annotations

from typing import NamedTuple

from vastai_guard.findings import ExposedKey
from vastai_guard.findings import Finding
from vastai_guard.findings import Problem
from vastai_guard.findings import Rotation
from vastai_guard.findings import SuppressedKey
from vastai_guard.vocabulary import incomplete_line


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

    @property
    def incomplete(self) -> bool:
        """Something that should have been scanned was not: "no keys" then proves nothing."""
        return self.unreadable_objects > 0

    @property
    def incomplete_line(self) -> str | None:
        """What every format says when not everything was read; None when everything was."""
        return incomplete_line(self.unreadable_objects) if self.incomplete else None


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
