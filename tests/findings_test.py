"""findings.shown_path: the one way a name from a repository is printed."""
from __future__ import annotations

import pytest

from testing.util import new_key
from vastai_guard.findings import redact
from vastai_guard.findings import shown_path


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
