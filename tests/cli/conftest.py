from __future__ import annotations

from pathlib import Path

import pytest

from testing.hookrepo import hook_repo  # noqa: F401 -- the session fixture, built once


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mirrors of URL sources go to the test's folder, never the developer's ~/.cache."""
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path / 'xdg-cache'))
