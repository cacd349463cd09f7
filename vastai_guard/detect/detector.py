"""The detector: text (and its file name) in, matches out. Knows nothing of git or output.

Candidates first, with linear-time engines; then each candidate is judged in a bounded window:
- every run of exactly 64 lowercase hex is a candidate; what stands around it decides the rule,
  if any: the name it is given to (slots.py, names.py), the CLI, a vast.ai URL, a key file, a
  vast.ai host or the SDK nearby, or an enclosing section that says vast (structure.py);
- every value under a Vast-named name (one RE2 pass) is checked for base64 keys and secrets.
A file that never says "vast" (or CONTAINER_API_KEY), whose name does not either, and that is
not a CLI key file is skipped before any pattern runs.

No pattern here can backtrack across a text: the candidate scans are RE2 (linear by
construction) or a single character class, and everything else reads a window of at most a few
kilobytes around one candidate. Doubling the input at most doubles the time.
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
from vastai_guard.detect.rules import Rule
from vastai_guard.detect.slots import slot_before
from vastai_guard.findings import Match

_HEX_RUN = re.compile(rules.HEX_RUN)
_HEX_ONLY = re.compile(r'[0-9a-f]{64}')
_MARKER = re.compile(rules.HOST_MARKER)
_DIGEST_PREFIX = re.compile(rules.DIGEST_PREFIX)
_KEY_FILE_WRITE = re.compile(rules.KEY_FILE_WRITE)
_KEY_FILE_HEREDOC = re.compile(rules.KEY_FILE_HEREDOC)
_KEY_FILE_NAME = re.compile(rules.KEY_FILE_NAME)
_KEY_FILE_OPEN = re.compile(rules.KEY_FILE_OPEN)
_HOST_INSTALL = re.compile(rules.HOST_INSTALL)
_CLI_NAME = re.compile(rules.CLI_NAME)
_PATH_LIKE = re.compile(rules.PATH_LIKE)
_UUID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_GIT_SHA = re.compile(r'[0-9a-f]{40}')
_VAST_ANY_CASE = re.compile('vast', re.IGNORECASE)
_ZERO_X_HEX = re.compile(r'0[xX][0-9a-fA-F]+')
_SIBLING_ON_LINE = re.compile(r'''\b(?:key|name|id)[ \t]*=[ \t]*["'](?P<name>[^"'\n]{1,100})["']''')
_URL_REVERSED = re.compile(r'''[^\s"'`<>(]*''')

# How far a CLI command may run over backslash-continued lines before its `--api-key`, and how
# far back its name may be; how long a URL before its `?api_key=` may be.
_CONTINUATION_LINES = 8
_COMMAND_REACH = 2048
_URL_REACH = 400
# Lines above a bare key in which a heredoc into a key file may start.
_HEREDOC_LINES = 3
_CLI_FLAGS = frozenset(('--api-key', '--api_key'))
_SET_API_KEY = frozenset(('api-key', 'api_key'))
_URL_KEY_PARAMS = frozenset(('api_key', 'apikey', 'api-key'))


@functools.lru_cache(maxsize=1)
def re2_module() -> Any:
    """RE2 (google-re2), imported only when a file gets past the trigger test: ~10 ms."""
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

    return re2


@functools.lru_cache(maxsize=None)
def _compiled_re2(pattern: str) -> Any:
    return re2_module().compile(pattern)


class FileFacts(NamedTuple):
    """What the file as a whole says; part of every candidate's context."""
    path: str
    key_file: bool  # one of the CLI's key files: its content is the key
    name_says_vast: bool  # `vast.env`, `secrets/vastai.yaml`
    markdown: bool  # headings are `#` lines, not comments
    sdk: bool  # the module imports the Vast.ai SDK


# envfiles' own predicate, cached: history asks of the same paths in every commit
is_key_file = functools.lru_cache(maxsize=1 << 16)(filenames.is_key_file)


@functools.lru_cache(maxsize=1 << 16)
def _name_says_vast(path: str) -> bool:
    """`vast.env`, `secrets/vastai.yaml`, `vast_config.json`; not `vaststream.py`."""
    name = posixpath.basename(path)
    return _MARKER.search(name) is not None or 'vast' in re.split(r'[^a-z0-9]+', name.lower())


