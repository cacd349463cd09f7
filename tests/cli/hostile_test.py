"""Red-team table (issue 11): what a careless user or an attacker feeds the CLI.

Each case is one line: the command (with `{key}`, `{fp}`, `{outside}`, `{repo}` filled in),
how the repository is prepared, the exit code, and a phrase stderr must hold. For every case
nothing changes, inside the work tree or outside it, and no raw key reaches stdout or stderr.
A new case is one more line.
"""
from __future__ import annotations

import base64
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint


class Ctx(NamedTuple):
    repo: Path
    outside: Path  # a folder beside the repository, holding `theirs`, someone else's file
    key: str  # committed in app.env: in history, so its fingerprint is known


Setup = Callable[[Ctx], object]


def _link(name: str, target: Callable[[Ctx], str]) -> Setup:
    return lambda ctx: (ctx.repo / name).symlink_to(target(ctx))


def _text(name: str, text: Callable[[Ctx], str]) -> Setup:
    return lambda ctx: write(ctx.repo, name, text(ctx))


def _hooks_path(ctx: Ctx) -> None:
    subprocess.run(('git', 'config', 'core.hooksPath', 'elsewhere'), cwd=ctx.repo, check=True)


def _nothing(ctx: Ctx) -> None:
    pass


def _out_file(ctx: Ctx) -> str:
    return str(ctx.outside / 'theirs')


def _out_new(ctx: Ctx) -> str:
    return str(ctx.outside / 'created-by-us')


CONFIG = '.vastai-guard.yaml'
KEY2 = new_key()  # a key never committed, that the ledger or allow list knows by fingerprint


class Case(NamedTuple):
    argv: tuple[str, ...]
    setup: Setup
    exit: int
    stderr: str  # a phrase the one error line must hold ('' for no error)


CASES = {
    # edits through links that leave the work tree
    'gitignore-fix-link-outside': Case(
        ('gitignore', '--fix'), _link('.gitignore', _out_file), 2, 'outside the work tree'),
    'gitignore-fix-dangling-link-outside': Case(
        ('gitignore', '--fix'), _link('.gitignore', _out_new), 2, 'outside the work tree'),
    'init-config-link-outside': Case(
        ('init',), _link('.pre-commit-config.yaml', _out_file), 2, 'outside the work tree'),
    'init-config-dangling-link-outside': Case(
        ('init',), _link('.pre-commit-config.yaml', _out_new), 2, 'outside the work tree'),
    'rotated-ledger-link-outside': Case(
        ('rotated', '{fp}'), _link(CONFIG, _out_file), 2, 'outside the work tree'),
    'rotated-ledger-dangling-link-outside': Case(
        ('rotated', '{fp}'), _link(CONFIG, _out_new), 2, 'outside the work tree'),
    'rotated-config-option-outside': Case(
        ('rotated', '{fp}', '--config', '{outside}/theirs.yaml'), _nothing, 2,
        'outside the work tree'),
    # special files where a user's file is expected
    'init-config-is-a-fifo': Case(
        ('init',), lambda ctx: os.mkfifo(ctx.repo / '.pre-commit-config.yaml'), 2,
        'not a regular file'),
    'init-config-is-a-folder': Case(
        ('init',), lambda ctx: (ctx.repo / '.pre-commit-config.yaml').mkdir(), 2,
        'is a directory'),
    # init: pre-commit would refuse to install; asked before the config is written
    'init-core-hooks-path': Case(('init',), _hooks_path, 2, '`core.hooksPath` is set'),
    # never a raw key
    'rotated-the-key-itself': Case(
        ('rotated', '{key}'), _nothing, 2, 'that is the key itself, not its fingerprint'),
    'rotated-the-key-itself-uppercase': Case(
        ('rotated', '{KEY}'), _nothing, 2, 'that is the key itself, not its fingerprint'),
    'rotated-a-key-the-ledger-knows': Case(
        ('rotated', '{key2}'),
        _text(CONFIG, lambda ctx: f"rotated:\n  - fingerprint: {fingerprint(KEY2)}\n"),
        2, 'that is the key itself'),
    'rotated-a-key-the-allow-list-knows': Case(
        ('rotated', '{key2}'),
        _text(CONFIG, lambda ctx: f'allow_fingerprints:\n  - {fingerprint(KEY2)[:12]}\n'),
        2, 'that is the key itself'),
    'rotated-assignment-pasted': Case(
        ('rotated', 'VAST_API_KEY={key}'), _nothing, 2, 'is not a fingerprint'),
    'rotated-quoted-key': Case(('rotated', '"{key}"'), _nothing, 2, 'is not a fingerprint'),
    'rotated-prefix-too-short': Case(('rotated', '{fp11}'), _nothing, 2, 'at least 12'),
    'rotated-most-of-the-key': Case(('rotated', '{key63}'), _nothing, 2, 'no key in this'),
    'rotated-key-in-the-note': Case(
        ('rotated', '{fp}', '--note', 'old key was {key}'), _nothing, 2, 'the note holds'),
    'allow-list-holding-an-assignment': Case(
        ('scan', '--all-files'),
        _text(CONFIG, lambda ctx: f'allow_fingerprints:\n  - VAST_API_KEY={ctx.key}\n'),
        2, 'is not a fingerprint'),
    'allow-list-holding-an-uppercase-key': Case(
        ('history',),
        _text(CONFIG, lambda ctx: f'allow_fingerprints:\n  - {ctx.key.upper()}\n'),
        2, 'is not a fingerprint'),
    'ledger-holding-a-prefix': Case(
        ('history',),
        _text(CONFIG, lambda ctx: f'rotated:\n  - fingerprint: {fingerprint(ctx.key)[:12]}\n'),
        2, 'is not a fingerprint (64 lowercase hex'),
    # --output: devices written into, folders refused
    'output-a-folder': Case(
        ('scan', '--all-files', '--output', '{outside}'), _nothing, 2, 'it is a directory'),
    'output-dev-null': Case(('scan', '--all-files', '--output', os.devnull), _nothing, 1, ''),
    'output-history-dev-null': Case(
        ('history', '--format', 'sarif', '--output', os.devnull), _nothing, 1, ''),
    'output-link-to-dev-null': Case(
        ('scan', '--all-files', '--output', '{outside}/null-link'),
        lambda ctx: (ctx.outside / 'null-link').symlink_to(os.devnull), 1, ''),
}


