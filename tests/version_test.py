"""tool_version: the installed version, or one clear line when it cannot be known."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version

import pytest

from vastai_guard.errors import FatalError
from vastai_guard.version import tool_version


def test_installed_version() -> None:
    assert tool_version() == version('vastai-guard')
    assert tool_version(default='0+unknown') == version('vastai-guard')


def _not_installed(name: str) -> str:
    raise PackageNotFoundError(name)


def test_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr('importlib.metadata.version', _not_installed)
    assert tool_version(default='0+unknown') == '0+unknown'
    # no default: exit 2 with a fix, not a traceback (PackageNotFoundError is unexpected: 3)
    with pytest.raises(FatalError, match='not installed'):
        tool_version()
