"""Helpers shared by the tests: real git repositories and keys made at run time.

No key is ever written into this repository: tests generate theirs, so the repository passes
its own hook (`vastai-guard scan --all-files`).
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

# the checkout under test: its hooks manifest, README and sources
REPO_ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {
    'GIT_AUTHOR_NAME': 'Test Author',
    'GIT_AUTHOR_EMAIL': 'author@example.invalid',
    'GIT_COMMITTER_NAME': 'Test Committer',
    'GIT_COMMITTER_EMAIL': 'committer@example.invalid',
    # no user or system git config leaks into a test
    'GIT_CONFIG_GLOBAL': os.devnull,
    'GIT_CONFIG_NOSYSTEM': '1',
}


def new_key() -> str:
    """A fresh key-shaped value: 64 lowercase hex, as Vast.ai issues them."""
    return secrets.token_hex(32)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ('git', *args), cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, 'init', '-q', '-b', 'main')
    return path


def write(repo: Path, name: str, content: str | bytes) -> Path:
    target = repo / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding='utf-8')
    return target


def commit_all(repo: Path, message: str = 'commit') -> str:
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '--allow-empty', '-m', message)
    return git(repo, 'rev-parse', 'HEAD').strip()


class Result(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_cli_on_terminal(
        args: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
) -> Result:
    """As run_cli, with stdout a pseudo-terminal (what a person at a shell sees)."""
    import pty

    leader, follower = pty.openpty()
    with subprocess.Popen(
        (sys.executable, '-m', 'vastai_guard', *args),
        cwd=cwd, stdout=follower, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})},
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        stderr = process.stderr.read() if process.stderr else ''
    os.close(leader)
    stdout = b''.join(chunks).decode().replace('\r\n', '\n')
    return Result(process.returncode, stdout, stderr)


def run_cli(args: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    """The installed entry point, as pre-commit and CI run it, in a real process."""
    result = subprocess.run(
        (sys.executable, '-m', 'vastai_guard', *args),
        cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})},
    )
    return Result(result.returncode, result.stdout, result.stderr)


def env_line(key: str) -> str:
    return f'VAST_API_KEY={key}\n'


def redacted(key: str) -> str:
    """How every report shows a key: its first and last four characters."""
    return f'{key[:4]}...{key[-4:]}'


def remove_deep_tree(top: Path) -> None:
    """rm -r without recursion: shutil.rmtree (and so pytest's clean-up of old tmp_path
    folders) recurses per level on Python < 3.12 and fails on a tree 1,100 folders deep."""
    folders = [str(top)]
    order = []
    while folders:
        folder = folders.pop()
        order.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                else:
                    os.unlink(entry.path)
    for folder in reversed(order):
        os.rmdir(folder)
