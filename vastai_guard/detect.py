"""The detector: text (and its file name) in, matches out. Knows nothing of git or output.

Two passes, both cheap on ordinary files:
- every 64-hex run is a candidate; the text just before it decides which rule, if any, it is
  (a Vast-named variable, the CLI, a vast.ai URL, a key slot near a Vast host, a key file);
- every Vast-named secret variable's value is checked for base64 keys and other secrets.
A file that never says "vast" (or CONTAINER_API_KEY) and is not a CLI key file is skipped
before any regex runs.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator

from vastai_guard import rules
from vastai_guard.findings import Match
from vastai_guard.rules import Rule

_HEX_KEY = re.compile(rules.HEX_KEY)
_HEX_ONLY = re.compile(r'[0-9a-f]{64}')
_NAMED_VALUE = re.compile(rules.NAMED_VALUE_PATTERN)
_MARKER = re.compile(rules.HOST_MARKER)
_SDK_IMPORT = re.compile(r'^[ \t]*(?:from|import)[ \t]+vastai\b', re.MULTILINE)
_EXCLUDED_NAME = re.compile(rules.EXCLUDED_NAME)
_EXCLUDED_SLOT = re.compile(rules.EXCLUDED_SLOT)
_DIGEST_PREFIX = re.compile(rules.DIGEST_PREFIX)
_PATH_LIKE = re.compile(rules.PATH_LIKE)
_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_GIT_SHA = re.compile(r'[0-9a-f]{40}')

# Context rules for a 64-hex candidate, most specific first; each pattern must end exactly at
# the candidate, and runs only when its literal is in the context (a substring test is far
# cheaper than a regex over a long line).
_HEX_CONTEXT_RULES: tuple[tuple[Rule, str, re.Pattern[str]], ...] = (
    (rules.CONTAINER, 'container_api_key', re.compile(rules.CONTAINER_PATTERN)),
    (rules.ASSIGNMENT, 'vast', re.compile(rules.ASSIGNMENT_PATTERN)),
    (rules.CLI, 'vast', re.compile(rules.CLI_PATTERN)),
    (rules.URL, 'vast.ai', re.compile(rules.URL_PATTERN)),
)
_SLOT = re.compile(rules.SLOT_PATTERN)

# How far back from a candidate its context may start: a long URL or CLI line, but bounded so
# a minified file cannot make this quadratic.
_LOOKBACK = 400
_CONTINUATION_LINES = 8


def is_key_file(path: str) -> bool:
    name = path.rsplit('/', 1)[-1]
    return name in rules.KEY_FILE_NAMES or path.endswith(rules.KEY_FILE_PATH_SUFFIXES)


_TRIGGER_BYTES = tuple(word.encode() for word in rules.TRIGGER_WORDS)


def has_trigger(data: bytes) -> bool:
    """The prefilter, on raw bytes: could any context rule match here at all?"""
    return any(word in data for word in _TRIGGER_BYTES)


def _has_trigger_text(text: str) -> bool:
    return any(word in text for word in rules.TRIGGER_WORDS)


def entropy(value: str) -> float:
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _looks_made_up(value: str) -> bool:
    """Runs of one character and sequences (0123..., abcd...) are placeholders, not keys."""
    lowered = value.lower()
    steps = [ord(b) - ord(a) for a, b in zip(lowered, lowered[1:])]
    if not steps:
        return True
    same = sum(1 for step in steps if step == 0)
    sequential = sum(1 for step in steps if step in (1, -1))
    return same * 2 > len(steps) or sequential * 2 > len(steps)


def _hex_key_is_plausible(value: str) -> bool:
    return entropy(value) >= rules.MIN_HEX_ENTROPY and not _looks_made_up(value)


def _named_secret_is_plausible(value: str) -> bool:
    """A non-hex value under a Vast-named secret variable: real unless it says otherwise."""
    lowered = value.lower()
    if value.startswith(rules.REFERENCE_START) or '://' in value:
        return False
    if any(word in lowered for word in rules.PLACEHOLDER_WORDS):
        return False
    if _PATH_LIKE.search(value) or _UUID.search(value) or _GIT_SHA.fullmatch(value):
        return False
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    return entropy(value) >= rules.MIN_SECRET_ENTROPY and not _looks_made_up(value)


def _decode_base64_key(value: str) -> str | None:
    """The key inside a base64 value (Kubernetes Secret `data:`), if that is what it is."""
    if len(value) < 84:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode('ascii').strip()
    except (binascii.Error, ValueError):
        return None
    return decoded if _HEX_ONLY.fullmatch(decoded) else None


def _context_start(text: str, start: int) -> int:
    """Start of the logical line holding `start`: backslash-continued lines join it."""
    line_start = text.rfind('\n', 0, start) + 1
    for _ in range(_CONTINUATION_LINES):
        if line_start < 2 or text[line_start - 2] != '\\':
            break
        line_start = text.rfind('\n', 0, line_start - 1) + 1
    return max(line_start, start - _LOOKBACK)


def _ends_at(pattern: re.Pattern[str], text: str, begin: int, end: int) -> re.Match[str] | None:
    for match in pattern.finditer(text, begin, end):
        if match.end() == end:
            return match
    return None


class _Markers:
    """Where the Vast markers are, found only when a key slot first needs them."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offsets: list[int] | None = None
        self._whole_file = bool(_SDK_IMPORT.search(text))

    def near(self, offset: int) -> bool:
        if self._whole_file:
            return True
        if self._offsets is None:
            self._offsets = [m.start() for m in _MARKER.finditer(self._text)]
        # the nearest marker on each side is the nearest in lines too
        index = bisect.bisect(self._offsets, offset)
        before = self._offsets[index - 1] if index > 0 else None
        after = self._offsets[index] if index < len(self._offsets) else None
        return (
            before is not None and _within_lines(self._text, before, offset, rules.MARKER_WINDOW)
        ) or (
            after is not None and _within_lines(self._text, offset, after, rules.MARKER_WINDOW)
        )


