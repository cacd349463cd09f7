"""Code around a literal: the call it is an argument of, that call's keyword arguments, and
the assignment target the call's result goes to.

    VAST = create_config(                     call create_config, keyword env_name says
        env_name="VAST_API_KEY",              VAST_API_KEY: the owner of default_value
        default_value="KEY",
    )
    vast_api_key: str = Field(default="KEY", alias="VAST_API_KEY")   target vast_api_key

Read from the literal outwards within CALL_REACH characters either side (parentheses counted,
nothing else parsed): bounded per literal, whatever the language.
"""
from __future__ import annotations

import re

CALL_REACH = 600
# Keyword arguments that name the setting a default belongs to.
_NAMING_KEYWORD = re.compile(
    r'''(?<![\w.])(?:env_name|env_var|envvar|env|name|alias|key|var|variable|setting)'''
    r'''[ \t]*[=:][ \t]*["'](?P<name>[\w.:-]{1,100})["']''',
)
# The first argument, when it is a quoted name and not the literal itself.
_FIRST_NAME = re.compile(r'''\s*["'](?P<name>[\w.:-]{1,100})["']\s*,''')
# `NAME = Call(`, `NAME: Type = Call(`, `val NAME = Call(`: the target, before the call's name.
_TARGET = re.compile(
    r'''(?P<target>[A-Za-z_][\w.]{0,100})[ \t]*(?::[ \t]*[\w\[\], .|]{1,60})?[ \t]*=[ \t]*'''
    r'''[\w.]{1,80}[ \t]*$''',
)


# How many parentheses the walk to the enclosing call may step over.
_MAX_STEPS = 32


def _open_paren(text: str, at: int) -> int:
    """The unclosed `(` before `at`, within CALL_REACH, or -1 (C-speed hops between
    parentheses, at most _MAX_STEPS of them)."""
    depth = 0
    floor = max(0, at - CALL_REACH)
    for _ in range(_MAX_STEPS):
        index = max(text.rfind('(', floor, at), text.rfind(')', floor, at))
        if index == -1:
            return -1
        if text[index] == ')':
            depth += 1
        elif depth == 0:
            return index
        else:
            depth -= 1
        at = index
    return -1


def _close_paren(text: str, at: int) -> int:
    depth = 0
    ceiling = min(len(text), at + CALL_REACH)
    for _ in range(_MAX_STEPS):
        opened, closed = text.find('(', at, ceiling), text.find(')', at, ceiling)
        if closed == -1:
            return ceiling
        if opened != -1 and opened < closed:
            depth += 1
            at = opened + 1
        elif depth == 0:
            return closed
        else:
            depth -= 1
            at = closed + 1
    return ceiling


# `env::var("VAST_API_KEY").unwrap_or(`: the name a fallback call's chain starts from.
_CHAINED_NAME = re.compile(
    r'''\([ \t]*["'](?P<name>[\w.:-]{1,100})["'][ \t]*\)[ \t]*(?:\?[ \t]*)?\.[ \t]*$''',
)
_NAME_REACH = 100


def _name_before(text: str, end: int) -> tuple[int, str] | None:
    """(start, name) of the identifier (dots and `::` allowed) that ends at `end`, read
    backwards one character at a time: at most _NAME_REACH of them."""
    stop = end
    while stop > 0 and text[stop - 1] in ' \t':
        stop -= 1
    start, floor = stop, max(0, stop - _NAME_REACH)
    while start > floor and (text[start - 1].isalnum() or text[start - 1] in '_.:'):
        start -= 1
    name = text[start:stop].lstrip('.:0123456789')
    return (stop - len(name), name) if name else None


def callee(text: str, value_start: int) -> str | None:
    """The name of the call a literal is an argument of (`VastClient` for
    `VastClient(region="x", api_key="KEY")`), or None."""
    opened = _open_paren(text, value_start)
    if opened == -1:
        return None
    found = _name_before(text, opened)
    return found[1] if found is not None else None


def fallback_owner(text: str, value_start: int, fallbacks: frozenset[str]) -> str | None:
    """The setting a fallback call's literal stands in for: `env::var("X").unwrap_or("KEY")`,
    `cfg.get("X").orElse("KEY")` -> X."""
    opened = _open_paren(text, value_start)
    if opened == -1:
        return None
    found = _name_before(text, opened)
    if found is None:
        return None
    start, name = found
    method = name.rsplit('.', 1)[-1]
    if method.lower() not in fallbacks:
        return None
    chain_end = start + len(name) - len(method)
    chained = _CHAINED_NAME.search(text, max(0, chain_end - 200), chain_end)
    return chained['name'] if chained is not None else None


def call_owners(text: str, value_start: int) -> list[str]:
    """The names a literal's call gives it: its naming keywords, then the call's target."""
    opened = _open_paren(text, value_start)
    if opened == -1:
        return []
    arguments = text[opened + 1:_close_paren(text, value_start)]
    found = [match['name'] for match in _NAMING_KEYWORD.finditer(arguments)]
    first = _FIRST_NAME.match(arguments)
    if first is not None:
        found.append(first['name'])  # `.get("vast_api_key", fallback=...)`
    line_start = text.rfind('\n', max(0, opened - 200), opened) + 1
    target = _TARGET.search(text, max(line_start, opened - 200), opened)
    if target is not None:
        found.append(target['target'])
    return found
