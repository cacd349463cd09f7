"""The detector: text (and its file name) in, matches out. Knows nothing of git or output.

Candidates first, with linear-time engines; then each candidate is judged by the rule units
(units/, asked in their stated order, the first answer decides):
- every run of exactly 64 lowercase hex (also after a URL-encoded separator) is a candidate;
  what stands around it decides the rule, if any: the name it is given to (slots.py, names.py),
  the CLI, a vast.ai URL, a key file, a vast.ai host or the SDK nearby, an enclosing section
  that says vast (structure.py), what the file does as a whole (it calls the Vast API or runs
  the CLI), and last the file's own structure (document/: key paths, sections, tables);
- every value under a Vast-named name (one RE2 pass) is checked for base64 keys and secrets;
- a JSON/YAML document's base64 values are decoded where its structure names them Vast's.
A file that never says "vast" (or CONTAINER_API_KEY), whose name does not either, and that is
not a CLI key file is skipped before any pattern runs.

No pattern here can backtrack across a text: the candidate scans are RE2 (linear by
construction) or a single character class; the units read windows of at most a few kilobytes
around one candidate, and what they take from the whole file (the document, file-scope
evidence) is built once per file, in one linear pass, and only when a candidate asks for it.
Doubling the input at most doubles the time.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import functools
import itertools
import math
import posixpath
import re
from collections import Counter
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from vastai_guard.detect import filenames
from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect import structure
from vastai_guard.detect.context import MARKER
from vastai_guard.detect.context import Candidate
from vastai_guard.detect.context import FileFacts
from vastai_guard.detect.context import FileScope
from vastai_guard.detect.context import Judged
from vastai_guard.detect.context import line_bounds
from vastai_guard.detect.context import line_start as start_of_line
from vastai_guard.detect.document.model import format_of
from vastai_guard.detect.document.model import is_tree_format
from vastai_guard.detect.rules import Rule
from vastai_guard.findings import Match

_HEX_RUN = re.compile(rules.HEX_RUN)
_HEX_ONLY = re.compile(r'[0-9a-f]{64}')
_PATH_LIKE = re.compile(rules.PATH_LIKE)
_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_GIT_SHA = re.compile(r'[0-9a-f]{40}')
_ZERO_X_HEX = re.compile(r'0[xX][0-9a-fA-F]+')
_IDENTIFIER = re.compile(rules.IDENTIFIER_VALUE)


@functools.lru_cache(maxsize=1)
def re2_module() -> Any:
    """RE2 (google-re2), imported only when a file gets past the trigger test: ~10 ms."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

    return re2


@functools.lru_cache(maxsize=None)
def _compiled_re2(pattern: str) -> Any:
    return re2_module().compile(pattern)


# envfiles' own predicate, cached: history asks of the same paths in every commit
is_key_file = functools.lru_cache(maxsize=1 << 16)(filenames.is_key_file)


@functools.lru_cache(maxsize=1 << 16)
def _name_says_vast(path: str) -> bool:
    """`vast.env`, `secrets/vastai.yaml`, `vast_config.json`; not `vaststream.py`."""
    name = posixpath.basename(path)
    return MARKER.search(name) is not None or 'vast' in re.split(r'[^a-z0-9]+', name.lower())


class PathKind(NamedTuple):
    """All that a file's path tells the detector (FileFacts minus the content): on the same
    content, two paths of one kind get the same verdicts (the contexts may name the file)."""
    key_file: bool
    name_says_vast: bool
    markdown: bool
    document: str = ''  # the document format the name says (document.model.format_of)


@functools.lru_cache(maxsize=1 << 16)  # history asks of the same paths in every commit
def path_kind(path: str) -> PathKind:
    return PathKind(
        is_key_file(path), _name_says_vast(path), structure.is_markdown(path), format_of(path),
    )


def name_is_context(path: str) -> bool:
    """Whether the file name alone could make any content a finding."""
    return is_key_file(path) or _name_says_vast(path)


_TRIGGER_BYTES = tuple(word.encode() for word in rules.TRIGGER_WORDS)


def has_trigger(data: bytes, *, bulk: bool = False) -> bool:
    """The prefilter, on raw bytes: could any rule match here at all?

    `vast` as most files write it first (one memchr-speed search ends it for a Vast file),
    then the whole text case-folded once: one copy and two searches cost less than a search
    per casing, and catch `vAsT_api_key` too. That keeps RE2 unloaded for a commit's files
    that never say vast.

    `bulk` (history: thousands of blobs, RE2 loaded anyway): one case-insensitive RE2 search
    per word instead, no copy; 3x faster on a real repository's blobs (flask's 259 MB of
    file versions: 0.84 s -> 0.27 s).
    """
    if bulk:
        return any(pattern.search(data) is not None for pattern in _trigger_patterns())
    if _TRIGGER_BYTES[0] in data:
        return True
    lowered = data.lower()
    return any(word in lowered for word in _TRIGGER_BYTES)


