"""What a unit answers: a Verdict (this rule, because of this context), VETO, or None."""
from __future__ import annotations

import enum
from typing import NamedTuple
from typing import Union

from vastai_guard.detect.rules import Rule


class Verdict(NamedTuple):
    rule: Rule
    context: str  # what says Vast.ai, as a report shows it


class _Veto(enum.Enum):
    VETO = 'veto'


# Not a key, whatever a later unit would say (a digest, another vendor's slot).
VETO = _Veto.VETO
Answer = Union[Verdict, _Veto, None]
