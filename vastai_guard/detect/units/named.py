"""A Vast-named slot: `VAST_API_KEY=KEY`, `vastApiKey: "KEY"`, `--vast-api-key KEY`, and a
`value:` / `default =` slot whose owner has such a name (`- name: VAST_API_KEY` / `value: KEY`,
`variable "vast_api_key" { default = "KEY" }`). A name that holds something else (a digest, an
SSH identity, another vendor's secret) vetoes the candidate.
"""
from __future__ import annotations

import re

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect import structure
from vastai_guard.detect.context import Judged
from vastai_guard.detect.document import code
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict

_SIBLING_ON_LINE = re.compile(r'''\b(?:key|name|id)[ \t]*=[ \t]*["'](?P<name>[^"'\n]{1,100})["']''')


def judge(case: Judged) -> Answer:
    name, operator = case.slot.name, case.slot.operator
    if not name:
        return None
    if names.is_excluded(name):
        return VETO
    if names.is_vast_secret_name(name) and operator != '(':
        kind = 'flag' if name.startswith('-') else 'name'
        return Verdict(rules.ASSIGNMENT, f'{kind} {names.label(name)}')
    fallback = _fallback_owner(case)
    if fallback is not None:
        return fallback
    if name.lower() in rules.VALUE_SLOTS:
        owner = owner_of_value(case)
        if owner is not None and names.is_vast_secret_name(owner):
            return Verdict(rules.ASSIGNMENT, f'name {names.label(owner)}')
        start = case.candidate.start
        if not case.vast.between(start - code.CALL_REACH, start + code.CALL_REACH):
            return None  # whatever call it is in, nothing near it says vast
        for owner in code.call_owners(case.text, start):
            if names.is_vast_secret_name(owner):
                return Verdict(rules.ASSIGNMENT, f'name {names.label(owner)} ({name} of a call)')
    return None


def _fallback_owner(case: Judged) -> Answer:
    """`env::var("VAST_API_KEY").unwrap_or("KEY")`: the setting a fallback stands in for."""
    start = case.candidate.start
    if case.slot.operator not in ('(', '|') or not case.vast.between(
            start - code.CALL_REACH, start):
        return None
    owner = code.fallback_owner(case.text, start, rules.FALLBACK_CALLS)
    if owner is not None and names.is_vast_secret_name(owner):
        return Verdict(rules.ASSIGNMENT, f'name {names.label(owner)} (its fallback)')
    return None


def owner_of_value(case: Judged) -> str | None:
    """The name of a `value:` / `default =` slot: an attribute on the line, the `name:` above,
    or the block it sits in (`variable "vast_api_key" {`)."""
    text, candidate = case.text, case.candidate
    on_line = _SIBLING_ON_LINE.search(text, candidate.line_start, case.slot.start)
    if on_line is not None:
        return on_line['name']
    if not case.vast.between(max(0, candidate.line_start - structure.WALK_BYTES),
                             candidate.line_start):
        return None  # whatever names it above, it is not a Vast name
    sibling = structure.sibling_name(text, candidate.line_start)
    if sibling is not None:
        return sibling
    parents = structure.enclosing(text, candidate.line_start, markdown=False)
    return parents[0].label if parents else None
