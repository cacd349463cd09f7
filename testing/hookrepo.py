"""This working tree as a hook repository pre-commit can clone: what the tests that run real
pre-commit with the published hooks share (building its hook environment reaches PyPI)."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.util import GIT_ENV
from testing.util import REPO_ROOT

# what a hook repository needs to be installed by pre-commit
_HOOK_REPO_FILES = ('pyproject.toml', 'README.md', '.pre-commit-hooks.yaml', 'vastai_guard')


class HookRepo:
    def __init__(self, path: Path, rev: str, home: Path) -> None:
        self.path, self.rev, self.home = path, rev, home

    def config(self, *hook_ids: str) -> str:
        hooks = ''.join(f'    -   id: {hook_id}\n' for hook_id in hook_ids)
        return f'repos:\n-   repo: {self.path.as_uri()}\n    rev: {self.rev}\n    hooks:\n{hooks}'


@pytest.fixture(scope='session')
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    """This working tree, committed into a throwaway repository pre-commit can clone."""
    path = tmp_path_factory.mktemp('hook-repo')
    for name in _HOOK_REPO_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, path / name, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copy2(source, path / name)
    env = {**os.environ, **GIT_ENV}
    for args in (('init', '-q'), ('add', '-A'), ('commit', '-q', '-m', 'hook repo')):
        subprocess.run(('git', *args), cwd=path, env=env, check=True, capture_output=True)
    rev = subprocess.run(
        ('git', 'rev-parse', 'HEAD'), cwd=path, check=True, capture_output=True, text=True,
    ).stdout.strip()
    yield HookRepo(path, rev, tmp_path_factory.mktemp('pre-commit-home'))
