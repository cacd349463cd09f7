"""A run right after `sha256:` / `sha512=` / `sha256sum ` is a digest: never a key."""
from __future__ import annotations

import re

from vastai_guard.detect import rules
from vastai_guard.detect.context import Judged
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer

_DIGEST_PREFIX = re.compile(rules.DIGEST_PREFIX)


def judge(case: Judged) -> Answer:
    start = case.candidate.start
    if _DIGEST_PREFIX.search(case.text, max(case.candidate.line_start, start - 16), start):
        return VETO
    return None
