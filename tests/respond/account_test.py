"""What the API says about keys and accounts, made fit for a report."""
from __future__ import annotations

import json

import pytest

from vastai_guard.respond import account


@pytest.mark.parametrize(
    ('rights', 'expected'),
    (
        pytest.param(None, ('full', ()), id='none'),
        pytest.param('', ('full', ()), id='empty-string'),
        pytest.param({}, ('full', ()), id='empty-object'),
        pytest.param({'api': {}}, ('full', ()), id='empty-api'),
        pytest.param({'api': dict.fromkeys(account.CATEGORIES, {})}, ('full', ()), id='every'),
        pytest.param(
            {'api': {'instance_read': {}, 'user_read': {}}},
            ('scoped', ('instance_read', 'user_read')), id='scoped',
        ),
        pytest.param(
            json.dumps({'api': {'billing_write': {}}}), ('scoped', ('billing_write',)),
            id='json-string',
        ),
        pytest.param(['misc'], ('scoped', ('misc',)), id='list'),
        pytest.param('{not json', ('unknown', ()), id='bad-json'),
        pytest.param(42, ('unknown', ()), id='number'),
        pytest.param({'api': ['x']}, ('unknown', ()), id='api-not-an-object'),
        pytest.param(
            {'api': {'instance_read': {}, '\x1b[31mx': {}}}, ('scoped', ('instance_read',)),
            id='hostile-name-dropped',
        ),
    ),
)
def test_access_of(rights: object, expected: tuple[str, tuple[str, ...]]) -> None:
    assert account.access_of(rights) == expected


@pytest.mark.parametrize(
    ('email', 'shown'),
    (
        ('owner@example.invalid', 'o***@example.invalid'),
        ('a.b@c@example.net', 'a***@example.net'),
        ('no-at-sign', ''),
        (None, ''),
    ),
)
def test_redact_email(email: object, shown: str) -> None:
    assert account.redact_email(email) == shown


@pytest.mark.parametrize(
    ('value', 'expected'),
    ((12.5, 12.5), (3, 3.0), (True, None), ('12', None), (float('nan'), None), (None, None)),
)
def test_number(value: object, expected: float | None) -> None:
    assert account.number(value) == expected


@pytest.mark.parametrize(
    ('value', 'expected'),
    ((101, '101'), ('101', '101'), ('../x', ''), (True, ''), (1.5, ''), ('9' * 21, '')),
)
def test_identifier(value: object, expected: str) -> None:
    """An id goes into a request path: only digits ever do."""
    assert account.identifier(value) == expected
