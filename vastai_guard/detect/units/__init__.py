"""The rule units: one module per way a 64-hex candidate becomes a Vast.ai key.

Each unit has one evidence function, `judge(case) -> Verdict | VETO | None`, and states its
precedence here: the units are asked in that order, the first that answers decides (a Verdict
names the rule and the context; VETO says "not a key", and no later unit is asked; None passes
the candidate on). Adding a shape is one unit, or one line of evidence in a unit: never a new
branch in a shared function. find_secrets, the detect-secrets plugins (through find_secrets) and
the history judge (through find_secrets) all use this one list.
"""
from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import NamedTuple

from vastai_guard.detect.context import Judged
from vastai_guard.detect.rules import Rule
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict


class Unit(NamedTuple):
    name: str
    precedence: int  # lower is asked first
    module: str  # the unit's module under vastai_guard.detect.units: its `judge` is the evidence

    @property
    def judge(self) -> Callable[[Judged], Answer]:
        return _judge_of(self.module)


@functools.lru_cache(maxsize=None)
def _judge_of(module: str) -> Callable[[Judged], Answer]:
    """A unit's evidence function, its module imported when first asked: a commit whose keys
    the first units settle never loads the rest (the hook's start-up stays light)."""
    judge: Callable[[Judged], Answer] = importlib.import_module(
        f'{__name__}.{module}').judge
    return judge


# The order is the policy: what the value itself says (a digest) first, then the key file it
# is written to, the CLI, a named slot, a URL, a generic slot judged by what says Vast.ai around
# it, and last the document's structure (the file parsed: built only for what no window
# decided, so a file whose candidates the windows settle is never parsed).
UNITS = tuple(sorted((
    Unit('digest', 10, 'digest'),
    Unit('key-file', 20, 'key_file'),
    Unit('cli', 30, 'cli'),
    Unit('container', 40, 'container'),
    Unit('named', 50, 'named'),
    Unit('url', 60, 'url'),
    Unit('host-context', 70, 'host'),
    Unit('document', 80, 'document'),
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
