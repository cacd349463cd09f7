"""`vastai-guard audit`: the account's API keys against least privilege and key age.

With the user's OWN key (where the official CLI looks for it: `VAST_API_KEY`, else
`$XDG_CONFIG_HOME/vastai/vast_api_key` (default `~/.config/...`), else `~/.vast_api_key`),
`GET auth/apikeys/` and, for each key: its access (full, or scoped and to what), its age, and
its problems:
- `full-access`: a key used by CI or an app rarely needs every right;
- `older-than-N-days`: the Vast.ai docs call a 90-day rotation a reasonable baseline;
- `rotated-but-exists`: the ledger says it was revoked or rotated, yet the account still has it.
"""
from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from collections.abc import Sequence

from vastai_guard.errors import FatalError
from vastai_guard.findings import Rotation
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact_runs
from vastai_guard.model import AuditedKey
from vastai_guard.model import AuditReport
from vastai_guard.respond import api
from vastai_guard.respond.account import FULL
from vastai_guard.respond.account import access_of
from vastai_guard.respond.account import identifier
from vastai_guard.respond.account import number
from vastai_guard.respond.account import printable
from vastai_guard.respond.revoke import LEDGER_NOTE_KEY_ID

FULL_ACCESS = 'full-access'
ROTATED_BUT_EXISTS = 'rotated-but-exists'
# what is sent as a Bearer token: printable, no spaces (a header must not be split), bounded
_SENDABLE = re.compile(r'[\x21-\x7e]{16,512}')
_KEY_SHAPE = re.compile(r'[0-9a-f]{64}')
_MAX_KEY_FILE_BYTES = 4096


def older_than(days: int) -> str:
    return f'older-than-{days}-days'


def key_files(env: Mapping[str, str], home: str) -> list[str]:
    """Where the official CLI keeps the key, in its order (vast-facts section 2)."""
    config_home = env.get('XDG_CONFIG_HOME') or os.path.join(home, '.config')
    return [
        os.path.join(config_home, 'vastai', 'vast_api_key'),
        os.path.join(home, '.vast_api_key'),
    ]


def own_key(env: Mapping[str, str], home: str) -> tuple[str, str]:
    """(the user's key, where it came from); FatalError when there is none that can be sent."""
    from vastai_guard.files.reading import read_regular

    if env.get('VAST_API_KEY'):
        key, source = env['VAST_API_KEY'].strip(), 'VAST_API_KEY'
    else:
        for path in key_files(env, home):
            try:
                data = read_regular(path, max_bytes=_MAX_KEY_FILE_BYTES)
            except FileNotFoundError:
                continue
            except OSError as error:
                raise FatalError(f'cannot read {path}: {error.strerror or error}') from None
            key, source = data.decode('utf-8', 'replace').strip(), path
            break
        else:
            raise FatalError(
                'no Vast.ai API key to audit with: set VAST_API_KEY, or log in with '
                '`vastai set api-key` (~/.config/vastai/vast_api_key)',
            )
    if not _SENDABLE.fullmatch(key):
        raise FatalError(f'{source}: does not hold an API key (expected one line of text)')
    return key, source


def _created(entry: Mapping[str, object]) -> datetime.date | None:
    value = entry.get('created_at', entry.get('created'))
    seconds = number(value)
    try:
        if seconds is not None:
            return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).date()
        if isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
    except (ValueError, OverflowError, OSError):
        pass
    return None


def _revoked_ids(rotated: Sequence[Rotation]) -> set[str]:
    """Key ids the ledger says `revoke` deleted (its note names them)."""
    return {
        match[1] for entry in rotated for match in LEDGER_NOTE_KEY_ID.finditer(entry.note)
    }


def _audited(
        entry: Mapping[str, object],
        *,
        max_age_days: int,
        today: datetime.date,
        revoked_ids: set[str],
        rotated: frozenset[str],
) -> AuditedKey:
    key_id = identifier(entry.get('id'))
    access, rights = access_of(entry.get('rights'))
    created = _created(entry)
    age = (today - created).days if created is not None else None
    problems = []
    if access == FULL:
        problems.append(FULL_ACCESS)
    if age is not None and age > max_age_days:
        problems.append(older_than(max_age_days))
    # a list that carries the key itself is matched by fingerprint; it is never kept
    value = entry.get('key')
    by_fingerprint = isinstance(value, str) and _KEY_SHAPE.fullmatch(value) is not None and (
        fingerprint(value) in rotated
    )
    if (key_id and key_id in revoked_ids) or by_fingerprint:
        problems.append(ROTATED_BUT_EXISTS)
    return AuditedKey(
        key_id=key_id,
        # a name is the user's text: a key pasted into it is redacted like any other
        name=redact_runs(printable(entry.get('name') or '', 60)),
        access=access,
        rights=rights,
        created=created.isoformat() if created is not None else '',
        age_days=age,
        problems=tuple(problems),
    )


def audit(
        client: api.Client,
        key: str,
        *,
        max_age_days: int,
        rotated: Sequence[Rotation],
        today: datetime.date,
) -> AuditReport:
    listed, reason = client.get_object(api.API_KEYS_PATH, key, max_bytes=api.MAX_LIST_BYTES)
    if listed is None:
        raise FatalError(
            f'cannot list the account\'s API keys: auth/apikeys: unknown ({reason})',
        )
    entries = listed.get('apikeys')
    if not isinstance(entries, list):
        raise FatalError('cannot list the account\'s API keys: no key list in the answer')
    live = [
        entry for entry in entries
        if isinstance(entry, dict) and not entry.get('deleted_at')  # soft-deleted: gone
    ]
    revoked_ids = _revoked_ids(rotated)
    fingerprints = frozenset(entry.fingerprint for entry in rotated)
    keys = tuple(
        _audited(
            entry, max_age_days=max_age_days, today=today, revoked_ids=revoked_ids,
            rotated=fingerprints,
        )
        for entry in live
    )
    # which of them is the key the audit ran with: nice to know, not worth failing over
    user, _ = client.get_object(api.USER_PATH, key)
    own = identifier(user.get('key_id')) if user is not None else ''
    return AuditReport(keys=keys, max_age_days=max_age_days, own_key_id=own)
