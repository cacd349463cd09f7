"""What encloses a line: its parent keys, section, heading or block, read upwards from it.

    vast:                       [vast]                  "VastAi": {
      api_key: KEY              api_key = KEY             "ApiKey": "KEY"

    ## Vast.ai                  provider "vastai" {     - name: VAST_API_KEY
    API key: `KEY`                api_key = "KEY"         value: KEY

Indentation, INI/TOML section headers, Markdown headings and the `name:` beside a `value:` say
what a generic `api_key` belongs to. The walk is bounded (WALK_LINES lines, WALK_BYTES bytes), so
it costs the same whatever the file: a key whose section header is further away than that is
judged without it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

WALK_LINES = 40
WALK_BYTES = 4096
# How far above a `value:` its `name:` may be (Kubernetes env lists, XML-ish pairs).
SIBLING_LINES = 3

# The label of a line that opens something: `key:` / `key =` / `"key": {` / `[section]` /
# `provider "vastai" {` / `<element>`; the words before the opening, quotes dropped.
_OPENER = re.compile(r'''[-\s]*(?:<(?P<tag>[\w.:-]{1,80})|(?P<label>[^:={(\[<]{1,120}))''')
_SECTION = re.compile(r'\[{1,2}(?P<label>[^\]\n]{1,120})\]{1,2}')
_HEADING = re.compile(r'#{1,6}[ \t]+(?P<label>.{1,120})')
_SIBLING_NAME = re.compile(
    r'''[-\s]*["']?(?:name|key|id)["']?[ \t]*[:=][ \t]*["']?(?P<name>[\w.:-]{1,100})''',
)
_MARKDOWN_SUFFIXES = ('.md', '.markdown', '.mdx', '.rst', '.txt')


class Enclosing(NamedTuple):
    kind: str  # 'section', 'heading', 'parent'
    label: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(' \t'))


def is_markdown(path: str) -> bool:
    return path.lower().endswith(_MARKDOWN_SUFFIXES)


def lines_above(text: str, line_start: int, limit: int) -> Iterator[tuple[int, str]]:
    """(start, line) of up to `limit` lines above the one at `line_start`, nearest first."""
    floor = max(0, line_start - WALK_BYTES)
    end = line_start - 1
    for _ in range(limit):
        if end < floor:
            return
        start = text.rfind('\n', floor, end) + 1
        if start == 0 and floor > 0:
            return  # the line goes on above the walk's reach: not a whole line
        yield start, text[start:end].rstrip('\r')
        end = start - 1


def _line_at(text: str, line_start: int) -> str:
    end = text.find('\n', line_start, line_start + WALK_BYTES)
    return text[line_start:end if end != -1 else line_start + WALK_BYTES]


def enclosing(text: str, line_start: int, *, markdown: bool) -> list[Enclosing]:
    """The labels of what encloses the line at `line_start`, nearest first."""
    indent = _indent(_line_at(text, line_start))
    found: list[Enclosing] = []
    for _, line in lines_above(text, line_start, WALK_LINES):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith('#'):
            heading = _HEADING.match(stripped) if markdown else None
            if heading is not None:
                found.append(Enclosing('heading', heading['label']))
                break
            continue  # a comment
        if stripped.startswith(('//', ';', '--', '/*', '*')) and not markdown:
            continue
        line_indent = _indent(line)
        if line_indent == 0 and (section := _SECTION.match(stripped)) is not None:
            found.append(Enclosing('section', section['label']))
            break
        if line_indent < indent:
            opener = _OPENER.match(stripped)
            if opener is not None:
                found.append(Enclosing('parent', opener['tag'] or opener['label']))
            indent = line_indent
            if indent == 0:
                break
    return found


def sibling_name(text: str, line_start: int) -> str | None:
    """The `name:` (or `key=`, `id:`) a `value:` line belongs to, from the lines just above."""
    indent = _indent(_line_at(text, line_start))
    for _, line in lines_above(text, line_start, SIBLING_LINES):
        if not line.strip():
            continue
        if _indent(line) > indent:
            continue
        match = _SIBLING_NAME.match(line)
        if match is not None:
            return match['name']
        if _indent(line) < indent:
            return None
    return None
