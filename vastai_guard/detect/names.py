"""What a name says: a variable, key, flag, section or file name, read as words.

`VAST_API_KEY_PROD`, `vastApiKey`, `VastAi:ApiKey`, `vast-api-key`, `AIRFLOW_VAR_VASTAI_API_KEY`
and `vAsT_api_key` all read as Vast.ai + key. "vast" counts only where a word starts: at the start
of a token (`vast_`, `VAST_`, `vAsT`) or at a camelCase hump (`myVastKey`), so Avast,
canvastoblob and devastate never do. Names are short (the callers cut them to a bounded length),
and every test here is a few string operations: nothing can make it slow.
"""
from __future__ import annotations

import functools
import re

from vastai_guard.detect import rules

# Separators inside a name: snake_case, kebab-case, dotted, .NET `Section:Key`, `os.environ["X"]`.
_TOKEN = re.compile(r'[A-Za-z0-9]+')
# Words inside a token: `VastAPIKey` -> Vast, API, Key; `sha256` and `R2` stay whole.
_WORD = re.compile(r'[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+')


def _vast_word_at(token: str) -> int:
    """Where a word starting with "vast" begins in one alphanumeric token, or -1."""
    lowered = token.lower()
    at = lowered.find('vast')
    while at != -1:
        if at == 0:
            return at
        before = token[at - 1]
        # a camelCase hump: `myVast`, `my2Vast` (lowercase or digit, then a capital V)
        if token[at] == 'V' and (before.islower() or before.isdigit()):
            return at
        at = lowered.find('vast', at + 1)
    return -1


@functools.lru_cache(maxsize=4096)
def says_vast(name: str) -> bool:
    """Whether `name` has a word starting with "vast" (`VAST_API_KEY`, `vastai`, `myVastKey`)."""
    return any(_vast_word_at(token) != -1 for token in _TOKEN.findall(name))


@functools.lru_cache(maxsize=4096)
def _squashed(name: str) -> str:
    """The name lowercased with every separator dropped: `VAST_API_KEY` -> `vastapikey`."""
    return ''.join(_TOKEN.findall(name)).lower()


@functools.lru_cache(maxsize=4096)
def words(name: str) -> frozenset[str]:
    """The name's words, lowercased: `VastAPIKey_2` -> {'vast', 'api', 'key', '2'}."""
    found = {word.lower() for word in _WORD.findall(name)}
    # `sha256`, `r2`: also without trailing digits, so `sha` matches `sha256`
    return frozenset(found | {word.rstrip('0123456789') for word in found})


@functools.lru_cache(maxsize=4096)
def is_excluded(name: str) -> bool:
    """A name that holds something other than an API key: a digest, an SSH identity, an
    instance token, another vendor's secret."""
    squashed = _squashed(name)
    return bool(words(name) & rules.EXCLUDED_NAME_WORDS) or any(
        part in squashed for part in rules.EXCLUDED_NAME_PARTS
    )


@functools.lru_cache(maxsize=4096)
def is_secret_slot(name: str) -> bool:
    """A name for a credential of some kind (`api_key`, `ApiKey`, `token`, `X_SECRET_2`)."""
    squashed = _squashed(name)
    return bool(words(name) & rules.SECRET_NAME_WORDS) or any(
        part in squashed for part in rules.SECRET_NAME_PARTS
    )


@functools.lru_cache(maxsize=4096)
def is_vast_secret_name(name: str) -> bool:
    """A Vast-named credential: `VAST_API_KEY`, `VASTAI_TOKEN`, `vastApiKey`, `VAST_AI_KEY`."""
    return says_vast(name) and is_secret_slot(name) and not is_excluded(name)


@functools.lru_cache(maxsize=4096)
def is_container_key(name: str) -> bool:
    """`CONTAINER_API_KEY`, the per-instance key Vast sets inside every instance."""
    return _squashed(name).endswith('containerapikey') and not is_excluded(name)


def label(text: str, limit: int = 60) -> str:
    """A name or section as reports show it: printable, short, and never a key.

    A label comes from the user's file; a hex run long enough to be (part of) a key is cut.
    """
    printable = ''.join(ch if ch.isprintable() else ' ' for ch in text).strip()
    printable = rules.LONG_HEX_RUN.sub('...', printable)
    return printable if len(printable) <= limit else printable[:limit - 3] + '...'
