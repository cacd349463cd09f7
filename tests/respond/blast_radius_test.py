"""`--blast-radius` against the fake Vast.ai API: what an active key can do, and never an error."""
from __future__ import annotations

import pytest

from testing.vastapi import ACCOUNT_CREDIT
from testing.vastapi import ACCOUNT_EMAIL
from testing.vastapi import ACCOUNT_ID
from testing.vastapi import CLIENT_TIMEOUT
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.findings import BlastRadius
from vastai_guard.findings import fingerprint
from vastai_guard.respond import api
from vastai_guard.respond import verify

FAST = verify.VerifyOptions(timeout=CLIENT_TIMEOUT, backoff=0.01, blast_radius=True)
RUNNING = [
    {'id': 1, 'actual_status': 'running', 'dph_total': 1.25},
    {'id': 2, 'actual_status': 'running', 'dph_total': 0.5},
    {'id': 3, 'actual_status': 'exited', 'dph_total': 9.0},
]


def _radius(vast_api: FakeVastApi, key: str) -> BlastRadius:
    [verdict] = FAST._replace(api_url=vast_api.url).verify([key]).values()
    assert verdict.state == 'active'
    assert verdict.blast_radius is not None
    return verdict.blast_radius


def test_a_full_access_key_is_critical(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.instances = RUNNING

    radius = _radius(vast_api, key)

    assert radius == BlastRadius(
        account_id=str(ACCOUNT_ID),
        email=f'{ACCOUNT_EMAIL[0]}***@{ACCOUNT_EMAIL.split("@")[1]}',
        key_id=str(vast_api.key_ids[key]),
        access='full',
        rights=(),
        balance=0.0,
        credit=ACCOUNT_CREDIT,
        running_instances=2,
        hourly_cost=1.75,
        urgency='critical',
        why=f'full access: this key can rent GPUs and spend credit on account {ACCOUNT_ID}, '
            'which has $412.00 of credit and 2 machines running at $1.75/h',
    )
    # users/current once (the verification), then the key list and the instances; GETs only,
    # the key in the header only
    assert [(r.method, r.path) for r in vast_api.requests] == [
        ('GET', api.USER_PATH), ('GET', api.API_KEYS_PATH), ('GET', api.INSTANCES_PATH),
    ]
    assert all(r.authorization == f'Bearer {key}' for r in vast_api.requests)


@pytest.mark.parametrize(
    ('rights', 'urgency', 'why'),
    (
        pytest.param(
            {'api': {'instance_read': {}, 'instance_write': {}}}, 'critical',
            'this key can rent GPUs (instance_read, instance_write) on account', id='rent',
        ),
        pytest.param(
            {'api': {'billing_write': {}}}, 'critical',
            'this key can spend credit (billing_write) on account', id='spend',
        ),
        pytest.param(
            {'api': {'user_write': {}, 'user_read': {}}}, 'high',
            'this key can change the account (user_read, user_write) on account', id='write',
        ),
        pytest.param(
            {'api': {'instance_read': {}, 'user_read': {}}}, 'low',
            'read-only key (instance_read, user_read) on account', id='read-only',
        ),
    ),
)
def test_scoped_keys(vast_api: FakeVastApi, rights: object, urgency: str, why: str) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.rights[key] = rights

    radius = _radius(vast_api, key)

    assert (radius.access, radius.urgency) == ('scoped', urgency)
    assert radius.why.startswith(why)
    assert radius.running_instances == 0 and radius.hourly_cost == 0


def test_a_key_that_cannot_read_the_key_list_is_unknown_never_an_error(
        vast_api: FakeVastApi,
) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.rights[key] = {'api': {'instance_read': {}, 'user_read': {}}}
    vast_api.denied[key] = {api.API_KEYS_PATH}
    vast_api.instances = RUNNING[:1]

    radius = _radius(vast_api, key)

    assert (radius.access, radius.rights, radius.urgency) == ('unknown', (), 'high')
    assert radius.notes == (
        'rights unknown (HTTP 403: forbidden (a scoped key without that permission?))',
    )
    assert radius.why.startswith('rights unknown, treat it as able to spend: on account 4242')
    assert (radius.running_instances, radius.hourly_cost) == (1, 1.25)


@pytest.mark.parametrize(
    ('misbehaviour', 'note'),
    (
        ('500', 'instances unknown (HTTP 500: server error)'),
        ('hang', f'instances unknown (timed out after {CLIENT_TIMEOUT:g}s)'),
        ('bad-json', 'instances unknown (HTTP 200: not a JSON object (is this the Vast.ai API?))'),
        ('redirect', 'instances unknown (HTTP 302: redirect not followed)'),
    ),
)
def test_instances_the_api_would_not_give(
        vast_api: FakeVastApi, misbehaviour: str, note: str,
) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.misbehaviours[api.INSTANCES_PATH] = misbehaviour

    radius = _radius(vast_api, key)

    assert (radius.running_instances, radius.hourly_cost, radius.notes) == (None, None, (note,))
    assert radius.urgency == 'critical'  # full access is known: that is enough
    assert radius.why.endswith('$412.00 of credit (running instances unknown)')


def test_a_key_missing_from_the_list(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.key_id(key)
    vast_api.key_list = lambda: []  # type: ignore[method-assign]

    radius = _radius(vast_api, key)

    assert radius.access == 'unknown'
    assert radius.notes == ('rights unknown (this key is not in the key list)',)


def test_only_active_keys_are_asked_and_only_with_the_flag(vast_api: FakeVastApi) -> None:
    active, invalid = api_keys(vast_api, 'active', 'invalid')

    verdicts = FAST._replace(api_url=vast_api.url).verify([active, invalid])
    plain = FAST._replace(api_url=vast_api.url, blast_radius=False).verify([active])

    assert verdicts[fingerprint(invalid)].blast_radius is None
    assert verdicts[fingerprint(active)].blast_radius is not None
    assert plain[fingerprint(active)].blast_radius is None
    assert len(vast_api.requests_with(invalid)) == 1
    # 3 with the flag, 1 without
    assert len(vast_api.requests_with(active)) == 4
