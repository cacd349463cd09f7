"""No program named by the scanned repository runs, whatever vastai-guard command reads it.

A scanned repository is untrusted: its `.git/config`, `.gitattributes` and `.git/hooks` can
name programs git would run on its own. Each row below plants one such program (it touches a
marker file), first proves that plain git really runs it (so the row can fail), then runs
every vastai-guard command against the repository and asserts the marker never appears.
"""
from __future__ import annotations

import os
import pty
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import write

PROGRAM = '#!/bin/sh\necho "$0 $*" >> "{marker}"\nexit 0\n'
HOOKS = (
    'post-index-change', 'reference-transaction', 'post-checkout', 'pre-commit', 'pre-push',
    'post-commit', 'post-rewrite', 'pre-auto-gc', 'post-merge', 'fsmonitor-watchman',
    'commit-msg', 'prepare-commit-msg',
)
PGP_SIGNATURE = (
    '-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n'
)
SSH_SIGNATURE = '-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n'
X509_SIGNATURE = '-----BEGIN SIGNED MESSAGE-----\nMIIB\n-----END SIGNED MESSAGE-----\n'


class Row(NamedTuple):
    config: Mapping[str, str]  # `{program}` is the planted program, `{repo}` the repository
    attributes: str = ''  # written to a committed .gitattributes
    hooks_dir: str = ''  # `.git/hooks` or a folder: every hook in HOOKS is the program
    # plain git doing what would run the program (proves the row is armed)
    trigger: tuple[str, ...] = ('status',)
    on_terminal: bool = False  # the trigger needs a terminal (pagers)
    stdin: str = ''


ROWS = {
    'core.fsmonitor': Row({'core.fsmonitor': '{program}'}),
    'core.fsmonitor (hook version 2)': Row(
        {'core.fsmonitor': '{program}', 'core.fsmonitorHookVersion': '2'},
    ),
    'gpg.program with log.showSignature': Row(
        {'log.showSignature': 'true', 'gpg.program': '{program}'}, trigger=('log',),
    ),
    'gpg.openpgp.program with log.showSignature': Row(
        {'log.showSignature': 'true', 'gpg.openpgp.program': '{program}'}, trigger=('log',),
    ),
    'gpg.ssh.program with log.showSignature': Row(
        {'log.showSignature': 'true', 'gpg.ssh.program': '{program}',
         'gpg.ssh.allowedSignersFile': '{repo}/.git/description'},
        trigger=('log',),
    ),
    'gpg.x509.program with log.showSignature': Row(
        {'log.showSignature': 'true', 'gpg.x509.program': '{program}'}, trigger=('log',),
    ),
    'core.sshCommand': Row(
        {'core.sshCommand': '{program}', 'remote.origin.url': 'ssh://example.invalid/r.git'},
        trigger=('fetch', 'origin'),
    ),
    'core.gitProxy': Row(
        {'core.gitProxy': '{program}', 'remote.origin.url': 'git://example.invalid/r.git'},
        trigger=('fetch', 'origin'),
    ),
    'diff.external': Row({'diff.external': '{program}'}, trigger=('diff', 'HEAD~4', 'HEAD')),
    'diff driver command (.gitattributes)': Row(
        {'diff.evil.command': '{program}'}, attributes='*.txt diff=evil\n',
        trigger=('diff', 'HEAD~4', 'HEAD'),
    ),
    'textconv driver (.gitattributes)': Row(
        {'diff.evil.textconv': '{program}'}, attributes='*.txt diff=evil\n',
        trigger=('log', '-p'),
    ),
    'filter clean/smudge driver (.gitattributes)': Row(
        {'filter.evil.clean': '{program}', 'filter.evil.smudge': '{program}'},
        attributes='*.txt filter=evil\n', trigger=('diff', '--', 'b.txt'),
    ),
    'filter process driver (.gitattributes)': Row(
        {'filter.evil.process': '{program}'}, attributes='*.txt filter=evil\n',
        trigger=('diff', '--', 'b.txt'),
    ),
    'core.editor': Row({'core.editor': '{program}'}, trigger=('commit', '--allow-empty')),
    'core.pager': Row({'core.pager': '{program}'}, trigger=('log',), on_terminal=True),
    'pager.log and pager.diff': Row(
        {'pager.log': '{program}', 'pager.diff': '{program}', 'pager.status': '{program}'},
        trigger=('log',), on_terminal=True,
    ),
    'credential.helper': Row(
        {'credential.helper': '!{program}'}, trigger=('credential', 'fill'),
        stdin='protocol=https\nhost=example.invalid\n\n',
    ),
    'remote.*.uploadpack': Row(
        {'remote.origin.url': '{repo}', 'remote.origin.uploadpack': '{program}'},
        trigger=('fetch', 'origin'),
    ),
    'remote.*.receivepack': Row(
        {'remote.origin.url': '{repo}', 'remote.origin.receivepack': '{program}'},
        trigger=('push', 'origin', 'HEAD:refs/heads/pushed'),
    ),
    'hooks in .git/hooks': Row(
        {}, hooks_dir='.git/hooks', trigger=('commit', '--allow-empty', '-m', 'x'),
    ),
    'hooks in core.hooksPath': Row(
        {'core.hooksPath': '{hooks}'}, hooks_dir='../hooks',
        trigger=('commit', '--allow-empty', '-m', 'x'),
    ),
}

