"""Files too big to hold in memory, judged in overlapping chunks: the same answer, bounded memory.

The detector never looks further than OVERLAP characters from a candidate (every window is
bounded: detector.LINE_REACH, structure.WALK_BYTES, a few lines either side), so a candidate judged
inside a chunk that reaches OVERLAP characters beyond it on both sides gets the verdict it would
get in the whole text. What the detector takes from the whole file (the trigger words, an SDK
import anywhere, file-scope evidence: a call to the Vast API, the CLI run with a key) is read in
a first pass over the file, then the chunks are judged. A file this big has no document model
(document.model.MAX_BYTES): its chunks are judged by windows, as the whole text would be.

Nothing is skipped for its size: a scan costs time in proportion to the file, never more.
"""
from __future__ import annotations

import codecs
from collections.abc import Callable
from collections.abc import Iterator
from typing import BinaryIO

from vastai_guard.detect import detector
from vastai_guard.detect.context import FileFacts
from vastai_guard.findings import Match

CHUNK = 8 << 20
# More than any window reaches: 2 x 6 lines of at most LINE_REACH, a structure walk, a command
# continued over 8 lines.
OVERLAP = 64 << 10
_READ = 1 << 20


def _texts(file: BinaryIO, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)('replace')
    file.seek(0)
    while data := file.read(_READ):
        yield decoder.decode(data)
    yield decoder.decode(b'', final=True)


def _whole_file_facts(file: BinaryIO, encoding: str, path: str) -> FileFacts | None:
    """The file's facts, or None when no rule could match anything in it (first pass)."""
    from vastai_guard.detect.units.evidence import ClientSigns
    from vastai_guard.detect.units.evidence import client_signs

    tail = ''
    trigger = detector.name_is_context(path)
    sdk = False
    signs = ClientSigns(None, set_key=False, cli=False)
    for text in _texts(file, encoding):
        # a word split between two reads is seen whole: keep the end of the previous read
        joined = tail + text
        trigger = trigger or detector.has_trigger_text(joined)
        sdk = sdk or detector.has_sdk_import(joined)
        # file-scope evidence reaches across chunks: worked out here, over the whole file
        signs = signs.merged(client_signs(joined))
        tail = joined[-64:]
    if not trigger:
        return None
    return detector.file_facts(path, '')._replace(
        sdk=sdk, client_known=True, client=signs.says(sdk))


def _chunks(file: BinaryIO, encoding: str) -> Iterator[tuple[int, str]]:
    """(offset of the chunk in the text, chunk) with OVERLAP characters shared each side."""
    buffer, start = '', 0
    for text in _texts(file, encoding):
        buffer += text
        while len(buffer) >= CHUNK + 2 * OVERLAP:
            yield start, buffer[:CHUNK + 2 * OVERLAP]
            buffer = buffer[CHUNK:]
            start += CHUNK
    yield start, buffer


def find_secrets_in_file(file: BinaryIO, path: str, encoding: str = 'utf-8') -> list[Match]:
    """find_secrets over a seekable binary file of any size, read twice, CHUNK at a time."""
    facts = _whole_file_facts(file, encoding, path)
    if facts is None:
        return []
    matches: list[Match] = []
    seen: set[tuple[int, str]] = set()
    line, counted_to = 1, 0  # newlines counted up to this offset of the text
    previous_chunk_end = 0
    for start, chunk in _chunks(file, encoding):
        # this chunk owns the candidates from where the previous one's owned part ended to
        # OVERLAP before its own end (the last chunk owns everything to the end)
        own_from = previous_chunk_end - start
        own_to = len(chunk) - OVERLAP if len(chunk) == CHUNK + 2 * OVERLAP else len(chunk)
        for hit in detector.hits(chunk, facts):
            if not own_from <= hit.offset < own_to:
                continue
            line += chunk.count('\n', counted_to - start, hit.offset)
            counted_to = start + hit.offset
            if (line, hit.secret) not in seen:
                seen.add((line, hit.secret))
                matches.append(Match(hit.rule, line, hit.secret, hit.context))
        # newlines in the owned part that no hit counted yet
        line += chunk.count('\n', counted_to - start, own_to)
        counted_to = start + own_to
        previous_chunk_end = start + own_to
    return matches


def find_secrets_in_blob(copy: Callable[[BinaryIO], bool], path: str) -> list[Match] | None:
    """find_secrets over a blob too big to hold: `copy` writes it into a temporary file on
    disk, which is read in chunks. None when the blob could not be read; [] for a binary one."""
    import tempfile

    with tempfile.TemporaryFile() as spool:
        if not copy(spool):
            return None
        return find_secrets_in_open_file(spool, path) or []


def find_secrets_in_open_file(file: BinaryIO, path: str) -> list[Match] | None:
    """find_secrets_in_file in the encoding the file's start says; None for a binary file."""
    from vastai_guard.detect.decode import encoding_of

    file.seek(0)
    encoding = encoding_of(file.read(1 << 16))
    if encoding is None:
        return None
    return find_secrets_in_file(file, path, encoding)
