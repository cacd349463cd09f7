"""The rule units: one module per way a 64-hex candidate becomes a Vast.ai key.

Each unit has one evidence function, `judge(case) -> Verdict | VETO | None`, and states its
precedence here: the units are asked in that order, the first that answers decides (a Verdict
names the rule and the context; VETO says "not a key", and no later unit is asked; None passes
the candidate on). Adding a shape is one unit, or one line of evidence in a unit: never a new
branch in a shared function. find_secrets, the detect-secrets plugins (through find_secrets) and
the history judge (through find_secrets) all use this one list.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from vastai_guard.detect.context import Judged
from vastai_guard.detect.rules import Rule
from vastai_guard.detect.units import cli
from vastai_guard.detect.units import container
from vastai_guard.detect.units import digest
from vastai_guard.detect.units import document
from vastai_guard.detect.units import host
from vastai_guard.detect.units import key_file
from vastai_guard.detect.units import named
from vastai_guard.detect.units import url
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict


class Unit(NamedTuple):
    name: str
    precedence: int  # lower is asked first
    judge: Callable[[Judged], Answer]


# The order is the policy: what the value itself says (a digest) first, then the key file it
# is written to, the CLI, a named slot, a URL, a generic slot judged by what says Vast.ai around
# it, and last the document's structure (the file parsed: built only for what no window
# decided, so a file whose candidates the windows settle is never parsed).
UNITS = tuple(sorted((
    Unit('digest', 10, digest.judge),
    Unit('key-file', 20, key_file.judge),
    Unit('cli', 30, cli.judge),
    Unit('container', 40, container.judge),
    Unit('named', 50, named.judge),
    Unit('url', 60, url.judge),
    Unit('host-context', 70, host.judge),
    Unit('document', 80, document.judge),
), key=lambda unit: unit.precedence))


def judge(case: Judged) -> tuple[Rule, str] | None:
    """The first unit's answer: the rule and context that make this a key, or None."""
    for unit in UNITS:
        answer = unit.judge(case)
        if answer is VETO:
            return None
        if answer is not None:
            assert isinstance(answer, Verdict)
            return answer.rule, answer.context
    return None
