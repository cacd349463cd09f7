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


def has_bom(data: bytes) -> bool:
    """UTF-16/32 text: decoded by text_to_scan, never judged on its raw bytes."""
    return data.startswith(_BOM_PREFIXES)


def judged_on_bytes(data: bytes) -> bool:
    """Whether the prefilters may read `data` as it is (encoding_of says 'utf-8'): no UTF-16/32
    byte-order mark and no NUL where git looks for one. UTF-16/32 text is only ever tested
    decoded (text_to_scan). `find`, not a slice: no copy of the head."""
    return not data.startswith(_BOM_PREFIXES) and data.find(b'\0', 0, BINARY_SNIFF) < 0


def _utf16_lattice(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text saved without a byte-order mark (Windows
    tools do), or None.

    ASCII text in UTF-16 has a NUL in every other byte: the odd ones for little-endian, the even
    ones for big-endian. Real binary files have NULs scattered, not in such a lattice.
    """
    if len(sample) < 4:
        return None
    for encoding, nuls, text_bytes in (
            ('utf-16-le', sample[1::2], sample[0::2]),
            ('utf-16-be', sample[0::2], sample[1::2]),
    ):
        if nuls.count(0) * 10 >= len(nuls) * 9 and text_bytes.count(0) * 10 < len(text_bytes):
            return encoding
    return None


def encoding_of(head: bytes) -> str | None:
    """The encoding of a file that starts with `head` (its first 8000 bytes or more), or None
    for a binary file. UTF-16/32 files (PowerShell scripts saved on Windows) carry NULs, so
    their BOM, or the NUL lattice of BOM-less UTF-16, is checked before the binary test."""
    if judged_on_bytes(head):
        return 'utf-8'
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return _utf16_lattice(head[:BINARY_SNIFF])  # NULs, no byte-order mark


def text_to_scan(path: str, data: bytes) -> str | None:
    """The text worth scanning in `data`, or None when no rule could match it.

    UTF-8 text is read with invalid bytes replaced: keys are ASCII, so a Latin-1 file loses
    nothing that matters. UTF-16/32 text must decode whole (and BOM-less UTF-16 have an even
    length): anything else with NULs is binary.
    """
    encoding = encoding_of(data)
    if encoding is None:
        return None
    if encoding == 'utf-8':
        return data.decode('utf-8', 'replace') if says_enough(path, data) else None
    if not has_bom(data) and len(data) % 2:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def says_enough(path: str, data: bytes, *, bulk: bool = False) -> bool:
    """The literal prefilter, before any decoding: the file's name or its (UTF-8 or binary)
    bytes say what every rule needs. UTF-16/32 text is tested decoded, by text_to_scan.
    `bulk`: see detect.has_trigger."""
    return name_is_context(path) or has_trigger(data, bulk=bulk)
