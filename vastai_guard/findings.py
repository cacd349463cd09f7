"""Value objects that flow through the pipeline: source -> detector -> suppressions -> report."""
from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import NamedTuple

from vastai_guard.detect.rules import Rule
from vastai_guard.vocabulary import SHORT_FINGERPRINT
from vastai_guard.vocabulary import ProblemKind
from vastai_guard.vocabulary import State
from vastai_guard.vocabulary import Status

# What a fingerprint (SHA-256 hex) looks like, whole or as the unique prefix reports print
FINGERPRINT_SHAPE = re.compile(r'[0-9a-f]{64}')
FINGERPRINT_PREFIX_SHAPE = re.compile(r'[0-9a-f]{%d,64}' % SHORT_FINGERPRINT)
# A run that may be a secret: 16+ characters of the base64/hex/token alphabets
_SECRET_RUN = re.compile(r'[A-Za-z0-9+/_-]{16,}=*')


class Match(NamedTuple):
    """What the detector saw. Carries the raw secret: never handed to a report."""
    rule: Rule
    line: int
    secret: str
    # what made the call, for a person judging the finding: `name VAST_API_KEY_PROD`,
    # `section vast`, `host console.vast.ai`, `key file .vast_api_key`; never a key
    context: str = ''


class Fragment(NamedTuple):
    """Text to scan and where it came from; `path` is repo-relative and '/'-separated."""
    path: str
    text: str
    # a file too big to hold is judged by its source, in chunks (bigfile.py): its matches
    matches: tuple[Match, ...] | None = None


class BlastRadius(NamedTuple):
    """What an active key can do (`--blast-radius`): account data, never the key or a raw
    email. None: the API did not say (`notes` tells why)."""
    account_id: str
    email: str  # redacted: `a***@example.net`
    key_id: str
    access: str  # full | scoped | unknown
    rights: tuple[str, ...]  # permission categories of a scoped key
    balance: float | None
    credit: float | None
    running_instances: int | None
    hourly_cost: float | None  # summed dph_total of the running instances, $/h
    urgency: str  # critical | high | low
    why: str  # one line: what the key can do, on which account, for how much
    notes: tuple[str, ...] = ()  # what could not be learnt, and why


class Verification(NamedTuple):
    """The outcome of asking the Vast.ai API about a key (`--verify`, opt-in)."""
    state: State
    reason: str
    checked_at: str  # ISO 8601, UTC
    # account id and email of an active key, only with `--show-account`
    account: str = ''
    # what an active key can do, only with `--blast-radius`
    blast_radius: BlastRadius | None = None


# `--verify`, as the engines receive it: called with the raw keys they hold (each distinct
# key once, suppressed ones left out), it answers a verdict per fingerprint. The engines keep
# the verdicts and nothing else: no raw key leaves them.
Verifier = Callable[[Iterable[str]], Mapping[str, Verification]]


class Finding(NamedTuple):
    """What reports receive: a fingerprint and a redacted form, never the secret."""
    rule: Rule
    path: str
    line: int
    fingerprint: str
    redacted: str
    # detect-secrets' SHA-1 of the secret, so its baselines can suppress a finding
    hashed_secret: str
    verification: Verification | None = None
    context: str = ''


class Occurrence(NamedTuple):
    commit: str
    path: str
    line: int


class FirstSeen(NamedTuple):
    commit: str
    author: str
    date: str  # ISO 8601
    path: str
    line: int


class ExposedKey(NamedTuple):
    """One key found anywhere in history (`vastai-guard history`), by fingerprint."""
    fingerprint: str
    rule: Rule
    redacted: str
    status: Status
    in_head: bool
    first_seen: FirstSeen
    occurrences: tuple[Occurrence, ...]
    verification: Verification | None = None
    # what made the call where it was first seen: `name VAST_API_KEY`, `section vast`
    context: str = ''
    # the refs that reach a commit that introduced it (`refs/heads/main`, `stash@{0}`, `HEAD`);
    # () when none does (unreachable objects only); None when not asked (`--range`, a push)
    refs: tuple[str, ...] | None = None


