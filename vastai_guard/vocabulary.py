"""The words every command and report share: statuses, verdicts, links, advice, plurals.

One place for each meaning, so a new status or a changed URL is one edit. It sits at the top
of the package, not in `report/`, because the engines (history.py, verify.py) decide statuses
and verdicts too, and an engine must not depend on a report. It imports nothing of the
project (the hook path imports it, and errors.py imports it).

Statuses and states are `Literal`s with one constant each, not enums: they are written
as they are into JSON and SARIF, and a `Literal` is a plain `str` there and in tests.
"""
from __future__ import annotations

from typing import Final
from typing import Literal

# What `history` says about a key found in history.
Status = Literal['needs-rotation', 'rotated', 'inactive', 'rotated-still-active']
NEEDS_ROTATION: Final = 'needs-rotation'
# recorded in the rotation ledger (`vastai-guard rotated`)
ROTATED: Final = 'rotated'
# `--verify`: the Vast.ai API rejects it (and the ledger does not say rotated)
INACTIVE: Final = 'inactive'
# The ledger says rotated, and `--verify` finds the key still works: the reset did not take.
ROTATED_STILL_ACTIVE: Final = 'rotated-still-active'
# Statuses that fail `history`: the key works, or may work, and is exposed.
PENDING_STATUSES: Final = frozenset((NEEDS_ROTATION, ROTATED_STILL_ACTIVE))

# What `--verify` learnt from the Vast.ai API about a key.
State = Literal['active', 'invalid', 'unknown']
ACTIVE: Final = 'active'
INVALID: Final = 'invalid'
# no answer that settles it (timeout, 403, 5xx...): treat the key as live
UNKNOWN: Final = 'unknown'
# the order reports count them in: the ones to act on first
STATES: Final = (ACTIVE, UNKNOWN, INVALID)

# `--fail-on`: any key found (the default); `active`: a key the API accepts or could not judge
# (a gate whose API call failed must not pass, unknown is not inactive); `confirmed-active`:
# only a key the API accepts, for a user who says by name that unknown may pass.
CONFIRMED_ACTIVE: Final = 'confirmed-active'


def fails_gate(fail_on: str, state: str | None) -> bool:
    """Whether a key with verification `state` (None: not verified) fails a `--fail-on` gate."""
    if fail_on == CONFIRMED_ACTIVE:
        return state == ACTIVE
    if fail_on == ACTIVE:
        return state != INVALID
    return True

# What `gitignore` finds wrong (`Problem.kind`; the SARIF rule is `gitignore-<kind>`).
ProblemKind = Literal[
    'staged', 'tracked', 'not-ignored', 'negation', 'missing-pattern', 'reused-key',
]
# a tracked env or key file: whatever key it held was committed
TRACKED: Final = 'tracked'
# a pattern the root .gitignore lacks: `gitignore --fix` appends it
MISSING_PATTERN: Final = 'missing-pattern'

# The `path` of a key found in a commit (or annotated tag) message rather than in a file.
COMMIT_MESSAGE: Final = '(commit message)'
TAG_MESSAGE: Final = '(tag message)'
# ... or in a name: a file name, a ref (branch, tag) name, an author or committer line. The
# detector is given these labels as the "path" of the name's text: a name is judged as text,
# never as a file whose own name could make it context.
FILE_NAME: Final = '(file name)'
REF_NAME: Final = '(ref name)'
AUTHOR_LINE: Final = '(author or committer)'

# Why `history` did not report a key it found (exclude_paths are never read at all).
SUPPRESSED_BY_BASELINE: Final = 'baseline'
SUPPRESSED_BY_ALLOW: Final = 'allow_fingerprints'

KEYS_PAGE: Final = 'https://cloud.vast.ai/manage-keys/'
PROJECT_URL: Final = 'https://github.com/vastai-guard/vastai-guard'
ISSUES_URL: Final = f'{PROJECT_URL}/issues'

