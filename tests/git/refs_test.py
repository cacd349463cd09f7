"""ref_targets: every ref, annotated tags peeled, including refs to blobs and trees."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import write
from vastai_guard.git.refs import NO_DATE
from vastai_guard.git.refs import RefTarget
from vastai_guard.git.refs import ref_targets
from vastai_guard.git.runner import Repository


def _targets(repo: Path) -> dict[str, RefTarget]:
    targets, problems = ref_targets(
        Repository(str(repo), str(repo / '.git'), shallow=False, partial=False),
    )
    assert problems == []
    return {target.ref: target for target in targets}


def test_branch_and_lightweight_tags(repo: Path) -> None:
    write(repo, 'a.env', 'x\n')
    head = commit_all(repo)
    blob = git(repo, 'rev-parse', 'HEAD:a.env').strip()
    tree = git(repo, 'rev-parse', 'HEAD^{tree}').strip()
    git(repo, 'tag', 'on-blob', blob)
    git(repo, 'tag', 'on-tree', tree)
    targets = _targets(repo)
    assert targets['refs/heads/main'] == RefTarget('refs/heads/main', head, 'commit', head, ())
    # what `log --all` passes over: a ref naming a blob or a tree
    assert (targets['refs/tags/on-blob'].kind, targets['refs/tags/on-blob'].target) == (
        'blob', blob,
    )
    assert targets['refs/tags/on-tree'].kind == 'tree'


def test_annotated_tag_is_peeled_with_its_message_and_tagger(
        repo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(repo, 'a', 'x')
    head = commit_all(repo)
    monkeypatch.setenv('GIT_COMMITTER_DATE', '2024-03-04T05:06:07+02:00')
    git(repo, 'tag', '-a', 'v1', '-m', 'release notes\nsecond line')
    tag_sha = git(repo, 'rev-parse', 'refs/tags/v1').strip()
    target = _targets(repo)['refs/tags/v1']
    assert (target.sha, target.kind, target.target) == (tag_sha, 'commit', head)
    ((sha, date, tagger, message),) = target.tags
    assert sha == tag_sha
    assert date == '2024-03-04T05:06:07+02:00'
    assert tagger == 'Test Committer <committer@example.invalid>'
    assert message.startswith('release notes\nsecond line')


def test_tag_of_a_tag_of_a_blob(repo: Path) -> None:
    write(repo, 'a.env', 'x\n')
    commit_all(repo)
    blob = git(repo, 'rev-parse', 'HEAD:a.env').strip()
    git(repo, 'tag', '-a', 'inner', '-m', 'inner message', blob)
    git(repo, 'tag', '-a', 'outer', '-m', 'outer message', 'inner')
    target = _targets(repo)['refs/tags/outer']
    assert (target.kind, target.target) == ('blob', blob)
    # every message on the way is read: a key in either is found
    assert [tag[3].strip() for tag in target.tags] == ['outer message', 'inner message']


def test_a_tag_without_a_tagger_has_no_date(repo: Path) -> None:
    write(repo, 'a', 'x')
    head = commit_all(repo)
    raw = f'object {head}\ntype commit\ntag bare\n\nno tagger here\n'
    tag = _mktag(repo, raw)
    git(repo, 'update-ref', 'refs/tags/bare', tag)
    ((_, date, tagger, message),) = _targets(repo)['refs/tags/bare'].tags
    assert (date, tagger) == (NO_DATE, '')
    assert message == 'no tagger here\n'


def _mktag(repo: Path, raw: str) -> str:
    # hash-object, not mktag: mktag insists on a tagger line
    return subprocess.run(
        ('git', 'hash-object', '-t', 'tag', '-w', '--stdin', '--literally'),
        cwd=repo, input=raw, capture_output=True, text=True, check=True,
    ).stdout.strip()
