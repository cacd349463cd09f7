"""`--verify`: ask the Vast.ai API whether found keys still work (opt-in, never by default).

One `GET /api/v0/users/current/` per distinct key with `Authorization: Bearer KEY`, the
documented "verify your key" call (docs/vast-facts.md section 3):

- 200 with a user object: `active`;
- 401: `invalid` (revoked, reset or never valid), except a two-factor message: `unknown`;
- anything else (403 scoped key, 404, 429 after retries, 3xx, 5xx, timeouts, TLS and network
  errors): `unknown`, with a fixed reason.

With `--blast-radius`, each active key is also asked what it can do (blast_radius.py).
The requests themselves, and what keeps them safe (host, header, redirects, deadlines, body
caps), are api.py's. Each key is asked once (a 429 is retried after a short backoff).
"""
from __future__ import annotations

import datetime
import queue
import threading
from collections.abc import Iterable
from typing import NamedTuple

from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.respond import api
from vastai_guard.respond.account import redact_email
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import INVALID
from vastai_guard.vocabulary import UNKNOWN
from vastai_guard.vocabulary import State

DEFAULT_WORKERS = 4


class VerifyOptions(NamedTuple):
    """How to verify: built from `--api-url` / `--show-account` / `--blast-radius`; tests
    shorten the waits."""
    api_url: str = api.DEFAULT_API_URL
    show_account: bool = False
    timeout: float = api.DEFAULT_TIMEOUT_SECONDS
    retries_on_429: int = api.DEFAULT_RETRIES_ON_429
    backoff: float = api.DEFAULT_BACKOFF_SECONDS
    workers: int = DEFAULT_WORKERS
    blast_radius: bool = False

    @property
    def client(self) -> api.Client:
        return api.Client(
            api.check_api_url(self.api_url), self.timeout, self.retries_on_429, self.backoff,
        )

    def verify(self, secrets: Iterable[str]) -> dict[str, Verification]:
        return verify_keys(secrets, self)


def verify_options(
        api_url: str | None, *, show_account: bool, blast_radius: bool = False,
) -> VerifyOptions:
    """Options from the command line, with the URL checked (exit 2 on a bad one)."""
    return VerifyOptions(
        api_url=api.check_api_url(api_url if api_url is not None else api.DEFAULT_API_URL),
        show_account=show_account,
        blast_radius=blast_radius,
    )


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds').replace(
        '+00:00', 'Z',
    )


def _printable(value: object) -> str:
    """Account data from the server, safe for a terminal and a report cell."""
    return ''.join(ch for ch in str(value) if ch.isprintable())[:200]


def _account(user: dict[str, object]) -> str:
    """`4242 o***@example.net`: the account id, and the email redacted (no output holds a raw
    email address)."""
    shown = (_printable(user.get('id') or ''), redact_email(user.get('email')))
    return ' '.join(part for part in shown if part)


def classify(reply: api.Reply, *, show_account: bool) -> tuple[State, str, str]:
    """(state, reason, account) for the answer to `users/current`. The body is read, never
    repeated."""
    data = reply.json()
    user = data if isinstance(data, dict) else None
    if reply.status == 0 or reply.body is None:
        return UNKNOWN, reply.reason, ''
    if reply.status == 200:
        if user is not None and 'id' in user:
            return ACTIVE, 'HTTP 200: key accepted', _account(user) if show_account else ''
        return UNKNOWN, 'HTTP 200 without a user object (is this the Vast.ai API?)', ''
    if reply.status == 401:
        message = str(user.get('msg', '')) + str(user.get('error', '')) if user else ''
        if 'two factor' in message.lower():
            return UNKNOWN, 'HTTP 401: two-factor authentication required', ''
        return INVALID, reply.reason, ''
    if reply.status == 403:
        return UNKNOWN, 'HTTP 403: forbidden (a scoped key without user_read?)', ''
    return UNKNOWN, reply.reason, ''


def _check(secret: str, client: api.Client, options: VerifyOptions) -> Verification:
    if not api.KEY_SHAPE.fullmatch(secret):
        return Verification(UNKNOWN, 'not checked: not shaped like a Vast.ai API key', _now())
    reply = client.call('GET', api.USER_PATH, secret)
    state, reason, account = classify(reply, show_account=options.show_account)
    verdict = Verification(state, reason, _now(), account)
    if state == ACTIVE and options.blast_radius:
        from vastai_guard.respond.blast_radius import blast_radius

        user = reply.json()
        assert isinstance(user, dict)  # classify said active: a user object
        verdict = verdict._replace(blast_radius=blast_radius(client, secret, user))
    return verdict


def verify_keys(secrets: Iterable[str], options: VerifyOptions) -> dict[str, Verification]:
    """A verdict for every distinct secret, keyed by its fingerprint; each asked about once.

    Requests run a few at a time: enough to check twenty keys in about one round trip, few
    enough not to look like a burst to the API's rate limiter. The workers are daemon threads,
    not a ThreadPoolExecutor, whose threads the interpreter waits for at exit: on Ctrl-C the
    command ends at once instead of after the slowest request.
    """
    distinct = {fingerprint(secret): secret for secret in secrets}
    if not distinct:
        return {}
    client = options.client
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
                verdicts[key_fingerprint] = _check(secret, client, options)
            except BaseException as error:  # noqa: BLE001 -- raised in the caller's thread
                failures.append(error)

    threads = [
        threading.Thread(target=work, name='vastai-guard-verify', daemon=True)
        for _ in range(max(1, min(options.workers, len(distinct))))
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
