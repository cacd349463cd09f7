"""Asking a remote whether it has a tag or branch (`init` checks the rev it writes)."""
from __future__ import annotations

import re
import subprocess
from typing import NamedTuple

from vastai_guard.git import runner

# Long enough for a slow network, short enough that `init` offline does not seem to hang.
TIMEOUT_SECONDS = 20.0
_COMMIT_ID = re.compile(r'[0-9a-f]{40}|[0-9a-f]{64}')


class Answer(NamedTuple):
    exists: bool | None  # None: the remote could not be asked, or a commit id cannot be
    reason: str = ''  # why it could not be asked


def has_rev(url: str, rev: str, *, cwd: str) -> Answer:
    """Whether `url` has a tag or branch named `rev` (`git ls-remote --exit-code`).

    A commit id is not listed by ls-remote unless a ref names it: it is not judged. The
    remote is asked with the hardening (no credential helper, no prompt): a private
    repository that needs credentials cannot be asked, and says so.
    """
    if _COMMIT_ID.fullmatch(rev):
        return Answer(None, 'a commit id: only pre-commit can fetch it')
    try:
        result = runner.run(
            ('ls-remote', '--exit-code', '--tags', '--heads', '--', url,
             f'refs/tags/{rev}', f'refs/heads/{rev}'),
            cwd=cwd, timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return Answer(None, f'no answer in {TIMEOUT_SECONDS:.0f} s')
    if result.returncode == 0:
        return Answer(True)
    if result.returncode == 2:  # --exit-code: reached, and no ref matched
        return Answer(False)
    return Answer(None, runner.last_error_line(result))
