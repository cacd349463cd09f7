"""A real HTTP server on 127.0.0.1 that answers like the Vast.ai API, for `--verify` tests.

`vast_api` is a fixture (tests/conftest.py makes it available to every test).
"""
from __future__ import annotations

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
INVALID_BODY = {'success': False, 'error': 'auth_error', 'msg': 'Invalid user key'}
CLIENT_TIMEOUT = 0.5
# the hanging handler outlives the client's timeout, but not the test
HANG_SECONDS = CLIENT_TIMEOUT + 1.0
DRIP_SECONDS = CLIENT_TIMEOUT / 5


class Request(NamedTuple):
    method: str
    path: str
    authorization: str


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
        api = self.server.api
        authorization = self.headers.get('Authorization', '')
        key = authorization.removeprefix('Bearer ')
        with api.lock:
            api.requests.append(Request('GET', self.path, authorization))
            seen = len(api.requests_with(key))
        behaviour = api.behaviours.get(key, 'invalid')
        if behaviour == 'hang':
            api.stop.wait(HANG_SECONDS)
            return
        if behaviour in ('drip', 'endless', 'deep'):
            self._hostile(behaviour)
            return
        if behaviour == 'rate-limited-once' and seen == 1:
            self._send(429, f'API requests too frequent {BODY_MARKER}'.encode())
        elif behaviour in ('active', 'rate-limited-once'):
            # the real response also echoes the key (vast-facts section 3)
            user = {
                'id': ACCOUNT_ID, 'email': ACCOUNT_EMAIL, 'api_key': key,
                'credit': 12.5, 'note': BODY_MARKER,
            }
            self._send(200, json.dumps(user).encode(), {'Content-Type': 'application/json'})
        elif behaviour == 'redirect':
            self._send(302, b'', {'Location': f'{api.url}/elsewhere/'})
        else:
            self._send(401, json.dumps(INVALID_BODY).encode())


@pytest.fixture
def vast_api() -> Iterator[FakeVastApi]:
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


def api_keys(api: FakeVastApi, *behaviours: str) -> list[str]:
    keys = []
    for behaviour in behaviours:
        key = new_key()
        api.behaviours[key] = behaviour
        keys.append(key)
    return keys
