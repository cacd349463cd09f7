"""The value objects' helpers: fingerprints, redaction, shown paths, to_finding."""
from __future__ import annotations

import hashlib

import pytest

from testing.util import new_key
from testing.util import redacted
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import FINGERPRINT_PREFIX_SHAPE
from vastai_guard.findings import FINGERPRINT_SHAPE
from vastai_guard.findings import Match
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.findings import redact_runs
from vastai_guard.findings import shown_path
from vastai_guard.findings import to_finding


def test_fingerprint_is_sha256_of_the_exact_text() -> None:
    key = new_key()
    assert fingerprint(key) == hashlib.sha256(key.encode()).hexdigest()
    assert FINGERPRINT_SHAPE.fullmatch(fingerprint(key))
    # detect-secrets' baselines: SHA-1
    assert baseline_hash(key) == hashlib.sha1(key.encode()).hexdigest()


def test_redact_key() -> None:
    key = new_key()
    assert redact(key) == redacted(key)


def test_redact_short_secret_shows_nothing() -> None:
    # 4 + 4 characters of an 8-character secret would be all of it
    assert redact('hunter2hunter') == '*' * 13


def test_redact_runs_cuts_a_pasted_key() -> None:
    key = new_key()
    text = redact_runs(f'not a fingerprint: VAST_API_KEY={key}')
    assert key not in text
    assert redacted(key) in text
    # words without digits are kept readable
    assert redact_runs('unknown_fingerprint_value') == 'unknown_fingerprint_value'


def test_prefix_shape() -> None:
    print_ = fingerprint(new_key())
    assert FINGERPRINT_PREFIX_SHAPE.fullmatch(print_[:12])
    assert not FINGERPRINT_PREFIX_SHAPE.fullmatch(print_[:11])  # too short to be unique


@pytest.mark.parametrize(
    ('path', 'shown'),
    (
        ('a/b.env', 'a/b.env'),
        ('caf\u00e9/.env', 'caf\u00e9/.env'),  # UTF-8 names are shown as they are
        (b'bad\xff.env'.decode('utf-8', 'surrogateescape'), 'bad\\xff.env'),
    ),
)
def test_shown_path(path: str, shown: str) -> None:
    assert shown_path(path) == shown
    shown_path(path).encode('utf-8')  # always writable to a strict stream


def test_to_finding_carries_no_secret() -> None:
    key = new_key()
    finding = to_finding(Match(ASSIGNMENT, 3, key, 'name VAST_API_KEY'), 'x\udcff.env')
    assert key not in repr(finding)
    assert finding.fingerprint == fingerprint(key)
    assert finding.redacted == redacted(key)
    assert finding.hashed_secret == baseline_hash(key)
    assert (finding.line, finding.context) == (3, 'name VAST_API_KEY')
    assert finding.path == 'x\\xff.env'


@pytest.mark.parametrize(
    ('name', 'shown'),
    (
        ('src/app.py', 'src/app.py'),
        ('caf\u00e9.env', 'caf\u00e9.env'),
        ('\udcff.env', '\\xff.env'),
        ('evil\x1b[2J.env', 'evil\\x1b[2J.env'),
        ('invoice\u202egpj.exe', 'invoice\\u202egpj.exe'),
        ('a\nb\tc\x7f', 'a\\x0ab\\x09c\\x7f'),
        ('zero\u200bwidth \u2066isolate', 'zero\\u200bwidth \\u2066isolate'),
    ),
)
def test_names_are_escaped(name: str, shown: str) -> None:
    assert shown_path(name) == shown
    assert shown_path(shown) == shown  # idempotent: shown once or twice reads the same


def test_key_shaped_runs_are_redacted() -> None:
    key = new_key()
    shown = shown_path(f'keys/VAST_API_KEY={key}.txt')
    assert key not in shown
    assert shown == f'keys/VAST_API_KEY={redact(key)}.txt'
    assert shown_path(key.upper() + key) == redact(key.upper() + key)
    # padding is not a key; shorter hex (a commit id, a short fingerprint) is a plain name
    assert shown_path('a' * 200 + '.env') == 'a' * 200 + '.env'
    assert shown_path('build/0123456789abcdef0123456789abcdef01234567.o').endswith('567.o')