class SuppressedKey(NamedTuple):
    """A key `history` found and did not report: the team said it is known."""
    fingerprint: str
    reason: str  # SUPPRESSED_BY_BASELINE | SUPPRESSED_BY_ALLOW


def fingerprint(secret: str) -> str:
    """SHA-256 hex of the exact secret text: the identity of a key everywhere we store one."""
    import hashlib  # here: loading OpenSSL costs ~5 ms at start-up, and most runs find nothing

    return hashlib.sha256(secret.encode()).hexdigest()


def baseline_hash(secret: str) -> str:
    """detect-secrets' `hashed_secret` (unsalted SHA-1), to match its baselines."""
    import hashlib

    return hashlib.sha1(secret.encode()).hexdigest()


def redact(secret: str) -> str:
    """Enough to recognise a key on the Vast.ai Keys page, not enough to use it.

    Four characters each side of a 64-character key leave 224 unknown bits.
    """
    if len(secret) < 16:
        return '*' * len(secret)
    return f'{secret[:4]}...{secret[-4:]}'


def redact_runs(text: str) -> str:
    """`text` with every run that may be a key (16+ token characters with a digit) redacted.

    For echoing a value the user gave back in an error: `VAST_API_KEY=<key>` pasted where a
    fingerprint was expected must not end up in a terminal log.
    """
    return _SECRET_RUN.sub(
        lambda run: redact(run[0]) if any(c.isdigit() for c in run[0]) else run[0], text,
    )


def shown_path(path: str) -> str:
    """`path` (or any name from a repository: an author, a ref) as reports show it.

    The one function every renderer shows a name through; it is idempotent, so a name shown
    once (where a finding is made) and again by a renderer reads the same:
    - bytes that are not UTF-8 as `\\xff`: git hands over names as bytes, decoded with
      surrogateescape; a lone surrogate cannot be written by any strict stdout;
    - control characters as `\\x1b` and bidi and other invisible format characters as
      `\\u202e`: a name is data, never terminal input (an ESC sequence rewrites the screen,
      U+202E shows `gpj.exe` as `exe.jpg`), in every format alike;
    - every key-shaped run (64+ hex characters, not padding like `aaaa...`) redacted as
      findings show keys: a key in a file name, a branch or an author line is still a key.
    """
    if path.isascii() and path.isprintable() and _KEY_SHAPED.search(path) is None:
        return path  # the common name: one scan, no copy
    if not path.isascii():
        path = path.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')
    if not path.isprintable():
        path = ''.join(_escaped(char) for char in path)
    return _KEY_SHAPED.sub(_redacted_run, path)


def _redacted_run(run: re.Match[str]) -> str:
    # a random key uses most of the 16 digits; `aaaa...` or `0000...` is padding, not a key
    return redact(run[0]) if len(set(run[0].lower())) >= 8 else run[0]


# a Vast.ai key is 64 hex characters; a longer run may hold one
_KEY_SHAPED = re.compile(r'[0-9a-fA-F]{64,}')


def _escaped(char: str) -> str:
    if char.isprintable() or char == ' ':
        return char
    code = ord(char)
    return f'\\x{code:02x}' if code < 0x100 else f'\\u{code:04x}'


def key_shaped(text: str) -> bool:
    """Whether `text` (a name: a path, a ref, an author line) holds a run a key could be."""
    return _KEY_SHAPED.search(text) is not None


def to_finding(match: Match, path: str) -> Finding:
    return Finding(
        rule=match.rule,
        path=shown_path(path),
        line=match.line,
        fingerprint=fingerprint(match.secret),
        redacted=redact(match.secret),
        hashed_secret=baseline_hash(match.secret),
        context=match.context,
    )


class Rotation(NamedTuple):
    """An entry of the rotation ledger (`rotated:` in .vastai-guard.yaml): never the key."""
    fingerprint: str
    date: str  # ISO 8601, as `vastai-guard rotated` wrote it (hand-edited ones may not be)
    note: str


class Problem(NamedTuple):
    """A repository-setup problem (`vastai-guard gitignore`): what, where, and what to do."""
    kind: ProblemKind
    path: str  # repo-relative file or pattern; a .gitignore's path for a negation
    message: str  # one line, with the fix; never a key
