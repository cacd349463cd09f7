"""What a candidate is judged with: where it sits in the text, what the file says as a whole,
and bounded windows around it. Shared by the rule units (units/); knows no rule.

Every window here is bounded (LINE_REACH, a few lines), so a long line or a big file costs the
same per candidate as a short one.
"""
from __future__ import annotations

import bisect
import functools
import re
from typing import TYPE_CHECKING
from typing import NamedTuple

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect.slots import Slot
from vastai_guard.detect.slots import slot_before

if TYPE_CHECKING:
    from vastai_guard.detect.document.model import Document

MARKER = re.compile(rules.HOST_MARKER)
_VAST_ANY_CASE = re.compile('vast', re.IGNORECASE)

# No window reaches further than this from its candidate, newline or not: a minified file or a
# megabyte on one line costs the same per candidate as a short line.
LINE_REACH = 4096
# How far a CLI command may run over backslash-continued lines.
_CONTINUATION_LINES = 8


class FileFacts(NamedTuple):
    """What the file as a whole says; part of every candidate's context."""
    path: str
    key_file: bool  # one of the CLI's key files: its content is the key
    name_says_vast: bool  # `vast.env`, `secrets/vastai.yaml`
    markdown: bool  # headings are `#` lines, not comments
    sdk: bool  # the module imports the Vast.ai SDK
    # what configures a Vast client in the whole file, when worked out before the text is
    # judged (a big file's first pass, bigfile.py); otherwise FileScope finds it on first use
    client_known: bool = False
    client: str | None = None


class Candidate(NamedTuple):
    start: int
    end: int
    line_start: int
    line_end: int


def line_start(text: str, offset: int) -> int:
    """Start of the line holding `offset`, or LINE_REACH before it on a very long line."""
    floor = max(0, offset - LINE_REACH)
    return max(text.rfind('\n', floor, offset) + 1, floor)


def line_end(text: str, offset: int) -> int:
    ceiling = min(len(text), offset + LINE_REACH)
    found = text.find('\n', offset, ceiling)
    return ceiling if found == -1 else found


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return line_start(text, start), line_end(text, end)


def logical_line_start(text: str, start: int) -> int:
    """Start of the command holding the line: backslash-continued lines join it."""
    for _ in range(_CONTINUATION_LINES):
        if start < 2 or text[start - 2] != '\\':
            break
        start = line_start(text, start - 1)
    return start


def lines_around(text: str, start: int, end: int, lines: int) -> tuple[int, int]:
    """The span of `lines` lines above and below a line (fewer at the text's ends)."""
    for _ in range(lines):
        if start == 0:
            break
        start = line_start(text, start - 1)
    for _ in range(lines):
        if end >= len(text):
            break
        end = line_end(text, end + 1)
    return start, end


class VastWords:
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
            self._markers = [match.span() for match in MARKER.finditer(self._text)]
        index = bisect.bisect_left(self._markers, (start, start))
        if index < len(self._markers) and self._markers[index][1] <= end:
            return self._markers[index]
        return None


def host_label(text: str, start: int, span: tuple[int, int]) -> str:
    """The whole host around a marker (`console.vast.ai`), as a reader knows it."""
    host_start = span[0]
    while host_start > start and (text[host_start - 1].isalnum() or text[host_start - 1] in '.-'):
        host_start -= 1
    return names.label(text[host_start:span[1]])


def marker(text: str, start: int, end: int, vast: VastWords) -> str | None:
    span = vast.marker(start, end)
    return None if span is None else host_label(text, start, span)


def url_marker(url: str) -> str | None:
    match = MARKER.search(url)
    return None if match is None else host_label(url, 0, match.span())


def says_vast_ai(label: str) -> bool:
    """A section or heading that names Vast.ai: a marker (`Vast.ai`, `vastai`, `VastAi`), or
    `vast` as a whole key (`vast:`, `[clouds.vast]`, `<vast>`) -- not "IEEE VAST Challenge"."""
    if MARKER.search(label) is not None:
        return True
    last = re.split(r'[.:/\s]+', label.strip().strip('"\'{[ ').lower())[-1]
    return last.strip('"\'') == 'vast'


class Judged:
    """One candidate as the units see it: the text, its place, the file's facts, and what is
    worked out once and asked by several units (the slot it sits in, the file's document)."""

    def __init__(
            self, text: str, candidate: Candidate, facts: FileFacts, scope: FileScope,
    ) -> None:
        self.text = text
        self.candidate = candidate
        self.facts = facts
        self.scope = scope

    @property
    def vast(self) -> VastWords:
        return self.scope.vast

    @functools.cached_property
    def slot(self) -> Slot:
        return slot_before(self.text, self.candidate.start, self.candidate.line_start)

    @functools.cached_property
    def line(self) -> str:
        return self.text[self.candidate.line_start:self.candidate.line_end]


class FileScope:
    """What is worked out once per text, on first use: the Vast words, the document model,
    whether the text configures a Vast client anywhere (file-scope evidence)."""

    def __init__(self, text: str, facts: FileFacts) -> None:
        self.text = text
        self.facts = facts
        self.vast = VastWords(text)
        self._document: Document | None = None
        self._built = False
        self._client: str | None | bool = False

    def document(self) -> Document | None:
        """The file's structure, or None when it has none we read (or is too big)."""
        if not self._built:
            from vastai_guard.detect.document.model import build

            self._document = build(self.text, self.facts.path)
            self._built = True
        return self._document

    def client(self) -> str | None:
        """What in the file configures a Vast client, at any distance, or None."""
        if self._client is False:
            from vastai_guard.detect.units.evidence import vast_client

            self._client = vast_client(self.text, self.facts, self.vast)
        assert self._client is not True
        return self._client


def lines_near(text: str, start: int, lines: int) -> list[tuple[int, str]]:
    """(start, line) of up to `lines` whole lines above and below the line at `start`."""
    first, last = lines_around(text, start, line_end(text, start), lines)
    found: list[tuple[int, str]] = []
    position = first
    while position <= last and position < len(text):
        end = line_end(text, position)
        if position != start:
            found.append((position, text[position:end]))
        position = end + 1
    return found