def blobs_with_trigger(blobs: Sequence[bytes]) -> list[int]:
    """The indexes of the `blobs` that pass has_trigger(bulk=True), in order.

    One search per word over all of them joined, NUL between: no trigger word holds a NUL, so
    no match spans two blobs, and each match names one blob (the search goes on after it).
    Python's cost for a search (~5 us) is more than RE2's on most files: history's blobs go
    through in batches, and a batch that never says vast costs two searches, not two a blob.
    """
    joined = b'\0'.join(blobs)
    starts = list(itertools.accumulate((len(blob) + 1 for blob in blobs), initial=0))
    found: set[int] = set()
    for pattern in _trigger_patterns():
        at = 0
        while (match := pattern.search(joined, at)) is not None:
            index = bisect.bisect_right(starts, match.start()) - 1
            found.add(index)
            at = starts[index + 1]
    return sorted(found)


@functools.lru_cache(maxsize=1)
def _trigger_patterns() -> tuple[Any, ...]:
    re2 = re2_module()
    options = re2.Options()
    options.case_sensitive = False
    # Latin-1: case folds ASCII letters only, as bytes.lower() does (in UTF-8 mode `ſ` would
    # be an `s` and the Kelvin sign a `k`)
    options.encoding = re2.Options.Encoding.LATIN1
    return tuple(re2.compile(re.escape(word), options) for word in _TRIGGER_BYTES)


def has_trigger_text(text: str) -> bool:
    """has_trigger, on text."""
    if rules.TRIGGER_WORDS[0] in text:
        return True
    lowered = text.lower()
    return any(word in lowered for word in rules.TRIGGER_WORDS)


def entropy(value: str) -> float:
    counts = Counter(value)
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


def _looks_made_up(value: str) -> bool:
    """Runs of one character and sequences (0123..., abcd...) are placeholders, not keys."""
    codes = value.lower().encode('utf-8', 'replace')
    steps = [b - a for a, b in zip(codes, codes[1:], strict=False)]
    if not steps:
        return True
    same = steps.count(0)
    sequential = steps.count(1) + steps.count(-1)
    return same * 2 > len(steps) or sequential * 2 > len(steps)


@functools.lru_cache(maxsize=4096)
def _hex_key_is_plausible(value: str) -> bool:
    return entropy(value) >= rules.MIN_HEX_ENTROPY and not _looks_made_up(value)


@functools.lru_cache(maxsize=4096)  # values repeat: within a file, across a file's versions
def _named_secret_is_plausible(value: str) -> bool:
    """A non-hex value under a Vast-named secret variable: real unless it says otherwise."""
    lowered = value.lower()
    if value.startswith(rules.REFERENCE_START) or '://' in value:
        return False
    if any(word in lowered for word in rules.PLACEHOLDER_WORDS):
        return False
    if _PATH_LIKE.search(value) or _UUID.search(value) or _GIT_SHA.fullmatch(value):
        return False
    if _ZERO_X_HEX.fullmatch(value):
        return False  # an Ethereum key or a hash: a different secret
    if _IDENTIFIER.fullmatch(value):
        return False  # `r2-access-key-input`: another name (a UI element id), not a secret
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    return entropy(value) >= rules.MIN_SECRET_ENTROPY and not _looks_made_up(value)


def _decode_base64_key(value: str) -> str | None:
    """The key inside a base64 value (Kubernetes Secret `data:`), if that is what it is."""
    if len(value) not in rules.BASE64_KEY_LENGTHS:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode('ascii').strip()
    except (binascii.Error, ValueError):
        return None
    return decoded if _HEX_ONLY.fullmatch(decoded) else None


