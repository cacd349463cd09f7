"""`vastai-guard rotated FINGERPRINT`: record in the ledger that a key was rotated."""
from __future__ import annotations

import datetime
import re

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import FatalError
from vastai_guard.findings import FINGERPRINT_PREFIX_SHAPE
from vastai_guard.findings import FINGERPRINT_SHAPE
from vastai_guard.findings import Rotation
from vastai_guard.findings import fingerprint as fingerprint_of
from vastai_guard.findings import redact_runs
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.history.run import run_history
from vastai_guard.options import RotatedOptions
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.ledger import record_rotation
from vastai_guard.policy.suppress import fingerprint_allowed
from vastai_guard.vocabulary import SHORT_FINGERPRINT

_HEX_64 = re.compile(r'[0-9a-fA-F]{64}')


def _history_fingerprints(repo: runner.Repository, config: Config) -> set[str]:
    """The fingerprint of every key in history, unreachable commits included."""
    result = run_history(
        repo, config, range_spec=None, include_unreachable=True, baseline_path=None,
    )
    return {key.fingerprint for key in result.keys}


def _resolve(prefix: str, known: set[str]) -> str:
    """The one fingerprint in history starting with `prefix`."""
    matches = sorted(known_print for known_print in known if known_print.startswith(prefix))
    # a long "prefix" may be most of a key pasted by mistake: echoed redacted
    echoed = redact_runs(prefix)
    if not matches:
        raise FatalError(
            f'no key in this repository\'s history has a fingerprint starting with {echoed} '
            '(give the full fingerprint to record a key found elsewhere)',
        )
    if len(matches) > 1:
        shown = max(SHORT_FINGERPRINT, len(prefix) + 4)  # enough to tell them apart
        raise FatalError(
            f'{echoed} matches {len(matches)} fingerprints ({", ".join(m[:shown] for m in matches)}'
            '...): give more characters',
        )
    return matches[0]


def _refuse_a_key(value: str, known: set[str], config: Config) -> None:
    """FatalError when `value` is a key itself, not a fingerprint.

    A full fingerprint and a Vast.ai key look alike (64 hex); what tells them apart is that a
    key's SHA-256 is a fingerprint we know, from history, the ledger or the allow list. A
    fingerprint found in history is accepted first: that key is in the repository.
    """
    if value in known:
        return
    hashed = fingerprint_of(value)
    if (
            hashed in known
            or any(entry.fingerprint == hashed for entry in config.rotated)
            or fingerprint_allowed(hashed, config.allow_fingerprints)
    ):
        raise FatalError(
            'that is the key itself, not its fingerprint: pass `vastai-guard history` \'s '
            'fingerprint (nothing was recorded; the key is not stored anywhere)',
        )


def rotated(options: RotatedOptions, gitpython: repository.GitPythonCheck | None = None) -> int:
    """Record the key with this fingerprint (or unique prefix) as rotated in the ledger."""
    fingerprint, note = options.fingerprint, options.note
    value = fingerprint.strip().lower()
    if _HEX_64.search(note):
        raise FatalError(
            'the note holds a 64-hex value (a key, or a fingerprint): leave it out, the '
            'fingerprint is recorded on its own line',
        )
    if not FINGERPRINT_PREFIX_SHAPE.fullmatch(value):
        raise FatalError(
            f'{redact_runs(fingerprint)!r} is not a fingerprint: give the 64 hex characters '
            f'`vastai-guard history` printed, or a unique prefix of at least {SHORT_FINGERPRINT} '
            'characters',
        )
    with repository.open_repository(options.repo_path, gitpython) as repo:
        path = config_path(repo.root, options.config_file)
        config = load_config(path)
        known = _history_fingerprints(repo, config)
    if FINGERPRINT_SHAPE.fullmatch(value):
        _refuse_a_key(value, known, config)
    else:
        value = _resolve(value, known)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    short = value[:SHORT_FINGERPRINT]
    if record_rotation(path, Rotation(value, today, note), root=repo.root):
        print(f'Recorded {short} as rotated in {path}. Commit it so the team and CI share it.')
    else:
        print(f'{short} is already recorded as rotated in {path}.')
    return EXIT_CLEAN
