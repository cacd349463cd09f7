"""Bytes to text the detector reads: decode.text_to_scan on UTF-8, UTF-16/32, binary."""
from __future__ import annotations

import codecs

import pytest

from testing.util import new_key
from vastai_guard.detect.decode import encoding_of
from vastai_guard.detect.decode import is_binary
from vastai_guard.detect.decode import judged_on_bytes
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


def test_odd_length_bomless_utf16_is_decoded_as_far_as_it_goes() -> None:
    # decode what can be decoded: a stray trailing byte does not hide the key before it
    key = new_key()
    data = _env(key).encode('utf-16-le') + b'x'
    text = text_to_scan('script.ps1', data)
    assert text is not None and key in text


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
