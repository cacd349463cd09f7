"""Names are data: keys in names are found, and no name reaches a terminal raw."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint

EVIL = 'evil\x1b]0;pwned\x07\u202egpj.env'
EVIL_SHOWN = 'evil\\x1b]0;pwned\\x07\\u202egpj.env'


@pytest.mark.parametrize('output_format', ('text', 'json', 'sarif', 'github'))
def test_scan_escapes_a_file_name_in_every_format(repo: Path, output_format: str) -> None:
    key = new_key()
    write(repo, EVIL, env_line(key))
    git(repo, 'add', '-A')
    result = run_cli(['scan', '--format', output_format], repo)
    assert result.returncode == 1
    shown = json.dumps(EVIL_SHOWN)[1:-1] if output_format in ('json', 'sarif') else EVIL_SHOWN
    if output_format == 'sarif':
        shown = 'evil%5Cx1b'
    assert shown in result.stdout
    assert not {'\x1b', '\x07', '\u202e'} & set(result.stdout + result.stderr)
    assert key not in result.stdout + result.stderr


@pytest.mark.parametrize('output_format', ('text', 'json', 'sarif', 'github', 'markdown'))
def test_history_finds_keys_in_names_and_prints_none(repo: Path, output_format: str) -> None:
    in_file_name, in_author, in_branch, in_file = (new_key() for _ in range(4))
    write(repo, f'VAST_API_KEY={in_file_name}.txt', 'x\n')
    write(repo, EVIL, env_line(in_file))
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'names', f'--author=VAST_API_KEY={in_author} <a@b.c>')
    git(repo, 'branch', f'VAST_API_KEY={in_branch}')
    keys = (in_file_name, in_author, in_branch, in_file)
    result = run_cli(['history', '--format', output_format], repo)
    assert result.returncode == 1, result.stderr
    said = result.stdout + result.stderr
    for key in keys:
        assert key not in said
    assert not {'\x1b', '\x07', '\u202e'} & set(said)
    if output_format == 'json':
        found = {item['fingerprint']: item for item in json.loads(result.stdout)['keys']}
        assert set(found) == {fingerprint(key) for key in keys}
        assert found[fingerprint(in_branch)]['first_seen']['path'].startswith(
            '(ref name) refs/heads/VAST_API_KEY=',
        )
        # dated by the commit it names, not the epoch
        assert not found[fingerprint(in_branch)]['first_seen']['date'].startswith('1970')
        assert found[fingerprint(in_author)]['first_seen']['path'].startswith(
            '(author or committer) VAST_API_KEY=',
        )
        assert found[fingerprint(in_file_name)]['first_seen']['path'].startswith(
            '(file name) VAST_API_KEY=',
        )


def test_a_digest_in_a_file_name_is_not_a_key(repo: Path) -> None:
    """Precision holds for names: a content-addressed file is named by its sha256."""
    write(repo, f'blobs/sha256/{new_key()}', 'x\n')
    commit_all(repo)
    assert run_cli(['scan', '--all-files'], repo).returncode == 0
    assert run_cli(['history'], repo).returncode == 0
