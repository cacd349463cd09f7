"""The installed vastai-guard's version, looked up only when asked (`--version`, init's rev,
SARIF's tool version): importlib.metadata costs the hook its start-up time."""
from __future__ import annotations

from vastai_guard.errors import FatalError


def tool_version(default: str | None = None) -> str:
    """The installed vastai-guard's version; `default` when it is run from a source tree that
    was never installed (None: that is the user's problem to fix, said as one line).

    Looked up only when asked: importlib.metadata costs the hook its start-up time.
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version

    try:
        return version('vastai-guard')
    except PackageNotFoundError:
        if default is not None:
            return default
        raise FatalError(
            'vastai-guard is not installed (pip install it), so its version is unknown',
        ) from None