def _within_lines(text: str, low: int, high: int, lines: int) -> bool:
    """At most `lines` newlines between two offsets, without counting past that many."""
    position = low
    for _ in range(lines + 1):
        position = text.find('\n', position, high)
        if position == -1:
            return True
        position += 1
    return False


def _classify_hex(
        text: str,
        start: int,
        end: int,
        *,
        key_file: bool,
        markers: _Markers,
) -> Rule | None:
    begin = _context_start(text, start)
    if _DIGEST_PREFIX.search(text, max(begin, start - 16), start):
        return None
    if key_file:
        return rules.KEY_FILE
    context = text[begin:start].lower()
    for rule, literal, pattern in _HEX_CONTEXT_RULES:
        if literal not in context:
            continue
        match = _ends_at(pattern, text, begin, end)
        if match is None:
            continue
        if 'name' in pattern.groupindex and _EXCLUDED_NAME.search(match['name']):
            return None
        return rule
    if not any(word in context[-rules.SLOT_REACH:] for word in rules.SLOT_WORDS):
        return None
    slot = _ends_at(_SLOT, text, max(begin, start - 2 * rules.SLOT_REACH - 40), end)
    if slot is None:
        return None
    if slot['slot'] and _EXCLUDED_SLOT.search(slot['slot']):
        return None
    return rules.HOST_CONTEXT if markers.near(start) else None


def _hex_matches(text: str, *, key_file: bool) -> Iterator[tuple[int, Rule, str]]:
    markers = _Markers(text)
    for candidate in _HEX_KEY.finditer(text):
        rule = _classify_hex(
            text, candidate.start(), candidate.end(), key_file=key_file, markers=markers,
        )
        # the context test is the cheap one (a digest prefix, a substring): entropy comes last
        if rule is not None and _hex_key_is_plausible(candidate.group()):
            yield candidate.start(), rule, candidate.group()


def _named_matches(text: str) -> Iterator[tuple[int, Rule, str]]:
    for match in _NAMED_VALUE.finditer(text):
        value = match['secret']
        if len(value) > rules.MAX_SECRET_LENGTH:
            continue
        if _HEX_ONLY.fullmatch(value) or _EXCLUDED_NAME.search(match['name']):
            continue  # a 64-hex value is the hex pass's to judge
        if text.startswith('(', match.end()):
            continue  # a function call, not a value
        key = _decode_base64_key(value)
        if key is not None:
            if _hex_key_is_plausible(key):
                yield match.start('secret'), rules.BASE64, key
        elif _named_secret_is_plausible(value):
            yield match.start('secret'), rules.NAMED_SECRET, value


def _allowed_inline(text: str, offset: int) -> bool:
    line_start = text.rfind('\n', 0, offset) + 1
    line_end = text.find('\n', offset)
    line = text[line_start:line_end if line_end != -1 else len(text)]
    if any(marker in line for marker in rules.ALLOW_LINE):
        return True
    if line_start == 0:
        return False
    previous = text[text.rfind('\n', 0, line_start - 1) + 1:line_start]
    return any(marker in previous for marker in rules.ALLOW_NEXT_LINE)


def find_secrets(text: str, path: str) -> list[Match]:
    """Every Vast.ai secret in `text`, once per (line, secret), in file order."""
    key_file = is_key_file(path)
    if not key_file and not _has_trigger_text(text):
        return []
    hits = sorted([*_hex_matches(text, key_file=key_file), *_named_matches(text)])
    matches: list[Match] = []
    seen: set[tuple[int, str]] = set()
    line, position = 1, 0
    for offset, rule, secret in hits:
        line += text.count('\n', position, offset)
        position = offset
        if (line, secret) in seen or _allowed_inline(text, offset):
            continue
        seen.add((line, secret))
        matches.append(Match(rule, line, secret))
    return matches
