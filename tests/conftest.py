from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.util import GIT_ENV
from testing.util import init_repo
from testing.vastapi import vast_api  # noqa: F401 -- the fake Vast.ai API, for every test


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    # a test must never see the developer's own GitHub Actions or hook environment
    for name in ('GITHUB_ACTIONS', 'GIT_INDEX_FILE', 'GIT_DIR', 'GIT_WORK_TREE'):
        monkeypatch.delenv(name, raising=False)
    # no test reaches the network through git (init's rev check, a sweep of a URL): git
    # refuses these transports at once, as it would offline, and says so
    for index, protocol in enumerate(('https', 'http', 'ssh', 'git')):
        monkeypatch.setenv(f'GIT_CONFIG_KEY_{index}', f'protocol.{protocol}.allow')
        monkeypatch.setenv(f'GIT_CONFIG_VALUE_{index}', 'never')
    monkeypatch.setenv('GIT_CONFIG_COUNT', '4')


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A fresh git repository; the test runs inside it."""
    path = init_repo(tmp_path / 'repo')
    cwd = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(cwd)
