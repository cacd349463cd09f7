"""Revoke a leaked key through the Vast.ai API, with the key itself, and prove it is dead.

1. `GET users/current` with the key: its key id (and whether it still works at all);
2. `DELETE auth/apikeys/{key_id}/` with the same key (the documented `vastai delete api-key`);
3. `GET users/current` again: a 401 is the proof; anything else is not.

A step the API does not answer as expected is a FatalError naming the step and the fixed
reason (exit 2); "the key still works after the delete" is an outcome (exit 1), not an error.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from vastai_guard.errors import FatalError
from vastai_guard.respond import api
from vastai_guard.respond.account import identifier

REVOKED = 'revoked'
STILL_ACTIVE = 'still-active'
ALREADY_INVALID = 'already-invalid'


class Outcome(NamedTuple):
    state: str  # revoked | still-active | already-invalid
    key_id: str  # '' when the key was already dead (there was nothing to ask)


def revoke_key(client: api.Client, key: str) -> Outcome:
    if not api.KEY_SHAPE.fullmatch(key):
        raise FatalError(
            'that secret is not shaped like a Vast.ai API key (64 lowercase hex): it was not '
            'sent; revoke it where it was issued',
        )
    before = client.call('GET', api.USER_PATH, key)
    if before.status == 401:
        return Outcome(ALREADY_INVALID, '')
    user = before.json() if before.ok else None
    if not isinstance(user, dict):
        reason = before.reason or f'HTTP {before.status}: not a user object'
        raise FatalError(f'cannot revoke: users/current: unknown ({reason}); nothing was deleted')
    key_id = identifier(user.get('key_id'))
    if not key_id:
        raise FatalError(
            'cannot revoke: users/current did not give the key id; nothing was deleted '
            '(delete the key on the Keys page instead)',
        )
    deleted = client.call('DELETE', f'{api.API_KEYS_PATH}{key_id}/', key)
    if not deleted.ok:
        raise FatalError(
            f'revoking failed: DELETE auth/apikeys/{key_id}/: unknown ({deleted.reason}); the '
            'key may still work: delete it on the Keys page',
        )
    after = client.call('GET', api.USER_PATH, key)
    if after.status == 401:
        return Outcome(REVOKED, key_id)
    if after.ok:
        return Outcome(STILL_ACTIVE, key_id)
    raise FatalError(
        f'the key was deleted (key id {key_id}) but could not be confirmed dead: users/current: '
        f'unknown ({after.reason}); check with `vastai-guard scan --verify` and the Keys page',
    )


# The ledger note `revoke` writes; `audit` reads the key id back from it, to tell a key the
# ledger says is gone but the account still lists.
LEDGER_NOTE = 'revoked through the Vast.ai API (key id {key_id}) by vastai-guard revoke'
LEDGER_NOTE_KEY_ID = re.compile(r'\(key id ([0-9]{1,20})\)')
