"""Revoking with the key itself: find its id, delete it, prove the API now rejects it."""
from __future__ import annotations

import pytest

from testing.vastapi import CLIENT_TIMEOUT
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.errors import FatalError
from vastai_guard.respond import api
from vastai_guard.respond import revoke


def _client(vast_api: FakeVastApi) -> api.Client:
    return api.Client(api.check_api_url(vast_api.url), timeout=CLIENT_TIMEOUT, backoff=0.01)


def test_revoked_and_proven_dead(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    key_id = str(vast_api.key_id(key))

    outcome = revoke.revoke_key(_client(vast_api), key)

    assert outcome == revoke.Outcome('revoked', key_id)
    assert [(r.method, r.path) for r in vast_api.requests] == [
        ('GET', api.USER_PATH),
        ('DELETE', f'{api.API_KEYS_PATH}{key_id}/'),
        ('GET', api.USER_PATH),  # answered 401: the proof
    ]
    assert key in vast_api.deleted


def test_a_delete_that_did_not_take_is_still_active(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.undeletable.add(key)

    outcome = revoke.revoke_key(_client(vast_api), key)

    assert outcome.state == 'still-active'


def test_a_dead_key_is_left_alone(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'invalid')

    assert revoke.revoke_key(_client(vast_api), key) == revoke.Outcome('already-invalid', '')
    assert [r.method for r in vast_api.requests] == ['GET']


@pytest.mark.parametrize(
    ('path', 'misbehaviour', 'message', 'deletes'),
    (
        pytest.param(
            api.USER_PATH, '500',
            r'cannot revoke: users/current: unknown \(HTTP 500: server error\); nothing was '
            'deleted', 0, id='lookup-5xx',
        ),
        pytest.param(
            api.USER_PATH, 'bad-json', 'cannot revoke: users/current: unknown', 0,
            id='lookup-bad-json',
        ),
        pytest.param(
            api.USER_PATH, 'hang', 'cannot revoke: users/current: unknown \\(timed out', 0,
            id='lookup-timeout',
        ),
        pytest.param(
            'DELETE', '429', r'revoking failed: DELETE auth/apikeys/\d+/: unknown \(HTTP 429', 3,
            id='delete-429',
        ),
        pytest.param(
            'DELETE', 'redirect', 'redirect not followed.*the key may still work', 1,
            id='delete-redirect',
        ),
    ),
)
def test_api_errors_are_fatal_with_the_step(
        vast_api: FakeVastApi, path: str, misbehaviour: str, message: str, deletes: int,
) -> None:
    [key] = api_keys(vast_api, 'active')
    target = f'{api.API_KEYS_PATH}{vast_api.key_id(key)}/' if path == 'DELETE' else path
    vast_api.misbehaviours[target] = misbehaviour

    with pytest.raises(FatalError, match=message):
        revoke.revoke_key(_client(vast_api), key)

    assert sum(r.method == 'DELETE' for r in vast_api.requests) == deletes
    assert key not in vast_api.deleted


def test_a_scoped_key_that_cannot_delete(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.denied[key] = {f'{api.API_KEYS_PATH}{vast_api.key_id(key)}/'}

    with pytest.raises(FatalError, match='HTTP 403: forbidden'):
        revoke.revoke_key(_client(vast_api), key)


def test_the_ledger_note_names_the_key_id() -> None:
    note = revoke.LEDGER_NOTE.format(key_id='101')
    assert revoke.LEDGER_NOTE_KEY_ID.findall(note) == ['101']


def test_a_secret_not_shaped_like_a_key_is_never_sent(vast_api: FakeVastApi) -> None:
    with pytest.raises(FatalError, match='not shaped like a Vast.ai API key'):
        revoke.revoke_key(_client(vast_api), 'A1' + 'x' * 40)
    assert vast_api.requests == []