# Every command that reads a repository; `init --local` runs `pre-commit install` last, which
# runs git of its own (`rev-parse`, `config`): none of those calls reads an index, a diff or
# a signature, so a marker after it would be vastai-guard's own.
COMMANDS: tuple[tuple[str, ...], ...] = (
    ('scan',),
    ('scan', '--all-files'),
    ('scan', 'dir'),
    ('scan', '--from-disk', 'dir'),
    ('gitignore',),
    ('history',),
    ('history', '--include-unreachable'),
    ('history', '--range', 'HEAD~3..HEAD'),
    ('history', '--pre-push'),
    ('rotated', 'ab' * 32),
    ('init', '--local'),
)


def _signed_commit(repo: Path, signature: str, message: str) -> None:
    """A commit carrying a signature header (not a valid one: git still asks the program)."""
    tree = git(repo, 'write-tree').strip()
    parent = git(repo, 'rev-parse', 'HEAD').strip()
    header = 'gpgsig ' + signature.rstrip('\n').replace('\n', '\n ') + '\n'
    body = (
        f'tree {tree}\nparent {parent}\n'
        'author A <a@example.invalid> 1700000000 +0000\n'
        'committer A <a@example.invalid> 1700000000 +0000\n'
        f'{header}\n{message}\n'
    )
    sha = subprocess.run(
        ('git', 'hash-object', '-t', 'commit', '-w', '--stdin'), cwd=repo, check=True,
        input=body.encode(), capture_output=True,
    ).stdout.decode().strip()
    git(repo, 'update-ref', 'HEAD', sha)


def _hostile_repo(tmp_path: Path, row: Row, program: Path) -> Path:
    repo = init_repo(tmp_path / 'repo')
    write(repo, 'a.txt', 'first\n')
    write(repo, 'b.txt', 'first\n')
    write(repo, 'dir/c.txt', 'in a folder\n')
    if row.attributes:
        write(repo, '.gitattributes', row.attributes)
    commit_all(repo, 'first')
    write(repo, 'a.txt', 'second\n')
    commit_all(repo, 'second')
    for signature in (PGP_SIGNATURE, SSH_SIGNATURE, X509_SIGNATURE):
        _signed_commit(repo, signature, 'signed')
    git(repo, 'reset', '-q', '--hard')
    write(repo, 'a.txt', 'staged\n')
    git(repo, 'add', 'a.txt')
    write(repo, 'b.txt', 'unstaged\n')  # the work tree differs: git would clean it to compare
    write(repo, 'dir/d.txt', 'untracked\n')
    if row.hooks_dir:
        hooks = (repo / row.hooks_dir).resolve()
        hooks.mkdir(parents=True, exist_ok=True)
        for name in HOOKS:
            (hooks / name).write_bytes(program.read_bytes())
            (hooks / name).chmod(0o755)
    for name, value in row.config.items():
        value = value.format(program=program, repo=repo, hooks=tmp_path / 'hooks')
        git(repo, 'config', name, value)
    return repo


def _plain_git(repo: Path, row: Row) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('GIT_EDITOR', 'GIT_PAGER'))}
    env.pop('EDITOR', None)
    env.pop('VISUAL', None)
    env.pop('PAGER', None)
    if row.on_terminal:
        leader, follower = pty.openpty()
        try:
            subprocess.run(
                ('git', *row.trigger), cwd=repo, stdin=subprocess.DEVNULL, stdout=follower,
                stderr=subprocess.DEVNULL, env=env, timeout=30, check=False,
            )
        finally:
            os.close(follower)
            os.close(leader)
        return
    subprocess.run(
        ('git', *row.trigger), cwd=repo, input=row.stdin.encode(), capture_output=True,
        env=env, timeout=30, check=False,
    )


