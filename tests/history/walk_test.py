"""scan_history: each key once, attributed to the commit that introduced it; verdicts applied."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import write
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Rotation
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.git.runner import Repository
from vastai_guard.history.walk import Progress
from vastai_guard.history.walk import apply_verification
from vastai_guard.history.walk import scan_history
from vastai_guard.model import HistoryReport
from vastai_guard.policy.config import Config
from vastai_guard.vocabulary import INACTIVE
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import Status


def _scan(
        repo: Path,
        revs: tuple[str, ...] = ('--all',),
        *,
        config: Config | None = None,
        progress: Callable[[Progress], None] | None = None,
        jobs: int = 1,
        with_refs: bool = True,
) -> HistoryReport:
    opened = Repository(str(repo), str(repo / '.git'), shallow=False, partial=False)
    return scan_history(
        opened, revs, config=config or Config(), baseline=frozenset(), progress=progress,
        jobs=jobs, with_refs=with_refs,
    )


def test_a_key_edited_around_is_one_occurrence(repo: Path) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))
    added = commit_all(repo, 'add')
    for i in range(3):
        write(repo, '.env', f'# edit {i}\n{env_line(key)}')
        commit_all(repo, f'edit {i}')
    (exposed,) = _scan(repo).keys
    assert exposed.fingerprint == fingerprint(key)
    assert [o.commit for o in exposed.occurrences] == [added]
    assert exposed.first_seen.commit == added
    assert (exposed.first_seen.path, exposed.first_seen.line) == ('.env', 1)
    assert exposed.first_seen.author == 'Test Author <author@example.invalid>'
    assert exposed.in_head and exposed.status == NEEDS_ROTATION


def test_keys_still_in_head_come_first(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept, removed = new_key(), new_key()
    monkeypatch.setenv('GIT_COMMITTER_DATE', '2024-01-01T00:00:00+00:00')
    write(repo, 'a/.env', env_line(kept))
    commit_all(repo, 'old, still there')
    monkeypatch.setenv('GIT_COMMITTER_DATE', '2024-06-01T00:00:00+00:00')
    write(repo, 'b/.env', env_line(removed))
    commit_all(repo, 'newer')
    (repo / 'b' / '.env').unlink()
    commit_all(repo, 'removed')
    keys = _scan(repo).keys
    assert [(k.fingerprint, k.in_head) for k in keys] == [
        (fingerprint(kept), True), (fingerprint(removed), False),
    ]
    assert keys[0].first_seen.date == '2024-01-01T00:00:00+00:00'


def test_rotated_keys_from_the_ledger(repo: Path) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))
    commit_all(repo)
    config = Config(rotated=(Rotation(fingerprint(key), '2026-01-01', ''),))
    (exposed,) = _scan(repo, config=config).keys
    assert exposed.status == ROTATED


def test_excluded_paths_are_not_read(repo: Path) -> None:
    write(repo, 'fixtures/.env', env_line(new_key()))
    commit_all(repo)
    assert _scan(repo, config=Config(exclude_paths=('fixtures/**',))).keys == ()


def test_a_blob_only_a_tag_names_is_scanned_with_refs_only(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    key = new_key()
    blob = git(repo, 'hash-object', '-w', str(write(repo, 'loose.env', env_line(key)))).strip()
    os.unlink(repo / 'loose.env')
    git(repo, 'tag', 'hidden', blob)
    (exposed,) = _scan(repo).keys
    assert exposed.first_seen.path == 'refs/tags/hidden'
    assert exposed.first_seen.commit == blob
    # a range (a pull request's commits) leaves refs alone
    assert _scan(repo, with_refs=False).keys == ()


def test_jobs_do_not_change_the_result(repo: Path) -> None:
    # more blobs than one task (256): with jobs=2 they are judged in forked workers
    for i in range(300):
        write(repo, f'd{i}/.env', env_line(new_key()) if i % 50 == 0 else f'A={i}\n')
    commit_all(repo, 'many')
    for i in range(0, 300, 100):
        write(repo, f'd{i}/.env', env_line(new_key()))
        commit_all(repo, f'edit {i}')
    one = _scan(repo, jobs=1)
    assert len(one.keys) == 9
    assert _scan(repo, jobs=2) == one


def test_progress_counts_up_to_the_totals(repo: Path) -> None:
    write(repo, '.env', env_line(new_key()))
    write(repo, 'b.txt', 'b')
    commit_all(repo)
    seen: list[Progress] = []
    report = _scan(repo, progress=seen.append)
    assert seen
    last = seen[-1]
    assert (last.commits, last.keys) == (1, 1) == (report.commits_scanned, len(report.keys))
    assert last.blobs == last.total >= 2
    assert [p.blobs for p in seen] == sorted(p.blobs for p in seen)


def test_a_bad_revision_makes_a_partial_result_not_an_error(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    report = _scan(repo, ('no-such-branch',))
    assert report.incomplete
    assert report.warnings and 'history walk stopped early' in report.warnings[0]


def _exposed(status: Status) -> ExposedKey:
    return ExposedKey(
        'f' * 64, ASSIGNMENT, 'abcd...wxyz', status, True,
        FirstSeen('c' * 40, '', '2024-01-01T00:00:00+00:00', '.env', 1), (),
    )


@pytest.mark.parametrize(
    ('status', 'state', 'after'),
    (
        (NEEDS_ROTATION, 'invalid', INACTIVE),
        (NEEDS_ROTATION, 'active', NEEDS_ROTATION),
        (NEEDS_ROTATION, 'unknown', NEEDS_ROTATION),  # no answer: still treated as live
        (ROTATED, 'invalid', ROTATED),  # the ledger tells more than "invalid"
        (ROTATED, 'active', ROTATED_STILL_ACTIVE),  # the reset did not take
        (ROTATED, 'unknown', ROTATED),
    ),
)
def test_apply_verification(status: Status, state: str, after: Status) -> None:
    verdict = Verification(state, 'why', '2026-01-01T00:00:00+00:00')  # type: ignore[arg-type]
    (key,) = apply_verification([_exposed(status)], {'f' * 64: verdict})
    assert key.status == after
    assert key.verification == verdict
    # a key without a verdict is left as it was
    assert apply_verification([_exposed(status)], {}) == [_exposed(status)]


def test_a_key_committed_as_a_link_target_is_found(repo: Path) -> None:
    key = new_key()
    (repo / 'link.env').symlink_to(env_line(key).strip())
    commit_all(repo)
    assert [k.fingerprint for k in _scan(repo).keys] == [fingerprint(key)]
