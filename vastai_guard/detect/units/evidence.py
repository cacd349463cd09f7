"""What says that a generic key slot (`api_key`, `Bearer`, `token`) is a Vast.ai one.

Most specific first: the line, what encloses it, the SDK, a marker nearby, what the file does
as a whole (file-scope evidence: it calls a vast.ai host, imports the SDK or runs the CLI, at
any distance), and last the file's name. A file name adds weight; it never decides alone for a
slot whose name says it holds some other secret (`MASTER_PKEY`).
"""
from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect import structure
from vastai_guard.detect.context import FileFacts
from vastai_guard.detect.context import Judged
from vastai_guard.detect.context import VastWords
from vastai_guard.detect.context import lines_around
from vastai_guard.detect.context import marker
from vastai_guard.detect.context import says_vast_ai

_CLI_NAME = re.compile(r'(?i)(?<![\w-])vast(?:ai|\.py)\b')
_CLIENT_HOST = re.compile(rules.CLIENT_HOST)
_SECTION = re.compile(r'[ \t]*\[{1,2}(?P<label>[^\]\n]{1,120})\]{1,2}[ \t]*$')
_URL = re.compile(r'https?://(?P<host>[\w.-]{1,253})')


class ClientSigns(NamedTuple):
    """What in a text configures a Vast client; summed over the reads of a big file."""
    host: str | None  # a vast.ai API host the text calls
    set_key: bool  # `set api-key` somewhere
    cli: bool  # the CLI's name somewhere

    def merged(self, other: ClientSigns) -> ClientSigns:
        return ClientSigns(self.host or other.host, self.set_key or other.set_key,
                           self.cli or other.cli)

    def says(self, sdk: bool) -> str | None:
        if sdk:
            return 'sdk import'
        if self.host is not None:
            return f'file calls {self.host}'
        return 'file runs the vastai CLI' if self.set_key and self.cli else None


def client_signs(text: str) -> ClientSigns:
    host = _CLIENT_HOST.search(text)
    return ClientSigns(
        None if host is None else names.label(host.group(0).split('/', 1)[0]),
        any(words in text for words in rules.CLI_SET_KEY),
        _CLI_NAME.search(text) is not None,
    )


def vast_client(text: str, facts: FileFacts, vast: VastWords) -> str | None:
    """What configures a Vast client anywhere in the text: the SDK, a vast.ai API host, the CLI
    run with a key. One search each, over the whole text, once per file (a big file's first
    pass works it out over the whole file: FileFacts.client)."""
    if facts.client_known:
        return facts.client
    if facts.sdk:
        return 'sdk import'
    if not vast.between(0, len(text)):
        return None
    return client_signs(text).says(sdk=False)


def vast_evidence(case: Judged, *, generic_name: bool) -> str | None:
    """What says Vast.ai around a generic slot, or None. `generic_name`: the slot's name is a
    plain credential word (`api_key`, `token`), which a file name alone may decide for."""
    text, candidate, vast = case.text, case.candidate, case.vast
    found = marker(text, candidate.line_start, candidate.line_end, vast)
    if found is not None:
        return f'host {found}'
    # the structure walk is the costly part: only where something above says vast at all
    above = max(0, candidate.line_start - structure.WALK_BYTES)
    if vast.between(above, candidate.line_start):
        for enclosing in structure.enclosing(text, candidate.line_start,
                                             markdown=case.facts.markdown):
            if says_vast_ai(enclosing.label):
                return f'{enclosing.kind} {names.label(enclosing.label)}'
    if case.facts.sdk:
        return 'sdk import'
    window = lines_around(text, candidate.line_start, candidate.line_end, rules.MARKER_WINDOW)
    section = _section_above(text, candidate.line_start, window[0])
    if section is not None:
        # `[openai]` between a marker and the slot: what is above the section is not its context
        window = (section[0], window[1])
    found = marker(text, *window, vast)
    if found is not None:
        return f'host {found} nearby'
    client = case.scope.client()
    nearer = _names_another(text, window) or (
        section is not None and not names.words(section[1]) <= rules.GENERIC_SECTION_WORDS)
    if client is not None and generic_name and not nearer:
        return client
    if case.facts.name_says_vast and generic_name:
        return f'file {names.label(posixpath.basename(case.facts.path))}'
    return None


def _section_above(text: str, line_start: int, floor: int) -> tuple[int, str] | None:
    """(start, label) of the nearest `[section]` header above the line, not below `floor`,
    when it does not say Vast.ai."""
    for start, line in structure.lines_above(text, line_start, rules.MARKER_WINDOW):
        if start < floor:
            return None
        match = _SECTION.match(line)
        if match is not None:
            return None if says_vast_ai(match['label']) else (start, match['label'])
    return None


def _names_another(text: str, window: tuple[int, int]) -> bool:
    """A URL to some other host near the slot: the nearer context names another vendor."""
    found = _URL.search(text, *window)
    while found is not None:
        if not found['host'].lower().endswith('vast.ai') and 'vast' not in found['host'].lower():
            return True
        found = _URL.search(text, found.end(), window[1])
    return False


def is_generic(name: str) -> bool:
    """A plain credential name, naming no vendor and no other kind of secret: `api_key`,
    `API_TOKEN`, `Authorization`, `Bearer`, `--oauth2-bearer`, `apiKey`."""
    return bool(names.words(name)) and names.words(name) <= rules.GENERIC_SLOT_WORDS
