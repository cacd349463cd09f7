"""Suppressions other than inline comments (which the detector honours on the line itself):
config path excludes and allowed fingerprints, and detect-secrets baselines."""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from typing import Any

from vastai_guard.errors import FatalError
from vastai_guard.findings import Finding
from vastai_guard.policy.config import Config


@functools.lru_cache(maxsize=None)
def _glob_regex(pattern: str) -> Any:
    """A path glob as an RE2 pattern: `**` spans folders, `*` and `?` stay in one; a glob
    without `/` matches the file name at any depth, as in .gitignore.

    RE2, because a glob is the user's: `*a*a*a*a*b` would make a backtracking engine take
    exponential time on a long path, and RE2 takes linear time on any pattern.
    """
    from vastai_guard.detect.detector import re2_module
    anchored = '/' in pattern.rstrip('/')
    pattern = pattern.strip('/')
    parts = []
    i = 0
    while i < len(pattern):
        if pattern.startswith('**/', i):
            parts.append('(?:.*/)?')
            i += 3
        elif pattern.startswith('**', i):
            parts.append('.*')
            i += 2
        elif pattern[i] == '*':
            parts.append('[^/]*')
            i += 1
        elif pattern[i] == '?':
            parts.append('[^/]')
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    prefix = '' if anchored else '(?:.*/)?'
    # a folder pattern (`docs/`, `docs`) also covers everything below it
    return re2_module().compile(prefix + ''.join(parts) + '(?:/.*)?')


def path_excluded(path: str, config: Config) -> bool:
    return any(_glob_regex(glob).fullmatch(path) for glob in config.exclude_paths)


BASELINE_FILE = '.secrets.baseline'


def baseline_path(root: str, explicit: str | None) -> str | None:
    """`--baseline FILE`, else the repository's `.secrets.baseline` if it has one (history).

    Found by itself so that `history` (CI, the push hook) honours the baseline the commit hook
    was given through `args:`, without saying it twice. `scan` is the commit hook: like
    detect-secrets-hook it reads a baseline only when its arguments name one.
    """
    if explicit is not None:
        return explicit
    found = os.path.join(root, BASELINE_FILE)
    return os.path.relpath(found) if os.path.isfile(found) else None


# detect-secrets baselines of large monorepos run to a few MB; no real one is near this
_MAX_BASELINE_BYTES = 64 << 20


def load_baseline(path: str) -> frozenset[str]:
    """The `hashed_secret` values of a detect-secrets baseline.

    A secret in the baseline is known: it is not reported again in any file, as
    detect-secrets-hook does not report it again.
    """
    from vastai_guard.files.reading import read_regular

    try:
        import json  # only with a baseline to read

        data = json.loads(read_regular(path, max_bytes=_MAX_BASELINE_BYTES))
    except FileNotFoundError:
        raise FatalError(f'{path}: baseline file not found') from None
    except RecursionError:
        raise FatalError(f'{path}: not a detect-secrets baseline: nested too deeply') from None
    except ValueError as error:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors; their messages give a
        # position, never the text
        raise FatalError(f'{path}: not a detect-secrets baseline: {error}'[:300]) from None
    except OSError as error:
        raise FatalError(f'cannot read baseline {error}') from None
    results = data.get('results') if isinstance(data, dict) else None
    if not isinstance(results, dict):
        raise FatalError(f'{path}: not a detect-secrets baseline: no "results" mapping')
    hashes: set[str] = set()
    for entries in results.values():
        # detect-secrets writes a list of {"hashed_secret": "<sha1 hex>", ...} per file: a
        # file that says otherwise was not written by it, and guessing could hide a finding
        if not isinstance(entries, list) or not all(
                isinstance(entry, dict) and isinstance(entry.get('hashed_secret'), str)
                for entry in entries
        ):
            raise FatalError(
                f'{path}: not a detect-secrets baseline: "results" entries must be lists of '
                'objects with a "hashed_secret" string',
            )
        hashes.update(entry['hashed_secret'] for entry in entries)
    return frozenset(hashes)


def fingerprint_allowed(fingerprint: str, allowed: frozenset[str]) -> bool:
    """`allow_fingerprints` holds full fingerprints or prefixes of at least 12 characters."""
    return fingerprint in allowed or any(fingerprint.startswith(entry) for entry in allowed)


def is_suppressed(
        fingerprint: str, hashed_secret: str, *, config: Config, baseline: frozenset[str],
) -> bool:
    """A key the team has said is not to be reported: allowed by fingerprint, or in the baseline.

    The one suppression stage of `scan` and `history` alike (paths are excluded before either
    reads a file: `sources.wanted`).
    """
    return fingerprint_allowed(fingerprint, config.allow_fingerprints) or hashed_secret in baseline


def unsuppressed(
        findings: Iterable[Finding],
        *,
        config: Config,
        baseline: frozenset[str],
) -> list[Finding]:
    return [
        finding for finding in findings
        if not is_suppressed(
            finding.fingerprint, finding.hashed_secret, config=config, baseline=baseline,
        )
        and not path_excluded(finding.path, config)
    ]
