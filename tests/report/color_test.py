"""Colour only for a person at a terminal who did not turn it off."""
from __future__ import annotations

import io
import os

import pytest

from vastai_guard.report.color import BOLD
from vastai_guard.report.color import PLAIN
from vastai_guard.report.color import RED
from vastai_guard.report.color import Painter
from vastai_guard.report.color import Terminal
from vastai_guard.report.color import use_color


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ('no_color', 'env', 'tty', 'expected'),
    (
        (False, {}, True, True),
        (False, {}, False, False),  # a pipe, a file, a hook's captured output
        (True, {}, True, False),
        (False, {'NO_COLOR': '1'}, True, False),
        (False, {'NO_COLOR': ''}, True, True),  # no-color.org: empty means unset
    ),
)
def test_use_color(no_color: bool, env: dict[str, str], tty: bool, expected: bool) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert use_color(no_color=no_color, env=env, stream=stream) is expected


def test_painter() -> None:
    assert Painter(True)('key', RED, BOLD) == '\x1b[31;1mkey\x1b[0m'
    assert PLAIN('key', RED) == 'key'
    assert Painter(True)('', RED) == ''  # no escape codes around nothing


def test_terminal_verbosity() -> None:
    assert Terminal(verbosity=-1).quiet and not Terminal(verbosity=-1).verbose
    assert Terminal(verbosity=1).verbose and not Terminal(verbosity=1).quiet
    assert not Terminal().quiet and not Terminal().verbose
    assert Terminal(color=True).paint == Painter(True)
    assert Terminal().paint('x', RED) == 'x'


def test_a_real_pipe_is_not_a_terminal() -> None:
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, 'w') as stream:
            assert not use_color(no_color=False, env={}, stream=stream)
    finally:
        os.close(read_end)