# A fast first look for 64-hex candidates, on the text's UTF-8 bytes, in one RE2 pass: a run of
# exactly 64 lowercase hex between non-alphanumerics. Digests are never keys and a lockfile or an
# image list holds thousands: a run after `sha256:`, `sha256=`, `sha512:` or `sha512=` is not a
# candidate. RE2 has no look-behind, so "not after sha256:" is spelled out: a `:` or `=` before
# the run starts the text's first six characters, or follows six that are neither `sha256` nor
# `sha512`. Non-ASCII bytes count as separators, so it only ever says "maybe" too often.
_NOT_A_DIGEST_NAME = (
    rb'(?:[^s].....|s[^h]....|sh[^a]...|sha[^25]..|sha2[^5].|sha25[^6]|sha5[^1].|sha51[^2])'
)
# A URL-encoded separator (`%3D`, `%2F`: uppercase, as encoders write them) counts as one: the
# key after `%3Fapi_key%3D` is a candidate (units/url.py decodes the URL around it).
_PERCENT_ESCAPE = rb'%[0-9A-F][A-F]'
_KEY_SHAPED = (
    rb'(?s:(?:^|[^0-9A-Za-z:=]|' + _PERCENT_ESCAPE + rb'|(?:^.{0,5}|' + _NOT_A_DIGEST_NAME
    + rb')[:=])'
    rb'[0-9a-f]{64}(?:[^0-9A-Za-z]|$))'
)
# Either candidate, in one pass: what history asks of every version of every file that says
# vast, so each byte is read once. `(?im:...)`: NAMED_VALUE's flags, for its part only.
_SECRET_SHAPED = (
    _KEY_SHAPED + b'|(?im:' + rules.NAMED_VALUE.removeprefix('(?im)').encode() + b')'
    # a base64 value a document may name (units/encoded.py): a Secret's `data:`
    + b'|' + rules.BASE64_KEY_SHAPED
)
# The one-pass pattern's DFA outgrows RE2's default 8 MB cache on Vast-heavy text and falls back
# to slower matching: with 32 MB it read the Vast-heavy benchmark shape's versions a third faster.
_SECRET_SHAPED_MEMORY = 32 << 20


def _may_have_key_shaped_run(data: bytes) -> bool:
    return _compiled_re2(_KEY_SHAPED).search(data) is not None


@functools.lru_cache(maxsize=1)
def _secret_shaped() -> Any:
    re2 = re2_module()
    options = re2.Options()
    options.max_mem = _SECRET_SHAPED_MEMORY
    return re2.compile(_SECRET_SHAPED, options)


def may_hold_secret(data: bytes) -> bool:
    """False only when find_secrets would find nothing in this UTF-8 text (not a key file).

    Line-local, like every candidate: a 64-hex run and a value under a Vast-named credential
    each sit on one line, so a text may hold a secret exactly when one of its lines may.
    """
    return _secret_shaped().search(data) is not None


# The hex runs of ASCII text, found by RE2 on its bytes (offsets are the same): the runs of 64 or
# more that start the text or follow a non-alphanumeric, digests left out as the prefilter
# leaves them out. Python's `re` reads a Vast-heavy module full of image digests at ~45 MB/s,
# and a match object per digest costs more than the search.
_HEX_RUN_AFTER_SEPARATOR = (
    rb'(?s:(?:^|[^0-9A-Za-z:=]|' + _PERCENT_ESCAPE + rb'|(?:^.{0,5}|' + _NOT_A_DIGEST_NAME
    + rb')[:=]))[0-9a-f]{64,}'
)
# Right before a run: a digest, never a candidate (units/digest.py would say so, at more cost).
_DIGEST_NAMES = ('sha256:', 'sha256=', 'sha512:', 'sha512=')
# What the pattern may read before a run: a digest name and its `:` or `=`.
_LEAD = 7
_HEX_DIGITS = b'0123456789abcdef'


def _hex_runs(text: str) -> Iterator[tuple[int, int]]:
    if not text.isascii():
        if _may_have_key_shaped_run(text.encode('utf-8', 'surrogatepass')):
            for run in _HEX_RUN.finditer(text):
                yield run.span()
        return
    data = text.encode('ascii')
    pattern = _compiled_re2(_HEX_RUN_AFTER_SEPARATOR)
    position = 0
    while (match := pattern.search(data, position)) is not None:
        # no capture group: RE2 finds a group's bounds by a slower engine, 10x the time on a
        # megabyte-long run. The run starts after the lead, which ends in a non-hex character.
        lead_start, end = match.span()
        start = lead_start + len(data[lead_start:lead_start + _LEAD + 1].rstrip(_HEX_DIGITS))
        yield start, end
        # the next search may need to read the end of this run again (`RUN1:RUN2`): the
        # characters before a `:` decide whether it ends a digest name
        position = max(end - _LEAD, position + 1)


def _after_escape(text: str, start: int) -> bool:
    """The run follows a URL-encoded separator (`%3D`)."""
    escape = text[max(0, start - 3):start]
    return len(escape) == 3 and escape[0] == '%' and escape[1] in '0123456789ABCDEF' and (
        escape[2] in 'ABCDEF')


def _hex_candidates(text: str) -> Iterator[Candidate]:
    for start, end in _hex_runs(text):
        if end - start != rules.KEY_LENGTH:
            continue
        if (start and text[start - 1].isalnum() and not _after_escape(text, start)) or (
                end < len(text) and text[end].isalnum()):
            continue
        if text.endswith(_DIGEST_NAMES, max(start - _LEAD, 0), start):
            continue
        yield Candidate(start, end, *line_bounds(text, start, end))