def _vastai_guard(repo: Path, argv: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (sys.executable, '-m', 'vastai_guard', *argv), cwd=repo, capture_output=True, text=True,
        timeout=120, stdin=subprocess.DEVNULL, check=False,
        env={
            **os.environ, 'PYTHONPATH': str(REPO_ROOT),
            # the push hook's view: the remote holds the first commit
            'PRE_COMMIT_FROM_REF': git(repo, 'rev-list', '--max-parents=0', 'HEAD').strip(),
            'PRE_COMMIT_TO_REF': 'HEAD',
        },
    )


@pytest.mark.parametrize('row', ROWS.values(), ids=ROWS.keys())
def test_no_program_of_the_repository_runs(tmp_path: Path, row: Row) -> None:
    marker = tmp_path / 'ran'
    program = tmp_path / 'program'
    program.write_text(PROGRAM.format(marker=marker))
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    repo = _hostile_repo(tmp_path, row, program)
    _plain_git(repo, row)
    assert marker.exists(), 'plain git did not run the planted program: the row proves nothing'
    marker.unlink()

    ran: dict[str, str] = {}
    for argv in COMMANDS:
        result = _vastai_guard(repo, argv)
        assert result.returncode in (0, 1, 2), (argv, result.stderr)
        if marker.exists():
            ran[' '.join(argv)] = marker.read_text()
            marker.unlink()
    assert ran == {}


def _newline_repo(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / 'a\nb' / 'repo')
    write(repo, 'a.txt', 'nothing\n')
    commit_all(repo, 'first')
    write(repo, 'a.txt', 'still nothing\n')
    commit_all(repo, 'second')
    write(repo, 'a.txt', 'staged, nothing\n')
    git(repo, 'add', 'a.txt')
    return repo


NEWLINE_COMMANDS = {
    'scan': ('scan',),
    'scan --all-files': ('scan', '--all-files'),
    'scan .': ('scan', '.'),
    'gitignore': ('gitignore',),
    'history': ('history',),
    'history --range': ('history', '--range', 'HEAD~1..HEAD'),
    'history --pre-push': ('history', '--pre-push'),
    'rotated': ('rotated', 'cd' * 32),
}


@pytest.mark.parametrize('argv', NEWLINE_COMMANDS.values(), ids=NEWLINE_COMMANDS.keys())
def test_a_repository_path_with_a_newline(tmp_path: Path, argv: tuple[str, ...]) -> None:
    repo = _newline_repo(tmp_path)

    result = _vastai_guard(repo, argv)

    # gitignore: 1, the repository ignores no .env; every other command finds nothing
    assert result.returncode == (1 if argv == ('gitignore',) else 0), result.stderr
    if argv[0] == 'rotated':
        assert 'Recorded' in result.stdout


def test_gitpython_opens_a_repository_without_starting_a_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GitPython reads the repository's files itself: it runs no git, so it runs no program
    the repository names (its import runs `git version` once, outside any repository)."""
    import git as gitpython  # noqa: F401 (imported first: its `git version` is not the open)

    from vastai_guard.git.repository import _open_with_gitpython

    repo = init_repo(tmp_path / 'repo')
    git(repo, 'config', 'core.fsmonitor', str(tmp_path / 'program'))
    started: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise AssertionError('GitPython started a process')

    monkeypatch.setattr(subprocess, 'Popen', refuse)
    assert _open_with_gitpython(str(repo / '.git'), str(repo)) == str(repo)
    assert started == []


def test_only_the_runner_starts_git() -> None:
    """Every process the package starts is started in git/runner.py (and `init`'s
    `pre-commit install`, which is not git): a new `subprocess.run` elsewhere fails here."""
    package = REPO_ROOT / 'vastai_guard'
    starts = {
        str(path.relative_to(package))
        for path in package.rglob('*.py')
        for line in path.read_text(encoding='utf-8').splitlines()
        if any(call in line for call in ('subprocess.run(', 'subprocess.Popen(', 'os.system(',
                                         'os.exec', 'os.spawn', 'os.popen('))
    }
    assert starts == {'git/runner.py', 'commands/init.py'}
