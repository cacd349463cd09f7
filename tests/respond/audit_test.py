"""`audit`: the user's own key, and the account's keys against least privilege and age."""
from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from testing.util import new_key
from testing.vastapi import CLIENT_TIMEOUT
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.errors import FatalError
from vastai_guard.findings import Rotation
from vastai_guard.model import AuditedKey
from vastai_guard.respond import api
from vastai_guard.respond import audit
from vastai_guard.respond.revoke import LEDGER_NOTE

TODAY = datetime.date(2026, 12, 4)
RECENT = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc).timestamp()


def _client(vast_api: FakeVastApi) -> api.Client:
    return api.Client(api.check_api_url(vast_api.url), timeout=CLIENT_TIMEOUT, backoff=0.01)


def test_the_key_from_the_environment_first(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / '.vast_api_key').write_text(new_key())

    assert audit.own_key({'VAST_API_KEY': f'{key}\n'}, str(tmp_path)) == (key, 'VAST_API_KEY')


@pytest.mark.parametrize('xdg', (True, False))
def test_then_the_cli_key_file(tmp_path: Path, xdg: bool) -> None:
    key = new_key()
    config = tmp_path / ('xdg' if xdg else '.config')
    (config / 'vastai').mkdir(parents=True)
    (config / 'vastai' / 'vast_api_key').write_text(key)  # the CLI writes no newline
    (tmp_path / '.vast_api_key').write_text(new_key())
    env = {'XDG_CONFIG_HOME': str(config)} if xdg else {}

    assert audit.own_key(env, str(tmp_path)) == (key, str(config / 'vastai' / 'vast_api_key'))


def test_then_the_legacy_file(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / '.vast_api_key').write_text(f'{key}\n')

    assert audit.own_key({}, str(tmp_path))[0] == key


def test_no_key_anywhere(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match='no Vast.ai API key to audit with'):
        audit.own_key({}, str(tmp_path))


def test_a_file_that_holds_no_key(tmp_path: Path) -> None:
    (tmp_path / '.vast_api_key').write_text('two words\n')

    with pytest.raises(FatalError, match='does not hold an API key'):
        audit.own_key({}, str(tmp_path))


def test_problems(vast_api: FakeVastApi) -> None:
    mine, ci, gone = api_keys(vast_api, 'active', 'active', 'active')
    vast_api.created[mine] = RECENT
    vast_api.names[ci] = 'ci'
    vast_api.rights[ci] = {'api': {'instance_read': {}}}
    vast_api.created[ci] = RECENT
    vast_api.rights[gone] = {'api': {'instance_read': {}}}  # old (2024-01-01)
    vast_api.other_keys.append({'id': 999, 'name': 'soft-deleted', 'deleted_at': 1.0})
    ledger = [Rotation('0' * 64, '2026-11-01', LEDGER_NOTE.format(key_id=vast_api.key_id(gone)))]

    report = audit.audit(_client(vast_api), mine, max_age_days=90, rotated=ledger, today=TODAY)

    assert report.own_key_id == str(vast_api.key_id(mine))
    assert report.keys == (
        AuditedKey(str(vast_api.key_id(mine)), f'key {vast_api.key_id(mine)}', 'full', (),
                   '2026-11-20', 14, ('full-access',)),
        AuditedKey(str(vast_api.key_id(ci)), 'ci', 'scoped', ('instance_read',),
                   '2026-11-20', 14, ()),
        AuditedKey(str(vast_api.key_id(gone)), f'key {vast_api.key_id(gone)}', 'scoped',
                   ('instance_read',), '2024-01-01', 1068,
                   ('older-than-90-days', 'rotated-but-exists')),
    )


def test_a_list_that_carries_keys_is_matched_by_fingerprint(vast_api: FakeVastApi) -> None:
    from vastai_guard.findings import fingerprint

    [mine] = api_keys(vast_api, 'active')
    rotated = new_key()
    vast_api.other_keys.append(
        {'id': 7, 'key': rotated, 'rights': {'api': {'misc': {}}}, 'created_at': RECENT},
    )

    report = audit.audit(
        _client(vast_api), mine, max_age_days=90,
        rotated=[Rotation(fingerprint(rotated), '2026-11-01', 'reset')], today=TODAY,
    )

    assert report.keys[-1].problems == ('rotated-but-exists',)
    assert rotated not in repr(report)


@pytest.mark.parametrize(
    ('behaviour', 'misbehaviour', 'message'),
    (
        ('invalid', None, r'auth/apikeys: unknown \(HTTP 401: key rejected'),
        ('active', '500', r'auth/apikeys: unknown \(HTTP 500: server error\)'),
        ('active', 'bad-json', 'not a JSON object'),
        ('active', 'hang', 'timed out'),
    ),
)
def test_errors(
        vast_api: FakeVastApi, behaviour: str, misbehaviour: str | None, message: str,
) -> None:
    [key] = api_keys(vast_api, behaviour)
    if misbehaviour:
        vast_api.misbehaviours[api.API_KEYS_PATH] = misbehaviour

    with pytest.raises(FatalError, match=message):
        audit.audit(_client(vast_api), key, max_age_days=90, rotated=[], today=TODAY)
