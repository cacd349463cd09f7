"""Bytes to text the detector reads: decode.text_to_scan on UTF-8, UTF-16/32, binary."""
from __future__ import annotations

import codecs

import pytest

from testing.util import new_key
from vastai_guard.detect.decode import encoding_of
from vastai_guard.detect.decode import text_to_scan


def _env(key: str) -> str:
    return f'VAST_API_KEY={key}\n'


def test_utf8_with_a_trigger_word() -> None:
    key = new_key()
    assert text_to_scan('app.env', _env(key).encode()) == _env(key)


def test_utf8_invalid_bytes_do_not_lose_the_key() -> None:
    key = new_key()
    data = b'caf\xe9 ' + _env(key).encode()  # Latin-1 text
    text = text_to_scan('notes.txt', data)
    assert text is not None
    assert key in text


def test_utf8_without_any_trigger_is_skipped() -> None:
    # the prefilter: no rule can match a file that never says "vast"
    assert text_to_scan('a.txt', f'API_KEY={new_key()}\n'.encode()) is None


def test_key_file_name_is_trigger_enough() -> None:
    key = new_key()
    assert text_to_scan('home/.vast_api_key', key.encode()) == key


def test_utf16_with_bom() -> None:
    key = new_key()
    for bom, codec in (
            (codecs.BOM_UTF16_LE, 'utf-16-le'), (codecs.BOM_UTF16_BE, 'utf-16-be'),
    ):
        data = bom + _env(key).encode(codec)
        text = text_to_scan('script.ps1', data)
        assert text is not None, codec
        assert key in text


def test_utf32_with_bom() -> None:
    key = new_key()
    data = codecs.BOM_UTF32_LE + _env(key).encode('utf-32-le')
    text = text_to_scan('script.ps1', data)
    assert text is not None
    assert key in text


@pytest.mark.parametrize('codec', ('utf-16-le', 'utf-16-be'))
def test_utf16_without_bom(codec: str) -> None:
    # Windows tools save UTF-16 without a BOM; its NULs must not make it "binary"
    key = new_key()
    data = _env(key).encode(codec)
    assert encoding_of(data) == codec
    text = text_to_scan('script.ps1', data)
    assert text is not None
    assert key in text


def test_utf8_bom_keeps_the_first_line() -> None:
    key = new_key()
    text = text_to_scan('a.env', codecs.BOM_UTF8 + _env(key).encode())
    assert text is not None
    assert text.lstrip('\ufeff') == _env(key)


def test_binary_is_not_text() -> None:
    data = b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR' + _env(new_key()).encode() + bytes(range(256))
    assert encoding_of(data) is None
    assert text_to_scan('image.png', data) is None


def test_odd_length_bomless_utf16_is_binary() -> None:
    data = _env(new_key()).encode('utf-16-le') + b'x'
    assert text_to_scan('script.ps1', data) is None
