"""Finding a key by fingerprint: work tree, then index, then history; never the key as input."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.findings import fingerprint
from vastai_guard.respond import locate


def _find(repo: Path, value: str) -> locate.Located:
    return locate.locate(value, repo_path=str(repo), max_file_mb=50)


def test_in_the_work_tree_only(repo: Path) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))  # never staged, never committed

    found = _find(repo, fingerprint(key)[:12])

    assert found == locate.Located(fingerprint(key), key, 'work tree: .env:1')


def test_in_the_index_only(repo: Path) -> None:
    key = new_key()
    write(repo, 'app/.env', env_line(key))
    git(repo, 'add', 'app/.env')
    os.remove(repo / 'app' / '.env')

    found = _find(repo, fingerprint(key))

    assert (found.secret, found.where) == (key, 'index: app/.env:1')


def test_in_history_only(repo: Path) -> None:
    key = new_key()
    write(repo, 'deploy.sh', f'vastai set api-key {key}\n')
    commit = commit_all(repo, 'oops')
    git(repo, 'rm', '-q', 'deploy.sh')
    commit_all(repo, 'gone')

    found = _find(repo, fingerprint(key)[:20])

    assert (found.secret, found.where) == (key, f'history: {commit[:12]} deploy.sh:1')


def test_an_allowed_or_excluded_key_can_still_be_found(repo: Path) -> None:
    key = new_key()
    write(repo, 'vendor/x.env', env_line(key))
    write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - vendor/**\n')
    commit_all(repo)

    assert _find(repo, fingerprint(key)).secret == key


@pytest.mark.parametrize(
    ('value', 'message'),
    (
        ('abc', 'is not a fingerprint'),
        ('z' * 12, 'is not a fingerprint'),
        ('0123456789ab', r'no key in this repository \(work tree, index or history\)'),
    ),
)
def test_what_cannot_be_resolved(repo: Path, value: str, message: str) -> None:
    write(repo, '.env', env_line(new_key()))
    commit_all(repo)

    with pytest.raises(FatalError, match=message):
        _find(repo, value)


def test_the_key_itself_is_refused_and_not_echoed(repo: Path) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))
    commit_all(repo)

    with pytest.raises(FatalError) as error:
        _find(repo, key)

    assert 'that is the key itself' in str(error.value)
    assert key not in str(error.value)


def test_an_ambiguous_prefix_names_the_candidates() -> None:
    search = locate._Search('')
    one, two = new_key(), new_key()
    search.add(one, 'work tree: a')
    search.add(two, 'work tree: b')

    with pytest.raises(FatalError, match='matches 2 fingerprints') as error:
        search.result()

    assert fingerprint(one)[:12] in str(error.value)
    assert one not in str(error.value) and two not in str(error.value)


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match='not in a git work tree'):
        _find(tmp_path, '0123456789ab')
