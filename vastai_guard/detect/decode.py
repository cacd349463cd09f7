"""Bytes from a file or blob to text the detector can read, or None for what is not text."""
from __future__ import annotations

import codecs

from vastai_guard.detect.detector import has_trigger
from vastai_guard.detect.detector import name_is_context

# git's own test for binary content: a NUL byte in the first 8000 bytes.
BINARY_SNIFF = 8000

_BOMS = (
    (codecs.BOM_UTF32_LE, 'utf-32'),
    (codecs.BOM_UTF32_BE, 'utf-32'),
    (codecs.BOM_UTF16_LE, 'utf-16'),
    (codecs.BOM_UTF16_BE, 'utf-16'),
)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)


def judged_on_bytes(data: bytes) -> bool:
    """Whether the prefilters may read `data` as it is (encoding_of says 'utf-8'): no UTF-16/32
    byte-order mark, and no NUL where git looks for one or a NUL in text that is not UTF-16/32
    nor binary. UTF-16/32 text is only ever tested decoded (text_to_scan). `find`, not a slice:
    no copy of the head of the common file without NUL."""
    if data.startswith(_BOM_PREFIXES):
        return False
    return data.find(b'\0', 0, BINARY_SNIFF) < 0 or _with_nul(data[:BINARY_SNIFF]) == 'utf-8'


def _lattice(sample: bytes, width: int) -> str | None:
    """'utf-16-le'/'utf-16-be' (`width` 2) or 'utf-32-le'/'utf-32-be' (`width` 4) for text
    saved without a byte-order mark (Windows tools do), or None.

    ASCII text in UTF-16 has a NUL in every other byte (the odd ones for little-endian, the even
    ones for big-endian); in UTF-32, three NULs in every four bytes. Real binary files have
    NULs scattered, not in such a lattice.
    """
    if len(sample) < 2 * width:
        return None
    for endian, text_at in (('le', 0), ('be', width - 1)):
        columns = [sample[i::width] for i in range(width)]
        text_bytes = columns.pop(text_at)
        if all(c.count(0) * 10 >= len(c) * 9 for c in columns) and (
                text_bytes.count(0) * 10 < len(text_bytes)
        ):
            return f'utf-{8 * width}-{endian}'
    return None


# Bytes that no text file holds: controls other than tab, newlines, form feed, backspace, ESC
_NOT_TEXT = bytes((*range(0, 8), *range(14, 27), *range(28, 32), 127))


def _looks_binary(sample: bytes) -> bool:
    """A file with NULs that is no text: more than one byte in eight a control byte or not
    UTF-8 (a PNG, an archive, compiled code). A text file with a stray NUL (a log, a file
    a tool wrote a NUL into) is text: one NUL does not make it binary."""
    controls = len(sample) - len(sample.translate(None, _NOT_TEXT))
    not_utf8 = sample.decode('utf-8', 'replace').count('\ufffd')
    return (controls + not_utf8) * 8 > len(sample)


def _with_nul(sample: bytes) -> str | None:
    """The encoding of a head without a byte-order mark that holds a NUL, or None (binary)."""
    encoding = _lattice(sample, 4) or _lattice(sample, 2)
    if encoding is not None:
        return encoding
    return None if _looks_binary(sample) else 'utf-8'


def encoding_of(head: bytes) -> str | None:
    """The encoding of a file that starts with `head` (its first 8000 bytes or more), or None
    for a binary file. UTF-16/32 files (PowerShell scripts saved on Windows) carry NULs, so
    their BOM, or the NUL lattice of BOM-less UTF-16/32, is checked before the binary test."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if head.find(b'\0', 0, BINARY_SNIFF) < 0:
        return 'utf-8'
    return _with_nul(head[:BINARY_SNIFF])


def is_binary(data: bytes) -> bool:
    """Not text in any encoding vastai-guard reads: skipped, and counted in the summary."""
    return encoding_of(data) is None


def text_to_scan(path: str, data: bytes) -> str | None:
    """The text worth scanning in `data`, or None when no rule could match it.

    Decoded as far as it decodes: UTF-8 text is read with invalid bytes replaced (keys are
    ASCII, so a Latin-1 file loses nothing that matters); UTF-16/32 text with an odd trailing
    byte or a lone surrogate has those replaced too, so a broken byte cannot hide a whole file.
    Only binary files (is_binary) give None for their encoding.
    """
    encoding = encoding_of(data)
    if encoding is None:
        return None
    if encoding == 'utf-8':
        return data.decode('utf-8', 'replace') if says_enough(path, data) else None
    return data.decode(encoding, 'replace')


def says_enough(path: str, data: bytes, *, bulk: bool = False) -> bool:
    """The literal prefilter, before any decoding: the file's name or its (UTF-8 or binary)
    bytes say what every rule needs. UTF-16/32 text is tested decoded, by text_to_scan.
    `bulk`: see detect.has_trigger."""
    return name_is_context(path) or has_trigger(data, bulk=bulk)
