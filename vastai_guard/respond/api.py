"""The one Vast.ai API client: every request `--verify`, `--blast-radius`, `revoke` and `audit`
make goes through `Client.call`.

What keeps a key safe here, whatever the caller:
- the key travels only in the `Authorization: Bearer` header, never in a URL or a body;
- the base URL is the user's `--api-url` (default the official host), checked by
  `check_api_url`; it never comes from a scanned repository's files. Every request's URL is
  checked again against that host before it is sent;
- redirects are not followed (they would carry the header elsewhere);
- each request has a total deadline, not only a per-read timeout; bodies are read up to a
  small cap and never beyond;
- a failure is a fixed phrase (`Reply.reason`): bodies and exception texts never reach a
  message, since a `users/current` body echoes the key and the account's data;
- the calls run in daemon threads: Ctrl-C in the main thread ends the command at once.

`requests` (already brought by detect-secrets) is imported only when a request is made: the
hook path stays light.
"""
from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import NamedTuple
from typing import TypeVar

from vastai_guard.errors import FatalError

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = 'https://console.vast.ai'
USER_PATH = '/api/v0/users/current/'
API_KEYS_PATH = '/api/v0/auth/apikeys/'
INSTANCES_PATH = '/api/v0/instances/'
DEFAULT_TIMEOUT_SECONDS = 5.0
# Vast.ai sends no Retry-After with its 429s: wait 1 s, then 2 s, then give up
DEFAULT_RETRIES_ON_429 = 2
DEFAULT_BACKOFF_SECONDS = 1.0
# The user object is a few hundred bytes; a body beyond this is not the Vast.ai API, and is
# never read into memory (a hostile server could send gigabytes, or never stop).
MAX_BODY_BYTES = 64 << 10
# Lists (keys, instances: a few KB per instance) get more room, still bounded
MAX_LIST_BYTES = 1 << 20

_LOOPBACK_NAMES = frozenset(('localhost',))
# Only what has the shape of an account or per-instance key is ever sent from a repository:
# another secret under a Vast-named variable (`vast-named-secret`) is not Vast's to see.
KEY_SHAPE = re.compile(r'[0-9a-f]{64}')


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(url: str) -> str:
    """The API base URL, normalised; FatalError when a key must not be sent there.

    HTTPS anywhere (an explicit `--api-url` is the user's choice, e.g. a proxy); plain HTTP
    only to this machine (tests, a local proxy), since the key would cross the network in clear.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ''
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise FatalError(f'--api-url {url!r} is not a valid URL') from None
    if parts.scheme not in ('https', 'http') or not host:
        raise FatalError(
            f'--api-url {url!r} is not an http(s) URL (expected e.g. {DEFAULT_API_URL})',
        )
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise FatalError(
            f'--api-url must be a plain base URL, without credentials, query or fragment '
            f'(e.g. {DEFAULT_API_URL})',
        )
    if parts.scheme == 'http' and not is_loopback(host):
        raise FatalError(
            f'--api-url {url!r}: refusing to send keys over plain http to {host} '
            '(use https, or http only to 127.0.0.1, localhost or ::1)',
        )
    path = parts.path.rstrip('/')
    # `https://console.vast.ai/api/v0` is a natural thing to pass: the request path is added here
    if path.endswith('/api/v0'):
        path = path[:-len('/api/v0')]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, '', ''))


class Reply(NamedTuple):
    """What one request came to. `status` 0: no HTTP answer (`reason` says why); `body`
    None: no answer, or a body over the cap (not read)."""
    status: int
    body: bytes | None
    reason: str  # '' for a 2xx whose body was read; else the fixed phrase of an `unknown`

    @property
    def ok(self) -> bool:
        return not self.reason

    def json(self) -> object | None:
        """The body as JSON; None when it is not (or there is none)."""
        if self.body is None:
            return None
        try:
            data: object = json.loads(self.body)
        except (ValueError, RecursionError):
            # not JSON; or `[[[[...` nested past the decoder's recursion limit
            return None
        return data


def status_reason(status: int) -> str:
    """A fixed phrase for a status that is not success; '' for a 2xx."""
    if 200 <= status < 300:
        return ''
    if status == 401:
        return 'HTTP 401: key rejected (revoked, reset or never valid)'
    if status == 403:
        return 'HTTP 403: forbidden (a scoped key without that permission?)'
    if status == 404:
        return 'HTTP 404: not found (an expired session, or not an account key?)'
    if status == 429:
        return 'HTTP 429: rate limited, gave up'
    if 300 <= status < 400:
        return f'HTTP {status}: redirect not followed'
    if status >= 500:
        return f'HTTP {status}: server error'
    return f'HTTP {status}: unexpected response'


class _Bearer:
    """requests auth that sets the header. Passing an auth object also stops requests from
    replacing the header with ~/.netrc credentials for the host."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers['Authorization'] = f'Bearer {self._key}'
        return request

    def __repr__(self) -> str:
        return '_Bearer(<redacted>)'


