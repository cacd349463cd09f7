"""The CLI and the host installer: `vastai set api-key KEY`, `vastai ... --api-key KEY`,
`./vast.py set api-key KEY`, `python3 install KEY` after `wget https://console.vast.ai/install`.
"""
from __future__ import annotations

import re

from vastai_guard.detect import rules
from vastai_guard.detect.context import Judged
from vastai_guard.detect.context import lines_around
from vastai_guard.detect.context import logical_line_start
from vastai_guard.detect.context import marker
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict

_CLI_NAME = re.compile(rules.CLI_NAME)
_HOST_INSTALL = re.compile(rules.HOST_INSTALL)
# How far back a CLI command's name may be before its `--api-key`.
_COMMAND_REACH = 2048
_CLI_FLAGS = frozenset(('--api-key', '--api_key'))
_SET_API_KEY = frozenset(('api-key', 'api_key'))


def judge(case: Judged) -> Answer:
    slot, text, candidate = case.slot, case.text, case.candidate
    if not slot.name or slot.operator not in (' ', '='):
        return None
    lowered = slot.name.lower()
    command_start = max(logical_line_start(text, candidate.line_start), slot.start - _COMMAND_REACH)
    if case.vast.between(command_start, slot.start) and _CLI_NAME.search(
            text, command_start, slot.start) is not None:
        before = text[max(candidate.line_start, slot.start - 16):slot.start]
        if lowered in _SET_API_KEY and slot.operator == ' ' and before.rstrip().endswith('set'):
            return Verdict(rules.CLI, 'cli set api-key')
        if lowered in _CLI_FLAGS:
            return Verdict(rules.CLI, f'cli {lowered}')
    if slot.operator == ' ' and lowered == 'install' and _HOST_INSTALL.search(
            text, candidate.line_start, candidate.start) is not None:
        window = lines_around(text, candidate.line_start, candidate.line_end, 2)
        if marker(text, *window, case.vast) is not None:
            return Verdict(rules.CLI, 'host install')
    return None
