"""The common shape that the CI renderers (SARIF, GitHub annotations) take from any command.

`scan` findings, `history` exposed keys and `gitignore` problems differ in what they know;
each gets an adapter to `Result` here, so a renderer is written once and knows no command.
Nothing here ever holds a raw key: only fingerprints and redacted forms reach a Result.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NamedTuple
from typing import Protocol

from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.detect.rules import Rule
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import Finding
from vastai_guard.findings import shown_path
from vastai_guard.vocabulary import ADVICE_CI
from vastai_guard.vocabulary import AUTHOR_LINE
from vastai_guard.vocabulary import COMMIT_MESSAGE
from vastai_guard.vocabulary import FILE_NAME
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import KEYS_PAGE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import REF_NAME
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import short

# SARIF levels; the GitHub renderer maps them to its own words.
ERROR = 'error'
WARNING = 'warning'
NOTE = 'note'


class Result(NamedTuple):
    """One result for the CI renderers (SARIF, GitHub), from any command."""
    rule_id: str
    level: str  # ERROR | WARNING | NOTE
    message: str
    path: str  # repository-relative, '/'-separated
    line: int | None  # 1-based; None when the problem is the file as a whole
    # what makes this result the same one on the next run (no line number, so moving the
    # line keeps the alert); None: the renderer derives one from rule and path
    fingerprint: str | None
    # the commit that put the key there, when HEAD's files do not show it (history)
    commit: str | None = None


class RuleHelp(NamedTuple):
    """A rule as SARIF describes it: id, title and the help text shown with its results."""
    id: str
    title: str  # one line
    help: str  # what leaked and what to do about it; plain text
    level: str = ERROR  # the level of its results unless a result says otherwise


class GitignoreProblem(Protocol):
    """What `vastai-guard gitignore` reports, as far as the CI renderers need it."""

    @property
    def kind(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def message(self) -> str: ...


def detector_rule(rule: Rule) -> RuleHelp:
    """A detector rule's help: what it found and what to do in CI."""
    return RuleHelp(rule.id, rule.title, f'{rule.title}.\n{ADVICE_CI}')


DETECTOR_RULES = tuple(detector_rule(rule) for rule in ALL_RULES)


def from_finding(finding: Finding) -> Result:
    """A `scan` finding as a CI result, at its file and line."""
    return Result(
        rule_id=finding.rule.id,
        level=ERROR,
        message=(
            f'{finding.rule.title}: {finding.redacted} '
            f'(fingerprint {short(finding.fingerprint)}). '
            'Rotate it, then remove it from the file.'
        ),
        path=shown_path(finding.path),
        line=finding.line,
        fingerprint=finding.fingerprint,
    )


# A key that is rotated or verified dead is history, not an emergency.
_HISTORY_LEVELS = {
    NEEDS_ROTATION: ERROR, ROTATED_STILL_ACTIVE: ERROR, ROTATED: NOTE, INACTIVE: NOTE,
}
_HISTORY_STATUS = {
    NEEDS_ROTATION: 'needs rotation',
    ROTATED: 'rotated (in the ledger)',
    INACTIVE: 'inactive (the Vast.ai API rejects it)',
    ROTATED_STILL_ACTIVE: (
        'recorded as rotated but still active: the rotation did not take, reset it again on '
        'the Keys page'
    ),
}


# GitHub code scanning rejects a whole upload when one result lacks a physical location
# ("locationFromSarifResult: expected artifact location"), and a key in a commit message is in
# no file. Such a result is anchored at the config file, where `vastai-guard rotated` records
# the rotation that closes it; the message and a `commit` logical location name the commit.
MESSAGE_ANCHOR = '.vastai-guard.yaml'
# a key in a name (findings: a file, ref or author name) is in no file either
_NAME_LABELS = (FILE_NAME, REF_NAME, AUTHOR_LINE)


def from_exposed_key(key: ExposedKey) -> Result:
    """A `history` key as a CI result: where it first appeared and whether it is still in HEAD."""
    first = key.first_seen
    where = 'still in HEAD' if key.in_head else 'no longer in HEAD, still in history'
    status = _HISTORY_STATUS.get(key.status, key.status)
    in_name = first.path.startswith(_NAME_LABELS)
    in_message = first.path == COMMIT_MESSAGE or in_name
    what = f'a name, {first.path.split(")", 1)[0]})' if in_name else 'the message'
    found = (
        f' Found in {what} of commit {first.commit}, not in a file (the alert sits on '
        f'{MESSAGE_ANCHOR}, where `vastai-guard rotated` records the rotation).'
        if in_message else ''
    )
    return Result(
        rule_id=key.rule.id,
        level=_HISTORY_LEVELS.get(key.status, ERROR),
        message=(
            f'{key.rule.title}: {key.redacted} {status}; first committed in '
            f'{first.commit[:SHORT_COMMIT]} by {shown_path(first.author)} on {first.date}; '
            f'{where}; '
            f'{count(len(key.occurrences), "occurrence")}.'
            f'{found}'
        ),
        path=MESSAGE_ANCHOR if in_message else shown_path(first.path),
        line=None if in_message else first.line,
        fingerprint=key.fingerprint,
        commit=first.commit if in_message or not key.in_head else None,
    )


def from_gitignore_problem(problem: GitignoreProblem) -> Result:
    """A gitignore problem as a CI result (a warning: nothing leaked yet)."""
    return Result(
        rule_id=gitignore_rule_id(problem.kind),
        level=WARNING,
        message=shown_path(problem.message),
        path=shown_path(problem.path),
        line=None,
        fingerprint=None,
    )


def gitignore_rule_id(kind: str) -> str:
    """The rule id of a gitignore problem kind (`gitignore-tracked`, ...)."""
    return f'gitignore-{kind}'


def gitignore_rules(kinds: Sequence[str]) -> tuple[RuleHelp, ...]:
    """One rule per gitignore problem kind; the command names its kinds."""
    return tuple(
        RuleHelp(
            gitignore_rule_id(kind),
            f'.gitignore does not protect a Vast.ai key file ({kind})',
            'A file where Vast.ai keys live (.env, the CLI key files) is not ignored, so '
            '`git add .` will commit it. Add it to .gitignore, and if it was ever committed, '
            f'rotate the key on the Keys page ({KEYS_PAGE}).',
            WARNING,
        )
        for kind in sorted(set(kinds))
    )


def stable_fingerprint(result: Result) -> str:
    """The result's own fingerprint, or a SHA-256 of rule and path when it has none."""
    if result.fingerprint is not None:
        return result.fingerprint
    return hashlib.sha256(f'{result.rule_id}\0{result.path}'.encode()).hexdigest()
