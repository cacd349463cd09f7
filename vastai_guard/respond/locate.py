"""Find a key in a repository by its fingerprint: the work tree, then the index, then history.

`revoke` needs the key itself (the Vast.ai API deletes a key with the key), yet a raw key is
never taken on the command line: the user gives what every report prints, the fingerprint
(or a unique prefix of it), and the key is read back from where it leaked. The engines are
`scan`'s readers and detector and `history`'s walk, with no allow list, no excludes and no
baseline: a key the team chose to ignore can still be revoked. The search stops at the first
place that holds a matching key; the raw key goes no further than `Located`.
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import NamedTuple

from vastai_guard.detect.detector import find_secrets
from vastai_guard.errors import FatalError
from vastai_guard.findings import FINGERPRINT_PREFIX_SHAPE
from vastai_guard.findings import FINGERPRINT_SHAPE
from vastai_guard.findings import Fragment
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint as fingerprint_of
from vastai_guard.findings import redact_runs
from vastai_guard.git import repository
from vastai_guard.git import worktree
from vastai_guard.history.run import run_history
from vastai_guard.policy.config import Config
from vastai_guard.sources import readers
from vastai_guard.vocabulary import SHORT_COMMIT
from vastai_guard.vocabulary import SHORT_FINGERPRINT


class Located(NamedTuple):
    """A key found by fingerprint. Holds the raw key: never handed to a report."""
    fingerprint: str
    secret: str
    where: str  # `work tree: .env:1`, `index: deploy/app.env:3`, `history`


def check_fingerprint(value: str) -> str:
    """The fingerprint or prefix as given, lower-cased; FatalError for anything else (echoed
    redacted: a key pasted by mistake must not reach a terminal log)."""
    cleaned = value.strip().lower()
    if not FINGERPRINT_PREFIX_SHAPE.fullmatch(cleaned):
        raise FatalError(
            f'{redact_runs(value)!r} is not a fingerprint: give the 64 hex characters a report '
            f'printed, or a unique prefix of at least {SHORT_FINGERPRINT}',
        )
    return cleaned


class _Search:
    """Keys seen so far whose fingerprint starts with the prefix, and every fingerprint seen
    (to tell a key pasted in place of its fingerprint)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.found: dict[str, tuple[str, str]] = {}
        self.seen: set[str] = set()

    def add(self, secret: str, where: str) -> None:
        key_fingerprint = fingerprint_of(secret)
        self.seen.add(key_fingerprint)
        if key_fingerprint.startswith(self.prefix):
            self.found.setdefault(key_fingerprint, (secret, where))

    def fragments(self, fragments: Iterable[Fragment], source: str) -> None:
        for fragment in fragments:
            matches = fragment.matches
            if matches is None:
                matches = tuple(find_secrets(fragment.text, fragment.path))
            for match in matches:
                self.add(match.secret, f'{source}: {fragment.path}:{match.line}')

    def collector(self, secrets: Iterable[str]) -> Mapping[str, Verification]:
        """Called by the history engine as `--verify` would be: it keeps, it never asks."""
        for secret in secrets:
            self.add(secret, 'history')
        return {}

    def result(self) -> Located | None:
        if not self.found:
            return None
        if len(self.found) > 1:
            shown = max(SHORT_FINGERPRINT, len(self.prefix) + 4)
            names = ', '.join(sorted(key_fingerprint[:shown] for key_fingerprint in self.found))
            raise FatalError(
                f'{self.prefix} matches {len(self.found)} fingerprints ({names}...): give more '
                'characters',
            )
        [(key_fingerprint, (secret, where))] = self.found.items()
        return Located(key_fingerprint, secret, where)


def _sources(tree: worktree.WorkTree, config: Config) -> Iterator[tuple[str, Iterable[Fragment]]]:
    skipped: list[readers.Skipped] = []
    yield 'work tree', readers.from_disk(
        [tree.root], relative_to=tree.root, config=config, skipped=skipped,
    )
    yield 'index', readers.from_index(
        worktree.all_index_entries(cwd=tree.root), repo=worktree.work_tree_repo(tree),
        config=config, skipped=skipped,
    )


def locate(
        value: str,
        *,
        repo_path: str,
        max_file_mb: int,
        gitpython: repository.GitPythonCheck | None = None,
) -> Located:
    """The one key in the repository at `repo_path` whose fingerprint starts with `value`."""
    prefix = check_fingerprint(value)
    tree = worktree.work_tree(cwd=repo_path)
    if tree is None:
        raise FatalError(f'{repo_path}: not in a git work tree')
    # everything is searched: no excludes, allow list or baseline hides a key from its owner
    config = Config(max_file_mb=max_file_mb)
    search = _Search(prefix)
    for source, fragments in _sources(tree, config):
        search.fragments(fragments, source)
        located = search.result()
        if located is not None:
            return located
    with repository.open_repository(tree.root, gitpython) as repo:
        report = run_history(
            repo, config, range_spec=None, include_unreachable=True, baseline_path=None,
            verify=search.collector, jobs=1,
        )
    located = search.result()
    if located is not None:
        for key in report.keys:
            if key.fingerprint == located.fingerprint:
                first = key.first_seen
                where = f'history: {first.commit[:SHORT_COMMIT]} {first.path}:{first.line}'
                return located._replace(where=where)
        return located
    if FINGERPRINT_SHAPE.fullmatch(prefix) and fingerprint_of(prefix) in search.seen:
        raise FatalError(
            'that is the key itself, not its fingerprint: pass the fingerprint a report '
            'printed (nothing was sent; the key is not stored anywhere)',
        )
    raise FatalError(
        f'no key in this repository (work tree, index or history) has a fingerprint starting '
        f'with {redact_runs(prefix)}',
    )
