"""One Vast.ai key per environment: find a key shared by the env files of two environments.

Security checklists ask for different keys in dev, staging and prod, so a leaked dev key
cannot spend production credit. Keys are compared by fingerprint and never leave this module.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from vastai_guard.detect import filenames
from vastai_guard.findings import Problem
from vastai_guard.findings import fingerprint
from vastai_guard.git import worktree
from vastai_guard.vocabulary import SHORT_FINGERPRINT

# Env files are a few kilobytes; anything far larger is not one, and is not read whole.
_MAX_ENV_FILE = 1 << 20


def env_files_on_disk(root: str, known: Sequence[str]) -> list[str]:
    """Real env files in the work tree: `known` (tracked, untracked) and the ignored ones.

    Ignored files inside ignored folders are listed too (git walks into them for the
    pathspec), which is the slow part on a repository with large ignored folders: opt-in.
    """
    ignored = worktree.matching_files(filenames.PATHSPECS, root=root, ignored=True)
    return sorted(
        path for path in {*known, *ignored}
        if filenames.is_env_file(path) and os.path.isfile(os.path.join(root, path))
    )


def _fingerprints(root: str, path: str) -> set[str]:
    from vastai_guard.detect.decode import text_to_scan
    from vastai_guard.detect.detector import find_secrets
    from vastai_guard.files.reading import read_regular

    try:
        # never open() what is not a regular file: an env file that is a FIFO would block
        data = read_regular(os.path.join(root, path), max_bytes=_MAX_ENV_FILE)
    except OSError:  # TooLargeError and NotRegularFileError too: not an env file to compare
        return set()
    text = text_to_scan(path, data)
    if text is None:
        return set()
    return {fingerprint(match.secret) for match in find_secrets(text, path)}


def reused_keys(root: str, paths: Sequence[str]) -> list[Problem]:
    """A problem per key found in the env files of more than one environment."""
    seen: dict[str, dict[str, list[str]]] = {}  # fingerprint -> environment -> paths
    for path in paths:
        for key in _fingerprints(root, path):
            seen.setdefault(key, {}).setdefault(filenames.environment(path), []).append(path)
    problems = []
    for key, by_environment in sorted(seen.items()):
        if len(by_environment) < 2:
            continue
        files = sorted(path for group in by_environment.values() for path in group)
        environments = ', '.join(sorted(by_environment))
        problems.append(Problem(
            'reused-key', files[0],
            f'the same Vast.ai key (fingerprint {key[:SHORT_FINGERPRINT]}) is in '
            f'{", ".join(files)}, '
            f'used by {environments}: create a separate key for each environment '
            '(Vast.ai Keys page, or `vastai create api-key --name NAME`) so that one leak '
            'cannot reach the others',
        ))
    return problems
