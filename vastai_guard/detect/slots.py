"""The slot a value sits in: the name it is given to, read backwards from the value.

    VAST_API_KEY=KEY              name VAST_API_KEY, operator =
    "vastApiKey": "KEY"           name vastApiKey, operator :
    os.environ["X"] = "KEY"       name X
    ${VAST_API_KEY:-KEY}          name VAST_API_KEY (a shell or Spring default)
    process.env.X || 'KEY'        name process.env.X, operator ||
    getenv("X") ?: "KEY"          name X, operator ?: (Kotlin's elvis)
    const X: &str = "KEY"         name X (a type between name and `=` is skipped)
    VastAI("KEY")                 name VastAI, operator (
    --api-key KEY, Bearer KEY     name --api-key / Bearer, operator ' '

The text before the value is reversed and read with one anchored match: the work is bounded by
the match's length (at most a few hundred characters), never by the line's, so a long line
cannot make it slow.
"""
from __future__ import annotations

import re
from typing import NamedTuple

# How far before a value its slot may start: names, quotes and operators, with room to spare.
REACH = 240

# Everything here reads the line backwards, so each piece is written reversed: `>=` is `=>`,
# `=:` is `:=`, `ro` is ` or `, `"\` is `\"` (a JSON-escaped quote in a notebook).
_REVERSED_SLOT = re.compile(
    r'''
    (?:["'`]\\?){0,2}                            # the value's opening quote
    (?:
        # ${NAME:-value}, ${NAME:=value}, Spring ${name:value}
        [-=?]?:(?P<default>[\w.-]{1,80})\{\$
    |
        [ \t]{0,8}
        (?P<op>>=|=:|=\+|:\?|=|:|,|\|\||\?\?|ro(?=[ \t])|\(|\||>|[ \t])
        # a space-aligned listing (`Get-ChildItem Env:`, `printenv` columns) pads names wide
        [ \t]{0,64}
        (?P<close>[\])"'`\\]{0,4})               # the name's own closing quote or bracket
        (?P<name>[\w.:-]{1,100})
    )
    ''',
    re.VERBOSE,
)
# A type between a name and `=`: `x: str =`, `X: &str =`, `X: &'static str =`, Go `var X string =`.
_TYPE_WORDS = frozenset(('str', 'string', 'String', 'bytes', 'any', 'Any'))
_REVERSED_TYPE_GAP = re.compile(
    r"[ \t]{0,4}(?:citats'[ \t]{0,4})?&?[ \t]{0,4}:?[ \t]{0,4}(?P<name>[\w.:-]{1,100})",
)


class Slot(NamedTuple):
    name: str  # '' when nothing names the value
    operator: str  # '=', ':', ',', '(', '||', '??', 'or', '=>', ':=', '|', '>', ' '
    start: int  # where the name starts in the text


NO_SLOT = Slot('', '', -1)


def slot_before(text: str, value_start: int, line_start: int) -> Slot:
    """The slot of the value starting at `value_start`, looking back no further than the line."""
    floor = max(line_start, value_start - REACH)
    reversed_left = text[floor:value_start][::-1]
    match = _REVERSED_SLOT.match(reversed_left)
    if match is None:
        return NO_SLOT
    if match['default'] is not None:
        name = match['default'][::-1]
        return Slot(name, '=', value_start - match.end('default'))
    name_end = match.end('name')
    name = match['name'][::-1]
    operator = match['op'][::-1].strip() or ' '
    if name in _TYPE_WORDS and operator == '=':
        typed = _REVERSED_TYPE_GAP.match(reversed_left, name_end)
        if typed is not None:
            name_end = typed.end('name')
            name = typed['name'][::-1]
    return Slot(name, operator, value_start - name_end)
