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