# How many hex characters of a fingerprint are printed, and the shortest prefix accepted back
# (`rotated`, `allow_fingerprints`): 48 bits, unique among any repository's keys.
SHORT_FINGERPRINT: Final = 12
# How many hex characters of a commit id text reports print (git's own short ids are shorter)
SHORT_COMMIT: Final = 12

# The reset, as the Keys page names it (the CLI command follows it in each wording).
RESET_ON_KEYS_PAGE: Final = f'Vast.ai Keys page ({KEYS_PAGE}) -> Reset'


def advice_committed(keys: int, *, mixed: bool = False) -> str:
    """`scan`: `keys` keys are already in a commit (HEAD or an earlier one): rotate them.

    `mixed`: other keys found are not committed (their lines carry no mark)."""
    it = 'it' if keys == 1 else 'them'
    if mixed:
        verb = 'is' if keys == 1 else 'are'
        head = f"The {plural(keys, 'key')} marked (already committed) {verb} in a commit."
    else:
        head = f"{'The key is' if keys == 1 else 'These keys are'} already in a commit."
    return f'''\
{head}
A Vast.ai key in git is exposed to everyone who can read the repository, for good:
  1. Rotate {it} now: {RESET_ON_KEYS_PAGE}, or `vastai reset api-key`.
  2. Remove {it} from the file: read {it} from VAST_API_KEY or an ignored .env file instead.
  3. Not a key? Add `vastai-guard:allow` in a comment on that line, or its fingerprint
     (`vastai-guard scan --format json`) to allow_fingerprints in .vastai-guard.yaml.'''


def advice_not_committed(
        keys: int, *, env_files: bool, other_files: bool, mixed: bool = False,
) -> str:
    """`scan`, staged or on disk only: blocking the commit kept `keys` keys out of git.

    `env_files`: some are in env files (.env: the file itself is what must stay out of git);
    `other_files`: some are in other files (the key must move out of them).
    """
    it = 'it' if keys == 1 else 'them'
    steps = []
    if env_files:
        steps.append(
            'Unstage the env file (`git restore --staged -- FILE`) and keep it out of git:\n'
            '     `vastai-guard gitignore --fix` adds env files to .gitignore.',
        )
    if other_files:
        steps.append(
            f'Unstage {it} (`git restore --staged -- FILE`), move {it} to an ignored .env file '
            f'or a\n     secret store, and read {it} from VAST_API_KEY.',
        )
    steps += [
        f'Rotate {it} only if {"it was" if keys == 1 else "they were"} already committed '
        'elsewhere or shared (chat, email, a ticket).',
        'Not a key? Add `vastai-guard:allow` in a comment on that line, or its fingerprint\n'
        '     (`vastai-guard scan --format json`) to allow_fingerprints in .vastai-guard.yaml.',
    ]
    if mixed:
        head = 'The other key is' if keys == 1 else 'The other keys are'
    else:
        head = 'The key is' if keys == 1 else 'These keys are'
    return '\n'.join(
        [f'{head} not in any commit yet: keep it that way.']
        + [f'  {number}. {step}' for number, step in enumerate(steps, start=1)],
    )


# The help of every detector rule in SARIF (GitHub shows it on the alert page).
ADVICE_CI: Final = f'''\
Anyone who can read the repository (or any clone or fork of it) can use this key to rent GPUs \
and spend the account's credit. Vast.ai keys do not expire.
1. Rotate it now: {RESET_ON_KEYS_PAGE} (or `vastai reset api-key`). \
The old key stops working at once; update every place that uses it.
2. Remove it from the file: read it from VAST_API_KEY or an ignored .env file instead.
3. Removing it from git history does not make it safe again: rotate first.
4. Not a key? Add a `vastai-guard:allow` comment on the line, or its fingerprint to \
allow_fingerprints in .vastai-guard.yaml.'''

