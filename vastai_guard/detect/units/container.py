"""CONTAINER_API_KEY: the per-instance key Vast sets inside every instance."""
from __future__ import annotations

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect.context import Judged
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict


def judge(case: Judged) -> Answer:
    name = case.slot.name
    if name and names.is_container_key(name):
        return Verdict(rules.CONTAINER, f'name {names.label(name)}')
    return None
