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
