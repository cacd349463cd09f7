"""run_history / history_revs: which revisions each way of asking scans."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.git.runner import Repository
from vastai_guard.history.run import ProgressLine
from vastai_guard.history.run import history_revs
from vastai_guard.history.run import run_history
from vastai_guard.policy.config import Config


def _opened(repo: Path) -> Repository:
    return Repository(str(repo), str(repo / '.git'), shallow=False, partial=False)


def _fingerprints(
        repo: Path,
        *,
        range_spec: str | None = None,
        baseline_path: str | None = None,
        push_revs: list[str] | None = None,
) -> set[str]:
    report = run_history(
        _opened(repo), Config(), range_spec=range_spec, include_unreachable=False,
        baseline_path=baseline_path, jobs=1, push_revs=push_revs,
    )
    return {key.fingerprint for key in report.keys}


def test_history_revs_lists_every_stash_entry_and_unreachable_on_request(repo: Path) -> None:
    write(repo, 'a', 'base')
    commit_all(repo)
    write(repo, 'a', 'dropped')
    dropped = commit_all(repo)
    git(repo, 'reset', '-q', '--hard', 'HEAD~1')
    for content in ('one', 'two'):
        write(repo, 'a', content)
        git(repo, 'stash', '-q')
    stashes = git(repo, 'log', '--walk-reflogs', '--format=%H', 'refs/stash').split()
    revs = history_revs(_opened(repo), include_unreachable=False)
    assert revs == ['--all', *stashes]
    with_unreachable = history_revs(_opened(repo), include_unreachable=True)
    assert with_unreachable[:3] == revs
    assert dropped in with_unreachable[3:]


def test_a_key_in_an_older_stash_entry_is_found(repo: Path) -> None:
    write(repo, 'a', 'base')
    commit_all(repo)
    older = new_key()
    write(repo, '.env', env_line(older))
    git(repo, 'stash', '-q', '-u')
    write(repo, 'a', 'newer stash')
    git(repo, 'stash', '-q')
    # the older stash entry is not what refs/stash names: only the reflog walk sees it
    assert fingerprint(older) in _fingerprints(repo)


def test_a_range_is_its_commits_only(repo: Path) -> None:
    before, inside = new_key(), new_key()
    write(repo, 'a/.env', env_line(before))
    base = commit_all(repo)
    write(repo, 'b/.env', env_line(inside))
    commit_all(repo)
    git(repo, 'tag', 'unrelated', base)
    assert _fingerprints(repo) == {fingerprint(before), fingerprint(inside)}
    assert _fingerprints(repo, range_spec=f'{base}..HEAD') == {fingerprint(inside)}
    assert _fingerprints(repo, push_revs=['HEAD', '--not', base]) == {fingerprint(inside)}


def test_a_bad_range_is_exit_2(repo: Path) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    with pytest.raises(FatalError, match='--range'):
        _fingerprints(repo, range_spec='origin/main..HEAD')


def test_a_baseline_suppresses(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))
    commit_all(repo)
    baseline = tmp_path / 'baseline.json'
    baseline.write_text(
        '{"results": {".env": [{"type": "Vast.ai API Key", "hashed_secret": "%s"}]}}'
        % baseline_hash(key),
    )
    assert _fingerprints(repo, baseline_path=str(baseline)) == set()


def test_shallow_clone_warns(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, 'a', 'x')
    commit_all(repo)
    report = run_history(
        _opened(repo)._replace(shallow=True), Config(), range_spec=None,
        include_unreachable=False, baseline_path=None, jobs=1,
    )
    assert report.keys == ()
    assert 'shallow clone: history is partial' in capsys.readouterr().err


def test_progress_line_close_erases_only_what_it_showed() -> None:
    stream = io.StringIO()
    ProgressLine(stream, total_commits=None).close()
    assert stream.getvalue() == ''  # nothing was shown: nothing to erase
