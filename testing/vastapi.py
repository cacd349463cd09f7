"""A real HTTP server on 127.0.0.1 that answers like the Vast.ai API: `--verify`,
`--blast-radius`, `revoke` and `audit` tests.

One account (ACCOUNT_ID) owns every active key. Routes: `GET users/current/`,
`GET auth/apikeys/`, `DELETE auth/apikeys/{id}/` (the key is gone: 401 from then on),
`GET instances/`. Per key: a behaviour (below), a key id, `rights` (None: full access),
paths it is refused (403). Per path: a misbehaviour for every caller (`500`, `bad-json`,
`429`, `redirect`, `hang`).

`vast_api` is a fixture (tests/conftest.py makes it available to every test).
"""
from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import NamedTuple

import pytest

from testing.util import new_key

# in every body the fake API sends: it must never reach an output
BODY_MARKER = 'BODY-MARKER-do-not-print'
ACCOUNT_EMAIL = 'owner@example.invalid'
ACCOUNT_ID = 4242
ACCOUNT_CREDIT = 412.0
INVALID_BODY = {'success': False, 'error': 'auth_error', 'msg': 'Invalid user key'}
CLIENT_TIMEOUT = 0.5
# the hanging handler outlives the client's timeout, but not the test
HANG_SECONDS = CLIENT_TIMEOUT + 1.0
DRIP_SECONDS = CLIENT_TIMEOUT / 5


class Request(NamedTuple):
    method: str
    path: str
    authorization: str


DELETED_BODY = {'success': True, 'msg': 'Successfully Deleted API Key'}
# a key created long ago, for `audit`'s age check (2024-01-01T00:00:00Z)
OLD_CREATED_AT = 1704067200.0


