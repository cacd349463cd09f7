"""`vastai-guard rotated FINGERPRINT`: record in the ledger that a key was rotated."""
from __future__ import annotations

import datetime
import re
import sys

from vastai_guard import git
from vastai_guard.commands.history import run_history
from vastai_guard.config import Config
from vastai_guard.config import Rotation
from vastai_guard.config import config_path
from vastai_guard.config import load_config
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import FatalError
from vastai_guard.ledger import record_rotation

MIN_PREFIX = 8
_FULL = re.compile(r'[0-9a-f]{64}')
_PREFIX = re.compile(r'[0-9a-f]{%d,64}' % MIN_PREFIX)


def _resolve(prefix: str, repo: git.HistoryRepo, config: Config) -> str:
    """The one fingerprint in history (unreachable commits included) starting with `prefix`."""
    result = run_history(
        repo, config, range_spec=None, include_unreachable=True, baseline_path=None,
    )
    matches = sorted({key.fingerprint for key in result.keys if key.fingerprint.startswith(prefix)})
    if not matches:
        raise FatalError(
            f'no key in this repository\'s history has a fingerprint starting with {prefix} '
            '(give the full fingerprint to record a key found elsewhere)',
        )
    if len(matches) > 1:
        raise FatalError(
            f'{prefix} matches {len(matches)} fingerprints ({", ".join(m[:16] for m in matches)}'
            '...): give more characters',
        )
    return matches[0]


def rotated(
        fingerprint: str,
        *,
        note: str,
        repo_path: str,
        config_file: str | None,
) -> int:
    value = fingerprint.strip().lower()
    if not _PREFIX.fullmatch(value):
        raise FatalError(
            f'{fingerprint!r} is not a fingerprint: give the 64 hex characters '
            f'`vastai-guard history` printed, or a unique prefix of at least {MIN_PREFIX}',
        )
    repo = git.open_history_repo(repo_path)
    path = config_path(repo.root, config_file)
    if not _FULL.fullmatch(value):
        value = _resolve(value, repo, load_config(path))
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    if record_rotation(path, Rotation(value, today, note)):
        print(f'Recorded {value[:12]} as rotated in {path}. Commit it so the team and CI share it.')
    else:
        print(f'{value[:12]} is already recorded as rotated in {path}.')
    return EXIT_CLEAN
