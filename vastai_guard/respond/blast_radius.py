"""`--blast-radius`: what an active leaked key can do, and what it puts at stake.

Asked only for keys `--verify` found active, with the key itself (Bearer header, api.py):
- `GET users/current` (already answered by the verification): account id, key id, balance,
  credit, email (kept redacted);
- `GET auth/apikeys`: this key's entry (its id is the key id) and its `rights`;
- `GET instances`: the running instances and what they cost per hour (summed `dph_total`).

A request that fails (a scoped key may not read the key list, a 5xx, a timeout) leaves its
part unknown and says why in `notes`: a blast radius is never an error.
"""
from __future__ import annotations

from vastai_guard.findings import BlastRadius
from vastai_guard.respond import api
from vastai_guard.respond.account import FULL
from vastai_guard.respond.account import SCOPED
from vastai_guard.respond.account import SPENDING
from vastai_guard.respond.account import UNKNOWN_ACCESS
from vastai_guard.respond.account import access_of
from vastai_guard.respond.account import identifier
from vastai_guard.respond.account import money
from vastai_guard.respond.account import number
from vastai_guard.respond.account import redact_email

CRITICAL = 'critical'
HIGH = 'high'
LOW = 'low'


def _rights(
        client: api.Client, key: str, key_id: str, notes: list[str],
) -> tuple[str, tuple[str, ...]]:
    listed, reason = client.get_object(api.API_KEYS_PATH, key, max_bytes=api.MAX_LIST_BYTES)
    if listed is None:
        notes.append(f'rights unknown ({reason})')
        return UNKNOWN_ACCESS, ()
    entries = listed.get('apikeys')
    if not isinstance(entries, list):
        notes.append('rights unknown (no key list in the answer)')
        return UNKNOWN_ACCESS, ()
    for entry in entries:
        if isinstance(entry, dict) and key_id and identifier(entry.get('id')) == key_id:
            return access_of(entry.get('rights'))
    notes.append('rights unknown (this key is not in the key list)')
    return UNKNOWN_ACCESS, ()


def _instances(
        client: api.Client, key: str, notes: list[str],
) -> tuple[int | None, float | None]:
    listed, reason = client.get_object(api.INSTANCES_PATH, key, max_bytes=api.MAX_LIST_BYTES)
    items = listed.get('instances') if listed is not None else None
    if not isinstance(items, list):
        notes.append(f'instances unknown ({reason or "no instance list in the answer"})')
        return None, None
    running = [
        item for item in items if isinstance(item, dict) and item.get('actual_status') == 'running'
    ]
    costs = [number(item.get('dph_total')) for item in running]
    return len(running), sum(cost for cost in costs if cost is not None)


def _urgency(access: str, rights: tuple[str, ...]) -> str:
    """critical: it can cost money now (full access, or rent instances / spend credit);
    high: it can change something else, or its rights are unknown; low: it can only read."""
    if access == FULL or any(right in SPENDING for right in rights):
        return CRITICAL
    if access == UNKNOWN_ACCESS or any(right.endswith('_write') for right in rights):
        return HIGH
    return LOW


def _why(
        access: str,
        rights: tuple[str, ...],
        account: str,
        credit: float | None,
        running: int | None,
        hourly: float | None,
) -> str:
    on = f'on account {account or "(id unknown)"}, which has {money(credit)} of credit'
    if running is None:
        on += ' (running instances unknown)'
    else:
        machines = f'{running} machine{"" if running == 1 else "s"}'
        on += f' and {machines} running at {money(hourly)}/h'
    if access == FULL:
        return f'full access: this key can rent GPUs and spend credit {on}'
    if access == SCOPED:
        can = [SPENDING[right] for right in rights if right in SPENDING]
        if can:
            return f'this key can {" and ".join(can)} ({", ".join(rights)}) {on}'
        writes = [right for right in rights if right.endswith('_write')]
        if writes:
            return f'this key can change the account ({", ".join(rights)}) {on}'
        return f'read-only key ({", ".join(rights)}) {on}: it can see, not spend'
    return f'rights unknown, treat it as able to spend: {on}'


def blast_radius(client: api.Client, key: str, user: dict[str, object]) -> BlastRadius:
    """What the active `key` can do; `user` is its `users/current` answer."""
    notes: list[str] = []
    access: str
    rights: tuple[str, ...]
    account = identifier(user.get('id'))
    key_id = identifier(user.get('key_id'))
    if not key_id:
        notes.append('key id unknown (users/current did not say)')
        access, rights = UNKNOWN_ACCESS, ()
    else:
        access, rights = _rights(client, key, key_id, notes)
    running, hourly = _instances(client, key, notes)
    credit = number(user.get('credit'))
    return BlastRadius(
        account_id=account,
        email=redact_email(user.get('email')),
        key_id=key_id,
        access=access,
        rights=rights,
        balance=number(user.get('balance')),
        credit=credit,
        running_instances=running,
        hourly_cost=hourly,
        urgency=_urgency(access, rights),
        why=_why(access, rights, account, credit, running, hourly),
        notes=tuple(notes),
    )
