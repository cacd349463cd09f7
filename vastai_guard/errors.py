"""One error type for every failure that is the user's or the environment's, and the exit codes."""
from __future__ import annotations

import sys
from collections.abc import Callable

from vastai_guard.vocabulary import ISSUES_URL

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2  # usage, config or environment: argparse already uses 2 for usage
EXIT_UNEXPECTED = 3
EXIT_INTERRUPTED = 130


class FatalError(RuntimeError):
    """Scanning could not be done; the message is one actionable line."""


def run_guarded(command: Callable[[], int]) -> int:
    """Run a command, turning every failure into its exit code and one line on stderr.

    Finding a key (1) must never share a code with failing to scan (2, 3): CI steps and
    pre-commit both act on the difference.
    """
    try:
        return command()
    except FatalError as error:
        print(f'vastai-guard: error: {error}', file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print('vastai-guard: interrupted', file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `vastai-guard ... | head`: the reader left; nothing more to say to it
        sys.stderr.close()
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 -- the boundary that maps the unexpected to 3
        print(
            f'vastai-guard: unexpected error: {type(error).__name__}: {error}\n'
            f'Please report it: {ISSUES_URL}',
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED
