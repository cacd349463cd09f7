"""Colour for people at a terminal; never in files, pipes, hooks' captured output or CI logs.

Off with `--no-color`, or with NO_COLOR set to anything but the empty string (no-color.org).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple
from typing import TextIO

RED = '31'
GREEN = '32'
YELLOW = '33'
BOLD = '1'
DIM = '2'


def use_color(*, no_color: bool, env: Mapping[str, str], stream: TextIO) -> bool:
    """Colour only for a terminal, and never when --no-color or NO_COLOR says no."""
    if no_color or env.get('NO_COLOR'):
        return False
    return stream.isatty()


class Painter(NamedTuple):
    """Wraps text in ANSI codes when enabled; plain text otherwise."""
    enabled: bool = False

    def __call__(self, text: str, *codes: str) -> str:
        if not self.enabled or not text:
            return text
        return f'\x1b[{";".join(codes)}m{text}\x1b[0m'


PLAIN = Painter(False)


class Terminal(NamedTuple):
    """What a person asked to be told: colour (only ever on a terminal), -q (-1), -v (1)."""
    color: bool = False
    verbosity: int = 0

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    @property
    def verbose(self) -> bool:
        return self.verbosity > 0

    @property
    def paint(self) -> Painter:
        return Painter(self.color)