def _snapshot(*folders: Path) -> dict[str, object]:
    """Every entry under the folders (skipping git's own objects): bytes, link targets, types."""
    seen: dict[str, object] = {}
    for folder in folders:
        for path in sorted(folder.rglob('*')):
            if '.git' in path.relative_to(folder).parts[:1] and 'hooks' not in path.parts:
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                seen[str(path)] = ('link', os.readlink(path))
            elif stat.S_ISREG(mode):
                seen[str(path)] = path.read_bytes()
            else:
                seen[str(path)] = stat.filemode(mode)
    return seen


@pytest.mark.parametrize('case', CASES.values(), ids=CASES.keys())
def test_hostile_input(tmp_path: Path, case: Case) -> None:
    repo = tmp_path / 'repo'
    subprocess.run(('git', 'init', '-q', '-b', 'main', str(repo)), check=True)
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'theirs').write_text('max_file_mb: 5  # someone else\'s file\n')
    key = new_key()
    write(repo, 'app.env', f'VAST_API_KEY={key}\n')
    commit_all(repo, 'a key, committed by mistake')
    ctx = Ctx(repo, outside, key)
    case.setup(ctx)
    fp = fingerprint(key)
    argv = [
        arg.format(key=key, KEY=key.upper(), key63=key[:63], key2=KEY2, fp=fp, fp11=fp[:11],
                   outside=outside, repo=repo)
        for arg in case.argv
    ]
    before = _snapshot(repo, outside)

    result = run_cli(argv, cwd=repo)

    assert result.returncode == case.exit, result.stderr
    if case.stderr:
        assert case.stderr in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
    assert _snapshot(repo, outside) == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    for secret in (key[:63], key.upper(), KEY2, base64.b64encode(key.encode()).decode()):
        assert secret not in result.stdout + result.stderr


def test_a_full_fingerprint_from_history_is_recorded(repo: Path) -> None:
    """A fingerprint and a key look alike; one that history knows as a fingerprint is one."""
    key = new_key()
    write(repo, 'app.env', f'VAST_API_KEY={key}\n')
    commit_all(repo, 'key')

    result = run_cli(['rotated', fingerprint(key), '--note', 'reset'], repo)

    assert result.returncode == 0, result.stderr
    assert f'Recorded {fingerprint(key)[:12]} as rotated' in result.stdout
    assert f'fingerprint: {fingerprint(key)}\n' in (repo / CONFIG).read_text()
    assert key not in (repo / CONFIG).read_text()


def test_gitignore_fix_edits_through_a_link_inside_the_tree(repo: Path) -> None:
    write(repo, 'config/gitignore', '*.log\n')
    (repo / '.gitignore').symlink_to('config/gitignore')

    result = run_cli(['gitignore', '--fix'], repo)

    # git 2.32+ reads no .gitignore that is a link, so the check may still report; the edit
    # itself went to the link's target inside the tree
    assert result.returncode in (0, 1), result.stderr
    assert (repo / '.gitignore').is_symlink()
    assert os.readlink(repo / '.gitignore') == 'config/gitignore'
    text = (repo / 'config' / 'gitignore').read_text()
    assert text.startswith('*.log\n') and '.env' in text
