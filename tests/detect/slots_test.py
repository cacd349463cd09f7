"""The slot a value sits in, read back from the value: slots.slot_before."""
from __future__ import annotations

import pytest

from vastai_guard.detect.slots import slot_before

VALUE = 'VALUE_TOKEN_0123456789'


def _slot(line: str) -> tuple[str, str]:
    start = line.index(VALUE)
    slot = slot_before(line, start, 0)
    return slot.name, slot.operator


@pytest.mark.parametrize(
    ('line', 'name', 'operator'),
    (
        (f'VAST_API_KEY={VALUE}', 'VAST_API_KEY', '='),
        (f'export VAST_API_KEY="{VALUE}"', 'VAST_API_KEY', '='),
        (f'  "vastApiKey": "{VALUE}",', 'vastApiKey', ':'),
        (f'vast_api_key: {VALUE}', 'vast_api_key', ':'),
        (f'os.environ["VAST_API_KEY"] = "{VALUE}"', 'VAST_API_KEY', '='),
        (f'key="${{VAST_API_KEY:-{VALUE}}}"', 'VAST_API_KEY', '='),
        (f"api_key = process.env.VAST_KEY || '{VALUE}'", 'process.env.VAST_KEY', '||'),
        (f'const VAST_KEY: &str = "{VALUE}";', 'VAST_KEY', '='),
        (f'client = VastAI("{VALUE}")', 'VastAI', '('),
        (f'vastai --api-key {VALUE}', '--api-key', ' '),
        (f'Authorization: Bearer {VALUE}', 'Bearer', ' '),
        (f'{{"VAST_API_KEY" => "{VALUE}"}}', 'VAST_API_KEY', '=>'),
        (f'VAST_API_KEY := "{VALUE}"', 'VAST_API_KEY', ':='),
    ),
)
def test_slot_before(line: str, name: str, operator: str) -> None:
    assert _slot(line) == (name, operator)


def test_start_points_at_the_name() -> None:
    line = f'export VAST_API_KEY={VALUE}'
    slot = slot_before(line, line.index(VALUE), 0)
    assert line[slot.start:slot.start + len(slot.name)] == 'VAST_API_KEY'


def test_nothing_names_a_bare_value() -> None:
    assert slot_before(VALUE, 0, 0).name == ''


def test_never_reads_past_the_line_start() -> None:
    # the previous line's name must not name this line's value
    text = f'VAST_API_KEY=\n{VALUE}'
    line_start = text.index(VALUE)
    assert slot_before(text, line_start, line_start).name == ''
