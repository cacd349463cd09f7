"""`history --pre-push`: which commits a `git push` sends, from what pre-commit tells the hook.

pre-commit's pre-push stage sets PRE_COMMIT_FROM_REF (the remote's tip) and PRE_COMMIT_TO_REF
(the local commit pushed) when the remote already has an ancestor. For a push that starts a
history on the remote (the first push of a repository) it sets neither, only
PRE_COMMIT_LOCAL_BRANCH: then the commits sent are those no remote-tracking ref reaches.
"""
from __future__ import annotations

from collections.abc import Mapping

from vastai_guard.git import repository
from vastai_guard.git import runner


def push_revs(repo: runner.Repository, env: Mapping[str, str]) -> list[str]:
    """`git log` revision arguments for the commits being pushed; each end checked (exit 2)."""
    from_ref = env.get('PRE_COMMIT_FROM_REF', '')
    to_ref = env.get('PRE_COMMIT_TO_REF', '')
    # all zeros: the remote has no such branch yet (git's own pre-push convention)
    if from_ref.strip('0') and to_ref:
        spec = f'{from_ref}..{to_ref}'
        repository.check_range(repo, spec)
        return [spec]
    tip = to_ref or env.get('PRE_COMMIT_LOCAL_BRANCH') or 'HEAD'
    repository.check_range(repo, tip)
    return [tip, '--not', '--remotes']
