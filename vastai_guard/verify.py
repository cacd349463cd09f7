"""`--verify`: ask the Vast.ai API whether found keys still work (opt-in, never by default).

One `GET /api/v0/users/current/` per distinct key with `Authorization: Bearer KEY`, the
documented "verify your key" call (docs/vast-facts.md section 3):

- 200 with a user object: `active`;
- 401: `invalid` (revoked, reset or never valid), except a two-factor message: `unknown`;
- anything else (403 scoped key, 404, 429 after retries, 3xx, 5xx, timeouts, TLS and network
  errors): `unknown`, with a fixed reason.

What keeps this safe: keys go only to the official host over HTTPS unless `--api-url` says
otherwise, and a plain-http URL is refused unless it is loopback; the key travels only in the
header, never in the URL; redirects are not followed (they would carry the header elsewhere);
each key is asked once (a 429 is retried after a short backoff, nothing else is); response
bodies and exception texts never reach a reason, since the body holds the key and account data.

`requests` (already brought by detect-secrets) is imported only inside `verify_keys`: the hook
path stays light.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import queue
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import NamedTuple
from typing import TypeVar

from vastai_guard.errors import FatalError
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import INVALID
from vastai_guard.vocabulary import UNKNOWN
from vastai_guard.vocabulary import State

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = 'https://console.vast.ai'
USER_PATH = '/api/v0/users/current/'
DEFAULT_TIMEOUT_SECONDS = 5.0
# Vast.ai sends no Retry-After with its 429s: wait 1 s, then 2 s, then give up
DEFAULT_RETRIES_ON_429 = 2
DEFAULT_BACKOFF_SECONDS = 1.0
DEFAULT_WORKERS = 4
# The user object is a few hundred bytes; a body beyond this is not the Vast.ai API, and is
# never read into memory (a hostile server could send gigabytes, or never stop).
MAX_BODY_BYTES = 64 << 10

# Only what has the shape of an account or per-instance key is ever sent: another secret
# under a Vast-named variable (`vast-named-secret`) is not Vast's to see.
_KEY_SHAPE = re.compile(r'[0-9a-f]{64}')
_LOOPBACK_NAMES = frozenset(('localhost',))


class VerifyOptions(NamedTuple):
    """How to verify: built from `--api-url` / `--show-account`; tests shorten the waits."""
    api_url: str = DEFAULT_API_URL
    show_account: bool = False
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    retries_on_429: int = DEFAULT_RETRIES_ON_429
    backoff: float = DEFAULT_BACKOFF_SECONDS
    workers: int = DEFAULT_WORKERS

    def verify(self, secrets: Iterable[str]) -> dict[str, Verification]:
        return verify_keys(
            secrets,
            api_url=self.api_url,
            show_account=self.show_account,
            timeout=self.timeout,
            retries_on_429=self.retries_on_429,
            backoff=self.backoff,
            workers=self.workers,
        )


def verify_options(api_url: str | None, *, show_account: bool) -> VerifyOptions:
    """Options from the command line, with the URL checked (exit 2 on a bad one)."""
    return VerifyOptions(
        api_url=check_api_url(api_url if api_url is not None else DEFAULT_API_URL),
        show_account=show_account,
    )


def _is_loopback(host: str) -> bool:
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
    if parts.scheme == 'http' and not _is_loopback(host):
        raise FatalError(
            f'--api-url {url!r}: refusing to send keys over plain http to {host} '
            '(use https, or http only to 127.0.0.1, localhost or ::1)',
        )
    path = parts.path.rstrip('/')
    # `https://console.vast.ai/api/v0` is a natural thing to pass: the request path is added here
    if path.endswith('/api/v0'):
        path = path[:-len('/api/v0')]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, '', ''))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds').replace(
        '+00:00', 'Z',
    )


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


def _printable(value: object) -> str:
    """Account data from the server, safe for a terminal and a report cell."""
    return ''.join(ch for ch in str(value) if ch.isprintable())[:200]


def _account(user: dict[str, object]) -> str:
    return ' '.join(_printable(user[field]) for field in ('id', 'email') if user.get(field))


def _json_object(body: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        # not JSON; or `[[[[...` nested past the decoder's recursion limit
        return None
    return data if isinstance(data, dict) else None


def classify(status: int, body: bytes | None, *, show_account: bool) -> tuple[State, str, str]:
    """(state, reason, account) for one response (body None: over MAX_BODY_BYTES, not read).
    The body is read, never repeated."""
    if body is None:
        return UNKNOWN, f'HTTP {status}: body over {MAX_BODY_BYTES >> 10} KiB, not read', ''
    data = _json_object(body)
    if status == 200:
        if data is not None and 'id' in data:
            return ACTIVE, 'HTTP 200: key accepted', _account(data) if show_account else ''
        return UNKNOWN, 'HTTP 200 without a user object (is this the Vast.ai API?)', ''
    if status == 401:
        message = str(data.get('msg', '')) + str(data.get('error', '')) if data else ''
        if 'two factor' in message.lower():
            return UNKNOWN, 'HTTP 401: two-factor authentication required', ''
        return INVALID, 'HTTP 401: key rejected (revoked, reset or never valid)', ''
    if status == 403:
        return UNKNOWN, 'HTTP 403: forbidden (a scoped key without user_read?)', ''
    if status == 404:
        return UNKNOWN, 'HTTP 404: not found (an expired session, or not an account key?)', ''
    if status == 429:
        return UNKNOWN, 'HTTP 429: rate limited, gave up', ''
    if 300 <= status < 400:
        return UNKNOWN, f'HTTP {status}: redirect not followed', ''
    if status >= 500:
        return UNKNOWN, f'HTTP {status}: server error', ''
    return UNKNOWN, f'HTTP {status}: unexpected response', ''


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


def _within(seconds: float, call: Callable[[], _T]) -> _T:
    """`call()`, or _DeadlineError once `seconds` have passed, whatever it is doing.

    requests' timeout applies to each read: a server sending one byte a second never trips it.
    The call runs in a daemon thread that is left behind at the deadline (its socket reads
    still end at requests' own timeout); a daemon thread never holds up the exit either.
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


def _get(
        session: requests.Session,
        url: str,
        secret: str,
        timeout: float,
) -> tuple[int, bytes | None]:
    """Status and body (None when over MAX_BODY_BYTES), streamed so a body is never read whole."""
    response = session.get(
        url,
        auth=_Bearer(secret),
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
            if size > MAX_BODY_BYTES:
                return response.status_code, None
        return response.status_code, b''.join(chunks)


def _check(secret: str, url: str, options: VerifyOptions) -> Verification:
    import requests

    if not _KEY_SHAPE.fullmatch(secret):
        return Verification(UNKNOWN, 'not checked: not shaped like a Vast.ai API key', _now())
    with requests.Session() as session:
        # a loopback URL is a test server or a local proxy: no environment proxy in between
        session.trust_env = not _is_loopback(urllib.parse.urlsplit(url).hostname or '')
        for attempt in range(options.retries_on_429 + 1):
            if attempt:
                time.sleep(options.backoff * 2 ** (attempt - 1))
            try:
                # the whole request, body included, within one timeout
                status, body = _within(
                    options.timeout,
                    lambda: _get(session, url, secret, options.timeout),
                )
            except _DeadlineError:
                return Verification(UNKNOWN, f'timed out after {options.timeout:g}s', _now())
            except requests.exceptions.RequestException as error:
                return Verification(UNKNOWN, _error_reason(error, options.timeout), _now())
            if status != 429:
                break
        state, reason, account = classify(status, body, show_account=options.show_account)
        return Verification(state, reason, _now(), account)


def verify_keys(
        secrets: Iterable[str],
        *,
        api_url: str = DEFAULT_API_URL,
        show_account: bool = False,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        retries_on_429: int = DEFAULT_RETRIES_ON_429,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
        workers: int = DEFAULT_WORKERS,
) -> dict[str, Verification]:
    """A verdict for every distinct secret, keyed by its fingerprint; each asked about once.

    Requests run a few at a time: enough to check twenty keys in about one round trip, few
    enough not to look like a burst to the API's rate limiter. The workers are daemon threads,
    not a ThreadPoolExecutor, whose threads the interpreter waits for at exit: on Ctrl-C the
    command ends at once instead of after the slowest request.
    """
    distinct = {fingerprint(secret): secret for secret in secrets}
    if not distinct:
        return {}
    options = VerifyOptions(
        check_api_url(api_url), show_account, timeout, retries_on_429, backoff, workers,
    )
    url = options.api_url + USER_PATH
    todo: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
    for item in distinct.items():
        todo.put(item)
    verdicts: dict[str, Verification] = {}
    failures: list[BaseException] = []

    def work() -> None:
        while not failures:
            try:
                key_fingerprint, secret = todo.get_nowait()
            except queue.Empty:
                return
            try:
                verdicts[key_fingerprint] = _check(secret, url, options)
            except BaseException as error:  # noqa: BLE001 -- raised in the caller's thread
                failures.append(error)

    threads = [
        threading.Thread(target=work, name='vastai-guard-verify', daemon=True)
        for _ in range(max(1, min(workers, len(distinct))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # short waits: the main thread stays where Ctrl-C can reach it
        while thread.is_alive():
            thread.join(0.1)
    if failures:
        raise failures[0]
    return {key_fingerprint: verdicts[key_fingerprint] for key_fingerprint in distinct}
