"""The registry: every unit asked in its stated order, the first answer decides."""
from __future__ import annotations

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect import units
from vastai_guard.detect.detector import find_secrets


def test_units_are_ordered_by_their_stated_precedence() -> None:
    precedences = [unit.precedence for unit in units.UNITS]
    assert precedences == sorted(precedences)
    assert len({unit.name for unit in units.UNITS}) == len(units.UNITS)
    # what the value itself says (a digest) is asked before any context that would make it a key
    assert units.UNITS[0].name == 'digest'


def test_a_veto_stops_later_units() -> None:
    # `sha256:` vetoes although the name says Vast (the named unit would call it a key)
    key = new_key()
    assert find_secrets(f'VAST_API_KEY=sha256:{key}\n', '.env') == []


def test_the_earlier_unit_names_the_rule() -> None:
    # a key written to the CLI's key file under a Vast-named variable: the key-file unit is
    # asked first, so the finding says where it was written
    key = new_key()
    text = f'VAST_API_KEY={key} > ~/.vast_api_key\n'
    assert [(m.rule, m.context) for m in find_secrets(text, 'setup.sh')] == [
        (rules.KEY_FILE, 'written to .vast_api_key'),
    ]
