"""The one Vast.ai API client against a real HTTP server on 127.0.0.1: every misbehaving answer
is a fixed `unknown` reason, never an exception, a followed redirect or a body in a message."""
from __future__ import annotations

import pytest

from testing.vastapi import BODY_MARKER
from testing.vastapi import CLIENT_TIMEOUT
from testing.vastapi import FakeVastApi
from testing.vastapi import api_keys
from vastai_guard.errors import FatalError
from vastai_guard.respond import api


def _client(vast_api: FakeVastApi) -> api.Client:
    return api.Client(api.check_api_url(vast_api.url), timeout=CLIENT_TIMEOUT, backoff=0.01)


@pytest.mark.parametrize(
    ('misbehaviour', 'reason'),
    (
        pytest.param('500', 'HTTP 500: server error', id='5xx'),
        pytest.param('503', 'HTTP 503: server error', id='503'),
        pytest.param('429', 'HTTP 429: rate limited, gave up', id='429'),
        pytest.param('redirect', 'HTTP 302: redirect not followed', id='redirect'),
        pytest.param('hang', f'timed out after {CLIENT_TIMEOUT:g}s', id='timeout'),
        pytest.param(
            'bad-json', 'HTTP 200: not a JSON object (is this the Vast.ai API?)', id='bad-json',
        ),
    ),
)
def test_each_misbehaviour_is_an_unknown_with_a_fixed_reason(
        vast_api: FakeVastApi, misbehaviour: str, reason: str,
) -> None:
    [key] = api_keys(vast_api, 'active')
    vast_api.misbehaviours[api.INSTANCES_PATH] = misbehaviour

    data, why = _client(vast_api).get_object(api.INSTANCES_PATH, key)

    assert (data, why) == (None, reason)
    assert BODY_MARKER not in why
    # a redirect is never followed; a 429 is retried (twice), nothing else is
    paths = [request.path for request in vast_api.requests]
    assert paths == [api.INSTANCES_PATH] * (3 if misbehaviour == '429' else 1)


@pytest.mark.parametrize(
    ('behaviour', 'status', 'reason'),
    (
        pytest.param('invalid', 401, 'HTTP 401: key rejected (revoked, reset or never valid)',
                     id='401'),
        pytest.param('denied', 403, 'HTTP 403: forbidden (a scoped key without that permission?)',
                     id='403'),
    ),
)
def test_refusals(vast_api: FakeVastApi, behaviour: str, status: int, reason: str) -> None:
    [key] = api_keys(vast_api, 'invalid' if behaviour == 'invalid' else 'active')
    vast_api.denied[key] = {api.API_KEYS_PATH}

    reply = _client(vast_api).call('GET', api.API_KEYS_PATH, key)

    assert (reply.status, reply.reason, reply.ok) == (status, reason, False)


def test_unknown_route_is_404(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')

    reply = _client(vast_api).call('GET', '/api/v0/nothing/', key)

    assert reply.reason == 'HTTP 404: not found (an expired session, or not an account key?)'


def test_the_key_travels_in_the_header_only(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'active')

    reply = _client(vast_api).call('GET', api.USER_PATH, key)

    assert reply.ok and reply.status == 200
    [request] = vast_api.requests
    assert request.authorization == f'Bearer {key}'
    assert key not in request.path


def test_a_body_over_the_cap_is_not_read(vast_api: FakeVastApi) -> None:
    [key] = api_keys(vast_api, 'endless')

    reply = _client(vast_api).call('GET', api.INSTANCES_PATH, key, max_bytes=api.MAX_LIST_BYTES)

    assert (reply.status, reply.body, reply.reason) == (
        200, None, 'HTTP 200: body over 1024 KiB, not read',
    )


@pytest.mark.parametrize(
    'path',
    ('@evil.example/api/v0/users/current/', '.evil.example/', '/x/?api_key=1', '/x#frag'),
)
def test_a_request_never_leaves_the_configured_host(vast_api: FakeVastApi, path: str) -> None:
    with pytest.raises(FatalError, match='refusing a request outside 127.0.0.1'):
        _client(vast_api).call('GET', path, 'k' * 64)
    assert vast_api.requests == []


def test_client_from_the_command_line() -> None:
    assert api.client(None).api_url == 'https://console.vast.ai'
    with pytest.raises(FatalError, match='refusing to send keys over plain http'):
        api.client('http://console.vast.ai')


def test_a_client_built_by_hand_still_refuses_plain_http_elsewhere(vast_api: FakeVastApi) -> None:
    with pytest.raises(FatalError, match='refusing to send keys over plain http'):
        api.Client('http://console.vast.ai').call('GET', api.USER_PATH, 'k' * 64)