class FakeVastApi:
    """Answers per key: `active`, `invalid`, `rate-limited-once`, `hang`, `redirect`; and the
    hostile ones: `drip` (a byte at a time, forever), `endless` (a 2 GB body, sent until the
    client leaves), `deep` (a JSON body of nested `[`)."""

    def __init__(self) -> None:
        self.behaviours: dict[str, str] = {}
        self.requests: list[Request] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.url = ''
        # per key: its id in the key list, its rights (None: full access), its name and
        # creation time, the paths it is refused (403)
        self.key_ids: dict[str, int] = {}
        self.rights: dict[str, object] = {}
        self.names: dict[str, str] = {}
        self.created: dict[str, float] = {}
        self.denied: dict[str, set[str]] = {}
        # entries of the key list for keys no test holds (other keys of the account)
        self.other_keys: list[dict[str, object]] = []
        self.deleted: set[str] = set()
        # keys whose DELETE answers 200 and changes nothing (a delete that did not take)
        self.undeletable: set[str] = set()
        self.instances: list[dict[str, object]] = []
        # per path, for every caller: `500`, `bad-json`, `429`, `redirect`, `hang`
        self.misbehaviours: dict[str, str] = {}
        self._ids = itertools.count(101)

    def key_id(self, key: str) -> int:
        with self.lock:
            if key not in self.key_ids:
                self.key_ids[key] = next(self._ids)
            return self.key_ids[key]

    def live(self, key: str) -> bool:
        return key not in self.deleted and self.behaviours.get(key) in (
            'active', 'rate-limited-once',
        )

    def key_list(self) -> list[dict[str, object]]:
        entries: list[dict[str, object]] = [
            {
                'id': self.key_id(key), 'user_id': ACCOUNT_ID, 'rights': self.rights.get(key),
                'name': self.names.get(key, f'key {self.key_id(key)}'),
                'created_at': self.created.get(key, OLD_CREATED_AT), 'note': BODY_MARKER,
            }
            for key in list(self.behaviours) if self.live(key)
        ]
        return entries + self.other_keys

    def requests_with(self, key: str) -> list[Request]:
        return [r for r in self.requests if r.authorization == f'Bearer {key}']


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeVastApi


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _hostile(self, behaviour: str) -> None:
        api = self.server.api
        try:
            if behaviour == 'deep':
                # under the body cap, past the JSON decoder's recursion limit
                self._send(200, b'[' * 60_000, {'Content-Type': 'application/json'})
                return
            self.send_response(200)
            self.send_header('Content-Length', str(2 << 30))
            self.end_headers()
            self.wfile.flush()
            # each byte well inside the client's per-read timeout: only a total deadline ends it
            while not api.stop.is_set():
                if behaviour == 'drip':
                    self.wfile.write(b'[')
                    api.stop.wait(DRIP_SECONDS)
                else:
                    self.wfile.write(b'[' * (1 << 16))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client left, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self) -> None:
        # as an HTTPS proxy: records any attempt to reach the real API, lets none through
        with self.server.api.lock:
            self.server.api.requests.append(Request('CONNECT', self.path, ''))
        self._send(403, b'')

    def do_GET(self) -> None:
        self._route('GET')

    def do_DELETE(self) -> None:
        self._route('DELETE')

    def _misbehave(self, misbehaviour: str) -> None:
        api = self.server.api
        if misbehaviour == 'hang':
            api.stop.wait(HANG_SECONDS)
        elif misbehaviour == 'bad-json':
            self._send(200, f'<html>{BODY_MARKER}</html>'.encode())
        elif misbehaviour == 'redirect':
            self._send(302, b'', {'Location': f'{api.url}/elsewhere/'})
        else:  # a status: `500`, `429`, `503`
            self._send(int(misbehaviour), f'{BODY_MARKER}'.encode())

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data).encode(), {'Content-Type': 'application/json'})

    def _route(self, method: str) -> None:
        api = self.server.api
        authorization = self.headers.get('Authorization', '')
        key = authorization.removeprefix('Bearer ')
        with api.lock:
            api.requests.append(Request(method, self.path, authorization))
            seen = len(api.requests_with(key))
        behaviour = api.behaviours.get(key, 'invalid')
        if behaviour == 'hang':
            api.stop.wait(HANG_SECONDS)
            return
        if behaviour in ('drip', 'endless', 'deep'):
            self._hostile(behaviour)
            return
        if self.path in api.misbehaviours:
            self._misbehave(api.misbehaviours[self.path])
        elif behaviour == 'rate-limited-once' and seen == 1:
            self._send(429, f'API requests too frequent {BODY_MARKER}'.encode())
        elif behaviour == 'redirect':
            self._send(302, b'', {'Location': f'{api.url}/elsewhere/'})
        elif not api.live(key):
            self._send(401, json.dumps(INVALID_BODY).encode())
        elif self.path in api.denied.get(key, ()):
            self._json(403, {'success': False, 'error': 'forbidden', 'msg': BODY_MARKER})
        else:
            self._answer(method, key)

    def _answer(self, method: str, key: str) -> None:
        api = self.server.api
        if (method, self.path) == ('GET', '/api/v0/users/current/'):
            # the real response also echoes the key (vast-facts section 3)
            self._json(200, {
                'id': ACCOUNT_ID, 'email': ACCOUNT_EMAIL, 'api_key': key, 'key_id': api.key_id(key),
                'credit': ACCOUNT_CREDIT, 'balance': 0.0, 'note': BODY_MARKER,
            })
        elif (method, self.path) == ('GET', '/api/v0/auth/apikeys/'):
            self._json(200, {'apikeys': api.key_list()})
        elif (method, self.path) == ('GET', '/api/v0/instances/'):
            self._json(200, {'instances': api.instances})
        elif method == 'DELETE' and self.path.startswith('/api/v0/auth/apikeys/'):
            wanted = self.path.removeprefix('/api/v0/auth/apikeys/').rstrip('/')
            with api.lock:
                doomed = [k for k, i in api.key_ids.items() if str(i) == wanted and api.live(k)]
                api.deleted.update(set(doomed) - api.undeletable)
            if doomed:
                self._json(200, DELETED_BODY)
            else:
                self._json(404, {'success': False, 'msg': 'not found'})
        else:
            self._json(404, {'success': False, 'msg': 'no such route'})


@contextlib.contextmanager
def serve() -> Iterator[FakeVastApi]:
    """The fake API, listening on 127.0.0.1 (a free port) until the block ends."""
    api = FakeVastApi()
    server = _Server(('127.0.0.1', 0), _Handler)
    server.api = api
    api.url = f'http://127.0.0.1:{server.server_address[1]}'
    # a short poll keeps shutdown() quick at teardown
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def vast_api() -> Iterator[FakeVastApi]:
    with serve() as api:
        yield api


def api_keys(api: FakeVastApi, *behaviours: str) -> list[str]:
    keys = []
    for behaviour in behaviours:
        key = new_key()
        api.behaviours[key] = behaviour
        keys.append(key)
    return keys
