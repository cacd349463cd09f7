"""Bytes from a file or blob to text the detector can read, or None for what is not text."""
from __future__ import annotations

import codecs

from vastai_guard.detect import has_trigger
from vastai_guard.detect import may_hold_key

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


def _utf16_without_bom(data: bytes) -> str | None:
    encoding = _utf16_lattice(data[:BINARY_SNIFF]) if len(data) % 2 == 0 else None
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def encoding_of(head: bytes) -> str | None:
    """The encoding of a file that starts with `head` (its first 8000 bytes or more), or None
    for a binary file: what text_to_scan decides, for files read in chunks (bigfile)."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b'\0' in head[:BINARY_SNIFF]:
        return _utf16_lattice(head[:BINARY_SNIFF])
    return 'utf-8'


def text_to_scan(path: str, data: bytes) -> str | None:
    """The text worth scanning in `data`, or None when no rule could match it.

    UTF-16/32 files (PowerShell scripts saved on Windows) carry NULs, so their BOM, or the NUL
    lattice of BOM-less UTF-16, is checked before the binary test. Other text is read as
    UTF-8, invalid bytes replaced: keys are ASCII, so a Latin-1 file loses nothing that matters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    if b'\0' in data[:BINARY_SNIFF]:
        return _utf16_without_bom(data)
    if not says_enough(path, data):
        return None
    return data.decode('utf-8', 'replace')


def says_enough(path: str, data: bytes) -> bool:
    """The literal prefilter, before any decoding: the file's name or its (UTF-8 or binary)
    bytes say what every rule needs. UTF-16/32 text is tested decoded, by text_to_scan."""
    return may_hold_key(path) or has_trigger(data)
