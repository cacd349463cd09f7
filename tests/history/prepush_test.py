"""push_revs: the commits a push sends, from what pre-commit's pre-push stage says."""
from __future__ import annotations

from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.git.runner import Repository
from vastai_guard.history.prepush import push_revs


def _two_commits(repo: Path) -> tuple[Repository, str, str]:
    write(repo, 'a', '1')
    first = commit_all(repo)
    write(repo, 'a', '2')
    second = commit_all(repo)
    return Repository(str(repo), str(repo / '.git'), shallow=False, partial=False), first, second


def test_an_update_of_a_remote_branch(repo: Path) -> None:
    opened, first, second = _two_commits(repo)
    env = {'PRE_COMMIT_FROM_REF': first, 'PRE_COMMIT_TO_REF': second}
    assert push_revs(opened, env) == [f'{first}..{second}']


@pytest.mark.parametrize(
    'env',
    (
        # git's convention for a branch the remote does not have yet: all zeros
        {'PRE_COMMIT_FROM_REF': '0' * 40, 'PRE_COMMIT_TO_REF': 'SECOND'},
        {'PRE_COMMIT_LOCAL_BRANCH': 'SECOND'},
    ),
)
def test_a_new_branch_sends_what_no_remote_has(repo: Path, env: dict[str, str]) -> None:
    opened, _, second = _two_commits(repo)
    env = {name: second if value == 'SECOND' else value for name, value in env.items()}
    assert push_revs(opened, env) == [second, '--not', '--remotes']


def test_nothing_said_is_head(repo: Path) -> None:
    opened, _, _ = _two_commits(repo)
    assert push_revs(opened, {}) == ['HEAD', '--not', '--remotes']


@pytest.mark.parametrize(
    'env',
    (
        {'PRE_COMMIT_FROM_REF': 'f' * 40, 'PRE_COMMIT_TO_REF': 'HEAD'},  # not fetched
        {'PRE_COMMIT_LOCAL_BRANCH': 'no-such-branch'},
        {'PRE_COMMIT_LOCAL_BRANCH': '--all'},  # never an option to git
    ),
)
def test_an_end_that_is_not_a_commit_is_exit_2(repo: Path, env: dict[str, str]) -> None:
    opened, _, _ = _two_commits(repo)
    with pytest.raises(FatalError):
        push_revs(opened, env)
