"""`history --pre-push`: which commits a `git push` sends, from what pre-commit tells the hook.

pre-commit's pre-push stage sets PRE_COMMIT_FROM_REF (the remote's tip) and PRE_COMMIT_TO_REF
(the local commit pushed) when the remote already has an ancestor. For a push that starts a
history on the remote (the first push of a repository) it sets neither, only
PRE_COMMIT_LOCAL_BRANCH: then the commits sent are those no remote-tracking ref reaches.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence

from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.git.refs import RefTarget


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


def pushed_tags(
        repo: runner.Repository, env: Mapping[str, str], revs: Sequence[str],
) -> Callable[[RefTarget], bool]:
    """Which refs' tag objects the push sends: the ref pushed (`git push origin v1`: its
    annotated tag object is PRE_COMMIT_TO_REF) and annotated tags on the pushed commits
    (`git push --follow-tags`). A tag message is text that leaves the machine like a commit's.

    pre-commit runs no pre-push hook at all for a push whose only ref is a tag on commits the
    remote already has (its `_pre_push_ns` skips refs with no new commit): git's own pre-push
    hook with no pre-commit in between would see it.
    """
    named_ref = env.get('PRE_COMMIT_LOCAL_BRANCH', '')
    named_sha = env.get('PRE_COMMIT_TO_REF', '')
    listed = runner.run_in(repo, ('rev-list', *revs, '--'))
    commits = frozenset(listed.stdout.decode('ascii', 'replace').split())

    def wanted(target: RefTarget) -> bool:
        if not target.tags:
            return False  # a branch: its commits are the walk's
        return (
            target.ref == named_ref or target.sha == named_sha
            or (target.kind == 'commit' and target.target in commits)
        )
    return wanted
