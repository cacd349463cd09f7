"""Policy from the base: a range (a pull request, a push) is judged by the rules it started from.

A range that adds a key can also add what allows it: an `allow_fingerprints` or `exclude_paths`
entry, a `rotated:` entry for a rotation that never happened, the key's hash in
`.secrets.baseline`. Read from the work tree, those would let the change approve itself. So
`history --range`, `--pre-push` and the Action read config, ledger and baseline as the base
commit holds them (the merge base, the remote's tip), as git objects (`cat-file blob`: never
through a filter or textconv), and every allowance the range itself adds that lets a key of
the range pass is reported on its own ("this change allows key ..."), failing the gate unless
`--trust-allowances` says the range's own policy is trusted.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.errors import FatalError
from vastai_guard.findings import ExposedKey
from vastai_guard.git import runner
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import parse_config
from vastai_guard.policy.suppress import fingerprint_allowed
from vastai_guard.policy.suppress import parse_baseline
from vastai_guard.policy.suppress import path_excluded
from vastai_guard.vocabulary import PENDING_STATUSES
from vastai_guard.vocabulary import SHORT_FINGERPRINT


class Policy(NamedTuple):
    """Config (allow list, exclusions, ledger) and baseline hashes, as one commit holds them."""
    config: Config
    baseline: frozenset[str]


class RangeEnds(NamedTuple):
    base: str | None  # None: the range starts a history (nothing to inherit: no allowance)
    tip: str


def commit_of(repo: runner.Repository, revision: str) -> str | None:
    """The commit `revision` names, or None when it names none here."""
    result = runner.run_in(
        repo, ('rev-parse', '--verify', '--quiet', '--end-of-options', f'{revision}^{{commit}}'),
    )
    return result.stdout.decode('ascii', 'replace').strip() or None


def range_ends(repo: runner.Repository, revs: Sequence[str]) -> RangeEnds:
    """The base and tip of `revs` (`BASE..TIP`, `A...B`, or `TIP --not --remotes`).

    The base of `A..B` is their merge base: a branch behind its target is judged by the policy
    it forked from, not by one it never saw. `TIP --not --remotes` (a new branch pushed): the
    parent of its oldest commit no remote has.
    """
    if len(revs) == 1 and '..' in revs[0]:
        separator = '...' if '...' in revs[0] else '..'
        start, end = (part or 'HEAD' for part in revs[0].split(separator, 1))
        tip = commit_of(repo, end)
        if tip is None:
            raise FatalError(f'{revs[0]}: {end!r} is not a commit')
        found = runner.run_in(repo, ('merge-base', '--end-of-options', start, end))
        base = found.stdout.decode('ascii', 'replace').split()
        return RangeEnds(base[0] if found.returncode == 0 and base else None, tip)
    tip = commit_of(repo, revs[0])
    if tip is None:
        raise FatalError(f'{revs[0]!r} is not a commit')
    boundary = runner.run_in(repo, ('rev-list', '--boundary', *revs, '--'))
    bases = [
        line[1:] for line in boundary.stdout.decode('ascii', 'replace').splitlines()
        if line.startswith('-')
    ]
    return RangeEnds(bases[0] if bases else None, tip)


def _blob(repo: runner.Repository, commit: str, path: str) -> bytes | None:
    """The file at `path` in `commit`, as stored (no filter, no textconv); None when absent."""
    result = runner.run_in(repo, ('cat-file', 'blob', f'{commit}:{path}'))
    return result.stdout if result.returncode == 0 else None


def repository_path(repo: runner.Repository, path: str | None) -> str | None:
    """`path` relative to the work tree, '/'-separated; None when it lies outside it."""
    if path is None:
        return None
    relative = os.path.relpath(os.path.realpath(path), os.path.realpath(repo.root))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep) or os.path.isabs(relative):
        return None
    return relative.replace(os.sep, '/')


def policy_at(
        repo: runner.Repository,
        commit: str | None,
        *,
        config_file: str,
        baseline_file: str,
        max_config_bytes: int,
) -> Policy:
    """The policy `commit` holds (repository-relative paths); no commit or no file: nothing
    allowed, which is the strict answer."""
    if commit is None:
        return Policy(Config(), frozenset())
    shown = f'{commit[:SHORT_FINGERPRINT]}:'
    config = Config()
    data = _blob(repo, commit, config_file)
    if data is not None:
        if len(data) > max_config_bytes:
            raise InvalidConfigError(f'{shown}{config_file}: larger than {max_config_bytes} bytes')
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError as error:
            raise InvalidConfigError(
                f'{shown}{config_file}: cannot read: not UTF-8 ({error.reason})',
            ) from None
        config = parse_config(text, shown + config_file)
    baseline = frozenset[str]()
    data = _blob(repo, commit, baseline_file)
    if data is not None:
        baseline = parse_baseline(data, shown + baseline_file)
    return Policy(config, baseline)


def policy_of(
        repo: runner.Repository,
        commit: str | None,
        *,
        config_file: str,
        baseline_file: str | None,
        config_here: Config,
) -> Policy:
    """The policy `commit` holds: the config at `config_file` and the baseline at
    `baseline_file` (None: no baseline), both paths as the caller names them. A file outside
    the work tree is the caller's own and the same at every commit: `config_here` for the
    config, the baseline read from disk."""
    from vastai_guard.files import yamlcheck
    from vastai_guard.policy.suppress import load_baseline

    config_in_repo = repository_path(repo, config_file)
    baseline_in_repo = repository_path(repo, baseline_file)
    policy = policy_at(
        repo, commit, config_file=config_in_repo or '', baseline_file=baseline_in_repo or '',
        max_config_bytes=yamlcheck.MAX_CONFIG_BYTES,
    )
    if config_in_repo is None:
        policy = policy._replace(config=config_here)
    if baseline_in_repo is None and baseline_file is not None:
        policy = policy._replace(baseline=load_baseline(baseline_file))
    return policy


def _allowance(key: ExposedKey, base: Config, head: Config) -> str:
    """Which of the range's own additions lets `key` pass (its head policy does, its base not)."""
    if any(entry.fingerprint == key.fingerprint for entry in head.rotated) and not any(
            entry.fingerprint == key.fingerprint for entry in base.rotated):
        return 'a rotated: ledger entry'
    if fingerprint_allowed(key.fingerprint, head.allow_fingerprints) and not fingerprint_allowed(
            key.fingerprint, base.allow_fingerprints):
        return 'an allow_fingerprints entry'
    paths = [occurrence.path for occurrence in key.occurrences] or [key.first_seen.path]
    if any(path_excluded(path, head) and not path_excluded(path, base) for path in paths):
        return 'an exclude_paths entry'
    return 'its hash in the baseline'


def added_allowances(
        under_base: Sequence[ExposedKey], under_head: Sequence[ExposedKey],
        *, base: Config, head: Config,
) -> list[str]:
    """One line per key the base's policy reports and the range's own policy lets pass."""
    still = {key.fingerprint for key in under_head if key.status in PENDING_STATUSES}
    return [
        f'this change allows key {key.fingerprint[:SHORT_FINGERPRINT]} ({key.redacted}) with '
        f'{_allowance(key, base, head)} it adds: review it (the base\'s policy reports the key; '
        '--trust-allowances accepts the change\'s own)'
        for key in under_base
        if key.status in PENDING_STATUSES and key.fingerprint not in still
    ]