class PathKind(NamedTuple):
    """All that a file's path tells the detector (FileFacts minus the content): on the same
    content, two paths of one kind get the same verdicts (the contexts may name the file)."""
    key_file: bool
    name_says_vast: bool
    markdown: bool


@functools.lru_cache(maxsize=1 << 16)  # history asks of the same paths in every commit
def path_kind(path: str) -> PathKind:
    return PathKind(is_key_file(path), _name_says_vast(path), structure.is_markdown(path))


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


# --- windows around a candidate --------------------------------------------------------------


# No window reaches further than this from its candidate, newline or not: a minified file or a
# megabyte on one line costs the same per candidate as a short line.
LINE_REACH = 4096


def _line_start(text: str, offset: int) -> int:
    """Start of the line holding `offset`, or LINE_REACH before it on a very long line."""
    floor = max(0, offset - LINE_REACH)
    return max(text.rfind('\n', floor, offset) + 1, floor)


def _line_end(text: str, offset: int) -> int:
    ceiling = min(len(text), offset + LINE_REACH)
    found = text.find('\n', offset, ceiling)
    return ceiling if found == -1 else found


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return _line_start(text, start), _line_end(text, end)


def _logical_line_start(text: str, line_start: int) -> int:
    """Start of the command holding the line: backslash-continued lines join it."""
    for _ in range(_CONTINUATION_LINES):
        if line_start < 2 or text[line_start - 2] != '\\':
            break
        line_start = _line_start(text, line_start - 1)
    return line_start


def _lines_around(text: str, line_start: int, line_end: int, lines: int) -> tuple[int, int]:
    """The span of `lines` lines above and below a line (fewer at the text's ends)."""
    start, end = line_start, line_end
    for _ in range(lines):
        if start == 0:
            break
        start = _line_start(text, start - 1)
    for _ in range(lines):
        if end >= len(text):
            break
        end = _line_end(text, end + 1)
    return start, end