def _error_reason(error: Exception, timeout: float) -> str:
    """A fixed phrase per failure: exception texts can hold URLs, headers or bodies."""
    import requests

    if isinstance(error, requests.exceptions.Timeout):
        return f'timed out after {timeout:g}s'
    if isinstance(error, requests.exceptions.SSLError):
        return 'TLS error'
    if isinstance(error, requests.exceptions.ProxyError):
        return 'proxy error'
    if isinstance(error, requests.exceptions.ConnectionError):
        return 'network error (could not connect)'
    return f'request failed ({type(error).__name__})'


class _DeadlineError(Exception):
    pass


_T = TypeVar('_T')


def within(seconds: float, call: Callable[[], _T]) -> _T:
    """`call()`, or _DeadlineError once `seconds` have passed, whatever it is doing.

    requests' timeout applies to each read: a server sending one byte a second never trips it.
    The call runs in a daemon thread that is left behind at the deadline (its socket reads
    still end at requests' own timeout); a daemon thread never holds up the exit either, and
    the waiting main thread stays where Ctrl-C reaches it.
    """
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # noqa: BLE001 -- handed to the waiting thread
            outcome.append((False, error))
        finally:
            done.set()

    threading.Thread(target=run, name='vastai-guard-request', daemon=True).start()
    if not done.wait(seconds):
        raise _DeadlineError
    ok, value = outcome[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def _send(
        session: requests.Session,
        method: str,
        url: str,
        key: str,
        timeout: float,
        max_bytes: int,
) -> tuple[int, bytes | None]:
    """Status and body (None when over `max_bytes`), streamed so a body is never read whole."""
    response = session.request(
        method,
        url,
        auth=_Bearer(key),
        headers={'Accept': 'application/json'},
        timeout=timeout,
        allow_redirects=False,
        stream=True,
    )
    with response:
        chunks = []
        size = 0
        for chunk in response.iter_content(16 << 10):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return response.status_code, None
        return response.status_code, b''.join(chunks)


class Client(NamedTuple):
    """Where and how to ask: built from `--api-url`; tests shorten the waits."""
    api_url: str = DEFAULT_API_URL
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    retries_on_429: int = DEFAULT_RETRIES_ON_429
    backoff: float = DEFAULT_BACKOFF_SECONDS

    def url(self, path: str) -> str:
        """The request URL; FatalError if it would leave the configured host (a path that is
        not ours, e.g. an id from a response, must never steer the key elsewhere)."""
        checked = check_api_url(self.api_url)  # https, or http to this machine only
        base = urllib.parse.urlsplit(checked)
        url = checked + path
        parts = urllib.parse.urlsplit(url)
        same_host = (parts.scheme, parts.netloc) == (base.scheme, base.netloc)
        if not path.startswith('/') or not same_host or parts.query or parts.fragment:
            raise FatalError(f'refusing a request outside {base.netloc}')
        return url

    def call(self, method: str, path: str, key: str, *, max_bytes: int = MAX_BODY_BYTES) -> Reply:
        """One request (a 429 retried after a short backoff, nothing else); never raises for
        what the server or the network does."""
        import requests

        url = self.url(path)
        with requests.Session() as session:
            # a loopback URL is a test server or a local proxy: no environment proxy in between
            session.trust_env = not is_loopback(urllib.parse.urlsplit(url).hostname or '')
            status, body = 0, None
            for attempt in range(self.retries_on_429 + 1):
                if attempt:
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                try:
                    # the whole request, body included, within one deadline
                    status, body = within(
                        self.timeout,
                        lambda: _send(session, method, url, key, self.timeout, max_bytes),
                    )
                except _DeadlineError:
                    return Reply(0, None, f'timed out after {self.timeout:g}s')
                except requests.exceptions.RequestException as error:
                    return Reply(0, None, _error_reason(error, self.timeout))
                if status != 429:
                    break
        if body is None:
            return Reply(status, None, f'HTTP {status}: body over {max_bytes >> 10} KiB, not read')
        return Reply(status, body, status_reason(status))

    def get_object(
            self, path: str, key: str, *, max_bytes: int = MAX_BODY_BYTES,
    ) -> tuple[dict[str, object] | None, str]:
        """(the JSON object a GET answered, '') or (None, why not)."""
        reply = self.call('GET', path, key, max_bytes=max_bytes)
        if not reply.ok:
            return None, reply.reason
        data = reply.json()
        if not isinstance(data, dict):
            return None, f'HTTP {reply.status}: not a JSON object (is this the Vast.ai API?)'
        return data, ''


def client(api_url: str | None) -> Client:
    """A client for `--api-url` (None: the official host); FatalError (exit 2) on a bad URL."""
    return Client(api_url=check_api_url(api_url if api_url is not None else DEFAULT_API_URL))
