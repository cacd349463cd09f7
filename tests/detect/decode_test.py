"""decode: what is text (decoded as far as it decodes) and what is binary (skipped, counted)."""
from __future__ import annotations

import codecs

import pytest

from testing.util import new_key
from vastai_guard.detect.decode import encoding_of
from vastai_guard.detect.decode import is_binary
from vastai_guard.detect.decode import judged_on_bytes
from vastai_guard.detect.decode import text_to_scan

LINE = '$env:VAST_API_KEY = "{key}"\n'


@pytest.mark.parametrize(
    ('shape', 'encode', 'encoding'),
    (
        pytest.param(
            'utf-16 BOM, odd trailing byte',
            lambda text: codecs.BOM_UTF16_LE + text.encode('utf-16-le') + b'x', 'utf-16',
        ),
        pytest.param(
            'utf-16 BOM, lone surrogate',
            lambda text: codecs.BOM_UTF16_LE + text.encode('utf-16-le') + b'\x00\xd8ab',
            'utf-16',
        ),
        pytest.param(
            'utf-32 BOM, invalid code point',
            lambda text: codecs.BOM_UTF32_LE + text.encode('utf-32-le') + b'\xff\xff\xff\xff',
            'utf-32',
        ),
        pytest.param('utf-32-le, no BOM', lambda text: text.encode('utf-32-le'), 'utf-32-le'),
        pytest.param('utf-32-be, no BOM', lambda text: text.encode('utf-32-be'), 'utf-32-be'),
        pytest.param(
            'utf-16-be, no BOM, odd length', lambda text: text.encode('utf-16-be') + b'\x00',
            'utf-16-be',
        ),
        pytest.param(
            'utf-8 with a stray NUL', lambda text: b'log start\x00\n' + text.encode(), 'utf-8',
        ),
    ),
)
def test_text_is_decoded_as_far_as_it_decodes(
        shape: str, encode: object, encoding: str,
) -> None:
    key = new_key()
    data = encode(LINE.format(key=key))  # type: ignore[operator]
    assert encoding_of(data) == encoding
    assert not is_binary(data)
    text = text_to_scan('a.ps1', data)
    assert text is not None and key in text
    # the prefilter reads raw bytes only where the text is UTF-8
    assert judged_on_bytes(data) == (encoding == 'utf-8')


@pytest.mark.parametrize(
    'data',
    (
        pytest.param(b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(range(256)) * 4, id='png'),
        pytest.param(b'PK\x03\x04\x14\x00\x00\x00\x08\x00' + bytes(range(255, -1, -1)) * 8,
                     id='zip'),
        pytest.param(b'\x7fELF\x02\x01\x01\x00' + b'\x00' * 64 + bytes(range(256)), id='elf'),
    ),
)
def test_real_binaries_are_binary(data: bytes) -> None:
    assert is_binary(data)
    assert encoding_of(data) is None
    assert text_to_scan('logo.png', data + b'VAST_API_KEY=' + new_key().encode()) is None


def test_plain_utf8_is_judged_on_its_bytes() -> None:
    data = f'VAST_API_KEY={new_key()}\n'.encode()
    assert encoding_of(data) == 'utf-8' and judged_on_bytes(data) and not is_binary(data)