class _VastWords:
    """Where a text says "vast" in any casing, and where its Vast markers are: found once per
    text, on first use, and asked of many windows by bisection. A regex over each candidate's
    window (up to dozens of kilobytes on long lines) would cost more than the candidate."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lowered: bytes | None = None
        self._offsets: list[int] | None = None
        self._markers: list[tuple[int, int]] | None = None

    def between(self, start: int, end: int) -> bool:
        if self._lowered is None and self._offsets is None:
            if self._text.isascii():
                # one C-speed copy; each window is then a bounded find (a Vast-heavy module
                # says vast thousands of times: a list of them cost more than the windows)
                self._lowered = self._text.encode('ascii').lower()
            else:
                # Unicode case rules (`ſ` is an `s` to the regex): the index, by regex
                self._offsets = [match.start() for match in _VAST_ANY_CASE.finditer(self._text)]
        if self._lowered is not None:
            return self._lowered.find(b'vast', max(start, 0), max(end, 0)) != -1
        assert self._offsets is not None
        index = bisect.bisect_left(self._offsets, start)
        return index < len(self._offsets) and self._offsets[index] + 4 <= end

    def marker(self, start: int, end: int) -> tuple[int, int] | None:
        """The first marker wholly inside [start, end), as (start, end)."""
        if not self.between(start, end):
            return None
        if self._markers is None:
            self._markers = [match.span() for match in _MARKER.finditer(self._text)]
        index = bisect.bisect_left(self._markers, (start, start))
        if index < len(self._markers) and self._markers[index][1] <= end:
            return self._markers[index]
        return None


def _host_label(text: str, start: int, span: tuple[int, int]) -> str:
    """The whole host around a marker (`console.vast.ai`), as a reader knows it."""
    host_start = span[0]
    while host_start > start and (text[host_start - 1].isalnum() or text[host_start - 1] in '.-'):
        host_start -= 1
    return names.label(text[host_start:span[1]])


def _marker(text: str, start: int, end: int, vast: _VastWords) -> str | None:
    span = vast.marker(start, end)
    return None if span is None else _host_label(text, start, span)


def _url_marker(url: str) -> str | None:
    match = _MARKER.search(url)
    return None if match is None else _host_label(url, 0, match.span())


class _Candidate(NamedTuple):
    start: int
    end: int
    line_start: int
    line_end: int


def _says_vast_ai(label: str) -> bool:
    """A section or heading that names Vast.ai: a marker (`Vast.ai`, `vastai`, `VastAi`), or
    `vast` as a whole key (`vast:`, `[clouds.vast]`, `<vast>`) -- not "IEEE VAST Challenge"."""
    if _MARKER.search(label) is not None:
        return True
    last = re.split(r'[.:/\s]+', label.strip().strip('"\'{[ ').lower())[-1]
    return last.strip('"\'') == 'vast'


# Lines above a key alone on its line in which its label (`Your API key:`) may stand: blank
# lines and a code fence between them.
_LABEL_LINES = 3
_FENCES = ('```', '~~~')


def _labelled_in_markdown(
        text: str, candidate: _Candidate, facts: FileFacts, vast: _VastWords,
) -> tuple[Rule, str] | None:
    """A key alone on its line (a code block) under a label in a Markdown file, in a Vast.ai
    context: `## Vast.ai` / `Your API key:` / the key. The label must name a credential (not
    `Checksum:` or `Image digest:`) and end its line with a colon."""
    if not facts.markdown:
        return None
    if text[candidate.line_start:candidate.line_end].strip(' \t`') != text[
            candidate.start:candidate.end]:
        return None
    # within structure's bounded walk: a label on a line above is a few bytes away
    for _, line in structure.lines_above(text, candidate.line_start, _LABEL_LINES):
        line = line.strip()
        if not line or line.startswith(_FENCES):
            continue
        label = line.strip('*_>#- \t')
        if not label.endswith(':'):
            return None
        label = label[:-1].strip('*_` \t')
        if (
                len(label) > rules.MAX_LABEL_LENGTH
                or not names.is_secret_slot(label)
                or names.is_excluded(label)
        ):
            return None
        evidence = _vast_evidence(text, candidate, facts, vast)
        return None if evidence is None else (rules.HOST_CONTEXT, evidence)
    return None


def _vast_evidence(
        text: str, candidate: _Candidate, facts: FileFacts, vast: _VastWords,
) -> str | None:
    """What says that a generic key slot (`api_key`, `Bearer`, `token`) is a Vast.ai one, most
    specific first: the line, what encloses it, the SDK, a marker nearby, the file name."""
    marker = _marker(text, candidate.line_start, candidate.line_end, vast)
    if marker is not None:
        return f'host {marker}'
    # the structure walk is the costly part: only where something above says vast at all
    above = max(0, candidate.line_start - structure.WALK_BYTES)
    if vast.between(above, candidate.line_start):
        for enclosing in structure.enclosing(text, candidate.line_start, markdown=facts.markdown):
            if _says_vast_ai(enclosing.label):
                return f'{enclosing.kind} {names.label(enclosing.label)}'
    if facts.sdk:
        return 'sdk import'
    window = _lines_around(text, candidate.line_start, candidate.line_end, rules.MARKER_WINDOW)
    marker = _marker(text, *window, vast)
    if marker is not None:
        return f'host {marker} nearby'
    if facts.name_says_vast:
        return f'file {names.label(posixpath.basename(facts.path))}'
    return None


def _heredoc_into_key_file(text: str, candidate: _Candidate) -> str | None:
    if text[candidate.line_start:candidate.start].strip() or text[
            candidate.end:candidate.line_end].strip():
        return None
    position = candidate.line_start
    for _ in range(_HEREDOC_LINES):
        if position == 0:
            return None
        above = _line_start(text, position - 1)
        match = _KEY_FILE_HEREDOC.search(text, above, position - 1)
        if match is not None:
            return match['file']
        position = above
    return None


# How far before a key, on its line, a write call and the file it writes are looked for.
_CODE_WRITE_REACH = 400


def _code_writing_key_file(text: str, candidate: _Candidate) -> str | None:
    """The CLI key file a program writes the key into (`f.write("KEY")` under
    `with open("~/.vast_api_key", "w") as f:`, `Path("~/.vast_api_key").write_text("KEY")`)."""
    start = candidate.start
    if start == 0 or text[start - 1] not in '"\'`':
        return None
    reach = max(candidate.line_start, start - _CODE_WRITE_REACH)
    # the few characters before the quote first: this runs for every quoted candidate
    call = text[max(reach, start - 24):start - 1].rstrip(' \t')
    call = call.removesuffix('b').removesuffix('f').rstrip(' \t')
    if not call.endswith(rules.KEY_FILE_WRITE_CALLS) and not (
            call.endswith(',') and text.find(rules.KEY_FILE_WRITE_WITH_PATH, reach, start) != -1
    ):
        return None
    named = _KEY_FILE_NAME.search(text, reach, start)
    if named is not None:
        return named['file']
    for _, line in structure.lines_above(text, candidate.line_start, _HEREDOC_LINES):
        opened = _KEY_FILE_OPEN.search(line, 0, _CODE_WRITE_REACH)
        if opened is not None:
            return opened['file']
    return None


def _named_elsewhere(
        text: str, candidate: _Candidate, slot_start: int, vast: _VastWords,
) -> str | None:
    """The name of a `value:` / `default =` slot: an attribute on the line, the `name:` above,
    or the block it sits in (`variable "vast_api_key" {`)."""
    on_line = _SIBLING_ON_LINE.search(text, candidate.line_start, slot_start)
    if on_line is not None:
        return on_line['name']
    if not vast.between(max(0, candidate.line_start - structure.WALK_BYTES), candidate.line_start):
        return None  # whatever names it above, it is not a Vast name
    sibling = structure.sibling_name(text, candidate.line_start)
    if sibling is not None:
        return sibling
    parents = structure.enclosing(text, candidate.line_start, markdown=False)
    return parents[0].label if parents else None


def _judge_hex(
        text: str, candidate: _Candidate, facts: FileFacts, vast: _VastWords,
) -> tuple[Rule, str] | None:
    """The rule and context that make this 64-hex run a Vast.ai key, or None."""
    start, end = candidate.start, candidate.end
    line_start, line_end = candidate.line_start, candidate.line_end
    if _DIGEST_PREFIX.search(text, max(line_start, start - 16), start):
        return None
    if facts.key_file:
        return rules.KEY_FILE, f'key file {names.label(posixpath.basename(facts.path))}'
    written = _KEY_FILE_WRITE.match(text, end, min(line_end, end + 300))
    if written is not None:
        return rules.KEY_FILE, f'written to {written["file"]}'
    heredoc = _heredoc_into_key_file(text, candidate)
    if heredoc is not None:
        return rules.KEY_FILE, f'written to {heredoc}'
    written_by_code = _code_writing_key_file(text, candidate)
    if written_by_code is not None:
        return rules.KEY_FILE, f'written to {written_by_code}'

    slot = slot_before(text, start, line_start)
    name, operator = slot.name, slot.operator
    if not name:
        return _labelled_in_markdown(text, candidate, facts, vast)
    lowered = name.lower()
    before = text[max(line_start, slot.start - 16):slot.start]
    command_start = max(_logical_line_start(text, line_start), slot.start - _COMMAND_REACH)

    # the CLI: `vastai set api-key KEY`, `vastai ... --api-key KEY`, the host installer
    if (
            operator in (' ', '=')
            and vast.between(command_start, slot.start)
            and _CLI_NAME.search(text, command_start, slot.start) is not None
    ):
        if lowered in _SET_API_KEY and operator == ' ' and before.rstrip().endswith('set'):
            return rules.CLI, 'cli set api-key'
        if lowered in _CLI_FLAGS:
            return rules.CLI, f'cli {lowered}'
    if operator == ' ' and lowered == 'install' and _HOST_INSTALL.search(
            text, line_start, start) is not None:
        if _marker(text, *_lines_around(text, line_start, line_end, 2), vast) is not None:
            return rules.CLI, 'host install'

    if names.is_container_key(name):
        return rules.CONTAINER, f'name {names.label(name)}'
    if names.is_excluded(name):
        return None
    if names.is_vast_secret_name(name) and operator != '(':
        kind = 'flag' if name.startswith('-') else 'name'
        return rules.ASSIGNMENT, f'{kind} {names.label(name)}'
    if lowered in rules.VALUE_SLOTS:
        owner = _named_elsewhere(text, candidate, slot.start, vast)
        if owner is not None and names.is_vast_secret_name(owner) and not names.is_excluded(owner):
            return rules.ASSIGNMENT, f'name {names.label(owner)}'

    # `?api_key=KEY` on a vast.ai URL
    if operator == '=' and before.endswith(('?', '&', '&amp;')):
        if lowered not in _URL_KEY_PARAMS:
            return None  # `?token=` opens one instance's Jupyter or portal, not the account
        # the URL is the run of non-separators before the parameter, read backwards (bounded)
        left = text[max(line_start, slot.start - _URL_REACH):slot.start]
        reversed_url = _URL_REVERSED.match(left[::-1])
        url = left[len(left) - (reversed_url.end() if reversed_url else 0):]
        host = _url_marker(url)
        if host is not None:
            return rules.URL, f'url {host}'

    # a generic slot: `api_key`, `Bearer`, `token`, `VastAI("KEY")`, with Vast.ai around it
    if operator == '(' and names.says_vast(name):
        return rules.HOST_CONTEXT, f'call {names.label(name)}'
    generic = names.is_secret_slot(name) and operator != ' '
    if not (generic or lowered == 'bearer' or operator == '('):
        return None
    if rules.ENV_VAR_COMMAND in text[line_start:line_end]:
        return None  # `vastai create env-var NAME VALUE`: another vendor's secret
    evidence = _vast_evidence(text, candidate, facts, vast)
    if evidence is None:
        return None
    return rules.HOST_CONTEXT, evidence


# A fast first look for 64-hex candidates, on the text's UTF-8 bytes, in one RE2 pass: a run of
# exactly 64 lowercase hex between non-alphanumerics. Digests are never keys and a lockfile or an
# image list holds thousands: a run after `sha256:`, `sha256=`, `sha512:` or `sha512=` is not a
# candidate. RE2 has no look-behind, so "not after sha256:" is spelled out: a `:` or `=` before
# the run starts the text's first six characters, or follows six that are neither `sha256` nor
# `sha512`. Non-ASCII bytes count as separators, so it only ever says "maybe" too often.
_NOT_A_DIGEST_NAME = (
    rb'(?:[^s].....|s[^h]....|sh[^a]...|sha[^25]..|sha2[^5].|sha25[^6]|sha5[^1].|sha51[^2])'
)
_KEY_SHAPED = (
    rb'(?s:(?:^|[^0-9A-Za-z:=]|(?:^.{0,5}|' + _NOT_A_DIGEST_NAME + rb')[:=])'
    rb'[0-9a-f]{64}(?:[^0-9A-Za-z]|$))'
)
# Either candidate, in one pass: what history asks of every version of every file that says
# vast, so each byte is read once. `(?im:...)`: NAMED_VALUE's flags, for its part only.
_SECRET_SHAPED = _KEY_SHAPED + b'|(?im:' + rules.NAMED_VALUE.removeprefix('(?im)').encode() + b')'
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
    rb'(?s:(?:^|[^0-9A-Za-z:=]|(?:^.{0,5}|' + _NOT_A_DIGEST_NAME + rb')[:=]))[0-9a-f]{64,}'
)
# Right before a run: a digest, never a candidate (_judge_hex would say so first, at more cost).
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


def _hex_candidates(text: str) -> Iterator[_Candidate]:
    for start, end in _hex_runs(text):
        if end - start != rules.KEY_LENGTH:
            continue
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        if text.endswith(_DIGEST_NAMES, max(start - _LEAD, 0), start):
            continue
        yield _Candidate(start, end, *_line_bounds(text, start, end))


def _hex_matches(text: str, facts: FileFacts) -> Iterator[tuple[int, Rule, str, str]]:
    vast = _VastWords(text)
    for candidate in _hex_candidates(text):
        verdict = _judge_hex(text, candidate, facts, vast)
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
    line_start, line_end = _line_bounds(text, offset, offset)
    if any(marker in text[line_start:line_end] for marker in rules.ALLOW_LINE):
        return True
    if line_start == 0:
        return False
    previous = text[_line_start(text, line_start - 1):line_start]
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


class Hit(NamedTuple):
    offset: int
    rule: Rule
    secret: str
    context: str


def hits(text: str, facts: FileFacts) -> list[Hit]:
    """Every candidate judged a Vast.ai secret, by offset, inline allow comments applied."""
    found = sorted([*_hex_matches(text, facts), *_named_matches(text)])
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
