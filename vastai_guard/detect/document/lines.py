"""Line-scanned documents: Markdown (headings, fenced blocks, tables), INI/TOML sections, HCL
blocks and maps. One pass over the lines, a bounded stack, no backtracking: linear by
construction. Each returns the stretches of text whose values have a Vast.ai context.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from vastai_guard.detect import names
from vastai_guard.detect.context import says_vast_ai
from vastai_guard.detect.document import paths
from vastai_guard.detect.document.model import Document
from vastai_guard.detect.document.model import Span

_HEADING = re.compile(r'[ ]{0,3}(#{1,6})[ \t]+(?P<label>[^\n]{1,120}?)[ \t#]*$')
_FENCE = re.compile(r'[ ]{0,3}(```|~~~)')
_TABLE_RULE = re.compile(r'[ \t]*\|?[ \t]*:?-{3,}')
_SECTION = re.compile(r'[ \t]*\[{1,2}(?P<label>[^\]\n]{1,120})\]{1,2}[ \t]*(?:[#;].*)?$')
_ASSIGNED = re.compile(r'''[ \t]*["']?(?P<name>[\w.:-]{1,100})["']?[ \t]*[=:]''')
_BLOCK = re.compile(
    r'''[ \t]*(?P<head>[\w.-]{1,80}(?:[ \t]+"[^"\n]{0,100}")*)[ \t]*=?[ \t]*\{[ \t]*$''',
)
_MAX_STACK = 64


def _lines(text: str) -> Iterator[tuple[int, str]]:
    position = 0
    while position < len(text):
        end = text.find('\n', position)
        end = len(text) if end == -1 else end
        yield position, text[position:end].rstrip('\r')
        position = end + 1


def _names_vast_credential(label: str) -> bool:
    return says_vast_ai(label) and names.is_secret_slot(label) and not names.is_excluded(label)


def markdown_document(text: str) -> Document:
    spans: list[Span] = []
    heading = ''
    fenced = False
    header: list[str] | None = None
    previous = ''
    for start, line in _lines(text):
        if _FENCE.match(line):
            fenced = not fenced
            previous = line
            continue
        if not fenced and (match := _HEADING.match(line)) is not None:
            heading, header = match['label'], None
        elif line.strip(' \t`"\'').isalnum():
            # a key alone on its line (fenced or not): lines that say more are the windows'
            # to judge, with the heading as their enclosing context
            if _names_vast_credential(heading):
                where = 'fenced block' if fenced else 'line'
                spans.append(Span(start, start + len(line) + 1,
                                  f'heading {names.label(heading)} / {where}'))
        elif line.lstrip().startswith('|') or line.count('|') >= 2:
            if _TABLE_RULE.match(line) and previous.count('|') >= 1:
                header = _cells(previous)
            elif header is not None:
                spans.extend(_table_row(start, line, header))
        else:
            header = None
        previous = line
    return Document(spans, {})


def _cells(line: str) -> list[str]:
    return [cell.strip(' \t`*') for cell in line.strip().strip('|').split('|')]


def _table_row(start: int, line: str, header: list[str]) -> Iterator[Span]:
    """The cells of a Markdown row that names Vast.ai (`| Vast.ai | API key | KEY |`)."""
    inner = line.strip()
    offset = line.find(inner) + (1 if inner.startswith('|') else 0)
    yield from _row_spans(start + offset, inner.strip('|'), '|', header)


def _row_spans(start: int, row: str, separator: str, header: list[str]) -> Iterator[Span]:
    """The cells of a table row that names Vast.ai, under a column that names a credential
    (or in a row where another cell does), as spans of the text starting at `start`."""
    cells = row.split(separator)
    labels = [cell.strip(' \t`*"') for cell in cells]
    vendor = next((label for label in labels if says_vast_ai(label)), None)
    if vendor is None:
        return
    row_secret = any(names.is_secret_slot(label) for label in labels if label != vendor)
    offset = 0
    for column, cell in enumerate(cells):
        title = header[column] if column < len(header) else ''
        cell_start, offset = offset, offset + len(cell) + len(separator)
        if names.is_excluded(title) or not (names.is_secret_slot(title) or row_secret):
            continue
        yield Span(start + cell_start, start + cell_start + len(cell),
                   f'table row {names.label(vendor)} / column {names.label(title or "?")}')


_CSV_SEPARATORS = (',', ';', '\t')


def csv_document(text: str) -> Document:
    """CSV/TSV: the first line names the columns (`service,key,notes`)."""
    spans: list[Span] = []
    header: list[str] | None = None
    separator = ','
    for start, line in _lines(text):
        if header is None:
            separator = max(_CSV_SEPARATORS, key=line.count)
            header = [cell.strip(' \t"') for cell in line.split(separator)]
            continue
        spans.extend(_row_spans(start, line, separator, header))
    return Document(spans, {})


def _section_says_vast(label: str) -> bool:
    """`[Vast.ai]`, `[tool.vastai]`, `[vast.credentials]`, `[profile "vast"]`: a marker, or
    `vast` as one of the section's dotted parts."""
    parts = re.split(r'[.\s"\']+', label.lower())
    return says_vast_ai(label) or 'vast' in parts


def section_document(text: str) -> Document:
    """INI and TOML: `[section]` (or `[[array.of.tables]]`) then `name = value` lines, at any
    distance below it."""
    spans: list[Span] = []
    section = ''
    for start, line in _lines(text):
        if (match := _SECTION.match(line)) is not None:
            section = match['label']
            continue
        if not section or not _section_says_vast(section):
            continue
        assigned = _ASSIGNED.match(line)
        if assigned is None:
            continue
        steps = (section, assigned['name'])
        if paths.is_credential(steps) and paths.says_vast(steps):
            context = f'section [{names.label(section)}] / {names.label(assigned["name"])}'
            spans.append(Span(start, start + len(line) + 1, context))
    return Document(spans, {})


def hcl_document(text: str) -> Document:
    """HCL: blocks (`provider "vastai" {`, `locals {`) and maps (`api_keys = {`) on a stack;
    `name = "value"` inside them. A brace that opens and closes on one line is a value."""
    spans: list[Span] = []
    stack: list[str] = []
    for start, line in _lines(text):
        code = line.split('#', 1)[0].split('//', 1)[0]
        stripped = code.strip()
        if (block := _BLOCK.match(code)) is not None:
            if len(stack) < _MAX_STACK:
                stack.append(block['head'].replace('"', ''))
            continue
        if stripped.startswith('}'):
            if stack:
                stack.pop()
            continue
        assigned = _ASSIGNED.match(code)
        if assigned is None or not stack:
            continue
        steps = (*stack, assigned['name'])
        if paths.is_credential(steps) and paths.says_vast(steps):
            spans.append(Span(start, start + len(line) + 1, paths.label(steps)))
    return Document(spans, {})