def _hex_matches(text: str, scope: FileScope) -> Iterator[tuple[int, Rule, str, str]]:
    # the units load with the first text that has a candidate: most files never get here
    from vastai_guard.detect import units

    facts = scope.facts
    for candidate in _hex_candidates(text):
        verdict = units.judge(Judged(text, candidate, facts, scope))
        if verdict is None:
            continue
        secret = text[candidate.start:candidate.end]
        # the context test is the cheap one (a digest prefix, a name): entropy comes last
        if _hex_key_is_plausible(secret):
            yield candidate.start, verdict[0], secret, verdict[1]


def _named_values(text: str) -> Iterator[tuple[str, str, int]]:
    """(name, value, value start) of every value under a Vast-named credential; the pattern
    ends at a quote, the line's end or a separator, so a call (`= vast_key(...)`) never is one.

    RE2 reads ASCII text as bytes: the offsets are the same, and its str interface pays to
    convert every offset from bytes to characters.
    """
    ascii_only = text.isascii()
    pattern = _compiled_re2(rules.NAMED_VALUE if not ascii_only else rules.NAMED_VALUE.encode())
    subject: str | bytes = text.encode('ascii') if ascii_only else text
    # RE2's match objects take group numbers, not names (and a bytes pattern's names are bytes)
    groups = {str(key, 'ascii') if isinstance(key, bytes) else key: number
              for key, number in pattern.groupindex.items()}
    name_group, secret_group = groups['name'], groups['secret']
    for match in pattern.finditer(subject):
        name, value = match.group(name_group), match.group(secret_group)
        if ascii_only:
            name, value = name.decode('ascii'), value.decode('ascii')
        yield name, value, match.start(secret_group)


def _named_matches(text: str) -> Iterator[tuple[int, Rule, str, str]]:
    for name, value, value_start in _named_values(text):
        if len(value) > rules.MAX_SECRET_LENGTH or _HEX_ONLY.fullmatch(value):
            continue  # a 64-hex value is the hex pass's to judge
        if not names.is_vast_secret_name(name):
            continue
        context = f'name {names.label(name)}'
        key = _decode_base64_key(value)
        if key is not None:
            if _hex_key_is_plausible(key):
                yield value_start, rules.BASE64, key, context
        elif _named_secret_is_plausible(value):
            yield value_start, rules.NAMED_SECRET, value, context


def _allowed_inline(text: str, offset: int) -> bool:
    line_start, line_end = line_bounds(text, offset, offset)
    if any(marker in text[line_start:line_end] for marker in rules.ALLOW_LINE):
        return True
    if line_start == 0:
        return False
    previous = text[start_of_line(text, line_start - 1):line_start]
    return any(marker in previous for marker in rules.ALLOW_NEXT_LINE)


def file_facts(path: str, text: str) -> FileFacts:
    kind = path_kind(path)
    return FileFacts(
        path=path,
        key_file=kind.key_file,
        name_says_vast=kind.name_says_vast,
        markdown=kind.markdown,
        sdk=has_sdk_import(text),
    )


def has_sdk_import(text: str) -> bool:
    return any(literal in text for literal in rules.SDK_IMPORTS)


def _encoded(text: str, scope: FileScope) -> Iterator[tuple[int, Rule, str, str]]:
    """Keys in a document's base64 values (units/encoded.py): JSON and YAML files only."""
    if not is_tree_format(scope.facts.path):
        return
    from vastai_guard.detect.units import encoded

    for hit in encoded.matches(text, scope):
        if _hex_key_is_plausible(hit[2]):
            yield hit


class Hit(NamedTuple):
    offset: int
    rule: Rule
    secret: str
    context: str


def hits(text: str, facts: FileFacts) -> list[Hit]:
    """Every candidate judged a Vast.ai secret, by offset, inline allow comments applied."""
    scope = FileScope(text, facts)
    found = sorted([*_hex_matches(text, scope), *_named_matches(text), *_encoded(text, scope)])
    return [Hit(*hit) for hit in found if not _allowed_inline(text, hit[0])]


def find_secrets(text: str, path: str) -> list[Match]:
    """Every Vast.ai secret in `text`, once per (line, secret), in file order."""
    if not name_is_context(path) and not has_trigger_text(text):
        return []
    matches: list[Match] = []
    seen: set[tuple[int, str]] = set()
    line, position = 1, 0
    for hit in hits(text, file_facts(path, text)):
        line += text.count('\n', position, hit.offset)
        position = hit.offset
        if (line, hit.secret) not in seen:
            seen.add((line, hit.secret))
            matches.append(Match(hit.rule, line, hit.secret, hit.context))
    return matches