# `history --pre-push`: the key is in local commits only (unless it was pushed elsewhere).
ADVICE_PUSH: Final = '''\
The push was stopped before these commits left this machine. Take the key out of them
(`git commit --amend` for the last commit, `git rebase -i @{upstream}` for older ones), put it
in an ignored .env file or a secret store, then push again. Rotate it if it was pushed
anywhere else or shared.'''

def reach_line(refs: tuple[str, ...] | None) -> str | None:
    """What `history` says of a key no branch or tag holds: only in a stash, or unreachable.

    None when a branch, tag or HEAD holds it (a push may send it), or the refs were not asked.
    """
    if refs is None:
        return None
    if not refs:
        return (
            'Only in unreachable objects (no branch, tag or stash reaches it): never pushed '
            'unless a ref is made to point at it again; a remote it was pushed to before the '
            'commits were rewritten may still hold it.'
        )
    if all(ref.startswith('stash@{') for ref in refs):
        return (
            f'Only in a stash ({", ".join(refs)}): never pushed unless the stash is applied and '
            'committed, or pushed by name; `git stash drop` takes it out of this clone.'
        )
    return None


# An incomplete scan (`scan` and `history`): what every format says, and the exit-2 line.
INCOMPLETE_ERROR: Final = (
    'the scan is incomplete (see the warnings above); pass --allow-missing-objects to accept it'
)


def unreadable_object(sha: str, path: str, *, missing: bool) -> str:
    """The warning for an object a scan needed and could not read: it is then incomplete."""
    if missing:
        return f'object {sha} ({path}) is missing: skipped'
    return f'object {sha} ({path}) is damaged (git cannot read it): skipped'


def incomplete_line(unreadable_objects: int, first_warning: str | None = None) -> str:
    """What every format of an incomplete scan says; `first_warning` tells why when no object
    was unreadable (a history walk git could not finish)."""
    return (
        f'Incomplete scan: {count(unreadable_objects, "object")} could not be read '
        '(missing from a partial clone, or damaged)'
        + ('' if unreadable_objects or first_warning is None else f'; {first_warning}')
        + '. Keys in them are not reported.'
    )


# `history`: git could not read a commit or tree, so the walk stopped (a blob may be excused).
WALK_STOPPED_ERROR: Final = (
    'the history is incomplete: git could not read a commit or tree (see the warning above), '
    'so the commits behind it were not scanned; --allow-missing-objects excuses missing '
    'blobs only'
)

# A scan that could not read a file or folder that could hold a key: no flag passes it.
NOT_READ_ERROR: Final = (
    'the scan is incomplete: files or folders that could hold a key were not read (see the '
    'warnings above); make them readable, or name them in exclude_paths to leave them out'
)


def not_read_line(paths: tuple[str, ...], unreadable_objects: int = 0) -> str:
    """What every format of a scan says when files or folders were not read (`paths`, as
    printed: see findings.shown_path)."""
    first = ', '.join(paths[:3]) + (f' and {len(paths) - 3} more' if len(paths) > 3 else '')
    objects = (
        f'; {count(unreadable_objects, "object")} could not be read' if unreadable_objects else ''
    )
    return (
        f'Incomplete scan: {count(len(paths), "file or folder", "files or folders")} could '
        f'not be read ({first}){objects}. Keys in them are not reported.'
    )


def short(fingerprint: str) -> str:
    """A fingerprint (or commit id) as reports print it."""
    return fingerprint[:SHORT_FINGERPRINT]


def plural(number: int, noun: str, nouns: str | None = None) -> str:
    """`noun` as `number` of it is written: `key`, `keys`, `repository`, `repositories`
    (`nouns` when neither rule gives it)."""
    if number == 1:
        return noun
    if nouns is not None:
        return nouns
    if noun.endswith('y') and noun[-2:-1] not in ('a', 'e', 'i', 'o', 'u'):
        return f'{noun[:-1]}ies'  # repository, repositories (key stays keys)
    return f'{noun}s'


def count(number: int, noun: str, nouns: str | None = None) -> str:
    """`1 key`, `3 keys`, `0 files`."""
    return f'{number} {plural(number, noun, nouns)}'
