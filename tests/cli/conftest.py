from __future__ import annotations

from testing.hookrepo import hook_repo  # noqa: F401 -- the session fixture, built once
