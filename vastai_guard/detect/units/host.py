"""A generic slot in a Vast.ai context: `api_key = KEY`, `Bearer KEY`, `token: KEY`,
`VastAI("KEY")`, a Markdown label (`Your API key:`) above a key alone on its line, a name that
says vast with a comment saying key (`VAST = 'KEY'  # vast.ai key`). What says Vast.ai is
evidence.py's.
"""
from __future__ import annotations

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect import structure
from vastai_guard.detect.context import Judged
from vastai_guard.detect.document import code
from vastai_guard.detect.units.evidence import is_generic
from vastai_guard.detect.units.evidence import vast_evidence
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict

# Lines above a key alone on its line in which its label (`Your API key:`) may stand: blank
# lines and a code fence between them.
_LABEL_LINES = 3
_FENCES = ('```', '~~~')
_BEARER_FLAGS = frozenset(('bearer', '--oauth2-bearer'))
_COMMENTS = ('#', '//')


def judge(case: Judged) -> Answer:
    name, operator = case.slot.name, case.slot.operator
    if not name:
        return _labelled_in_markdown(case)
    lowered = name.lower()
    if operator == '(' and names.says_vast(name):
        return Verdict(rules.HOST_CONTEXT, f'call {names.label(name)}')
    if operator != '(' and names.says_vast(name) and _comment_says_key(case):
        return Verdict(rules.HOST_CONTEXT, f'name {names.label(name)} and its comment')
    generic = names.is_secret_slot(name) and operator != ' '
    if not (generic or lowered in _BEARER_FLAGS or operator == '('):
        return None
    if rules.ENV_VAR_COMMAND in case.line:
        return VETO  # `vastai create env-var NAME VALUE`: another vendor's secret
    if generic and operator in ('=', ':') and is_generic(name):
        # `VastClient(region="x", api_key="KEY")` over several lines: the call names Vast
        called = code.callee(case.text, case.candidate.start)
        if called is not None and names.says_vast(called) and not names.is_excluded(called):
            return Verdict(rules.HOST_CONTEXT, f'call {names.label(called)} / {names.label(name)}')
    evidence = vast_evidence(case, generic_name=is_generic(name))
    return None if evidence is None else Verdict(rules.HOST_CONTEXT, evidence)


def _comment_says_key(case: Judged) -> bool:
    """The same line's comment names a Vast credential: `VAST = '...'  # vast.ai key`."""
    rest = case.text[case.candidate.end:case.candidate.line_end]
    at = min((rest.find(mark) for mark in _COMMENTS if mark in rest), default=-1)
    if at == -1:
        return False
    comment = rest[at:].lstrip('#/ \t')
    return names.says_vast(comment) and names.is_secret_slot(comment) and not names.is_excluded(
        comment)


def _labelled_in_markdown(case: Judged) -> Answer:
    """A key alone on its line (a code block) under a label in a Markdown file, in a Vast.ai
    context: `## Vast.ai` / `Your API key:` / the key. The label must name a credential (not
    `Checksum:` or `Image digest:`) and end its line with a colon."""
    text, candidate = case.text, case.candidate
    if not case.facts.markdown:
        return None
    if case.line.strip(' \t`') != text[candidate.start:candidate.end]:
        return None
    # within structure's bounded walk: a label on a line above is a few bytes away
    for _, line in structure.lines_above(text, candidate.line_start, _LABEL_LINES):
        line = line.strip()
        if not line or line.startswith(_FENCES):
            continue
        label = line.strip('*_>#- \t')
        if not label.endswith(':'):
            return None
        label = label[:-1].strip('*_` \t')
        if (
                len(label) > rules.MAX_LABEL_LENGTH
                or not names.is_secret_slot(label)
                or names.is_excluded(label)
        ):
            return None
        evidence = vast_evidence(case, generic_name=True)
        return None if evidence is None else Verdict(rules.HOST_CONTEXT, evidence)
    return None
