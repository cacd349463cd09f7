"""Reading what the Vast.ai API says about an account and its keys, safely.

Everything here takes values from a server's JSON and makes them fit for a report: printable,
short, an email redacted, a number a number. Shared by blast_radius.py and audit.py.
"""
from __future__ import annotations

import json
import math
import re

# the permission categories of a scoped key (vast-facts section 4; `"api": {...}`)
CATEGORIES = frozenset((
    'billing_read', 'billing_write', 'instance_read', 'instance_write', 'machine_read',
    'machine_write', 'misc', 'team_read', 'team_write', 'user_read', 'user_write',
))
# what makes a leaked key cost money at once
SPENDING = {'instance_write': 'rent GPUs', 'billing_write': 'spend credit'}
FULL = 'full'
SCOPED = 'scoped'
UNKNOWN_ACCESS = 'unknown'
_CATEGORY_NAME = re.compile(r'[a-z][a-z0-9_]{0,39}')


def printable(value: object, limit: int = 80) -> str:
    """A server's value, safe for a terminal and a report cell."""
    return ''.join(ch for ch in str(value) if ch.isprintable())[:limit]


def number(value: object) -> float | None:
    """A finite number, or None (a string, a bool, NaN or nothing is not a sum of money)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def identifier(value: object) -> str:
    """An account or key id as the API gives it (a whole number); '' for anything else."""
    if isinstance(value, bool):
        return ''
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return value
    return ''


def redact_email(value: object) -> str:
    """`a***@example.net`: whose account it is, for its owner; not an address to harvest."""
    if not isinstance(value, str) or '@' not in value:
        return ''
    local, _, domain = value.rpartition('@')
    return f'{printable(local[:1])}***@{printable(domain)}'


def access_of(rights: object) -> tuple[str, tuple[str, ...]]:
    """(full | scoped | unknown, the categories of a scoped key) from an API key's `rights`.

    No rights, empty rights, or every category: full access (console keys default to it).
    """
    if isinstance(rights, str):
        if not rights.strip():
            return FULL, ()
        try:
            rights = json.loads(rights)
        except (ValueError, RecursionError):
            return UNKNOWN_ACCESS, ()
    if rights is None:
        return FULL, ()
    if isinstance(rights, dict):
        scopes = rights.get('api', rights)
        names: object = list(scopes) if isinstance(scopes, dict) else None
    elif isinstance(rights, list):
        names = rights
    else:
        return UNKNOWN_ACCESS, ()
    if not isinstance(names, list):
        return UNKNOWN_ACCESS, ()
    categories = tuple(sorted({
        name for name in names if isinstance(name, str) and _CATEGORY_NAME.fullmatch(name)
    }))
    if not categories or CATEGORIES <= set(categories):
        return FULL, ()
    return SCOPED, categories


def money(value: float | None) -> str:
    return 'an unknown amount' if value is None else f'${value:,.2f}'
