from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.util import GIT_ENV
from testing.util import init_repo
from testing.vastapi import vast_api  # noqa: F401 -- the fake Vast.ai API, for every test

# a file:// URL to a folder that does not exist: git fails on it without a network
_NOWHERE = 'file:///nonexistent-vastai-guard-test-remote/'


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    # a test must never see the developer's own GitHub Actions or hook environment
    for name in ('GITHUB_ACTIONS', 'GIT_INDEX_FILE', 'GIT_DIR', 'GIT_WORK_TREE'):
        monkeypatch.delenv(name, raising=False)
    # no test reaches the network through git: `init` checks its rev on the published
    # repository (GitHub); here that URL leads to a folder that is not there, and git says so
    # at once, as it would offline (tests of local http and ssh servers are not affected)
    monkeypatch.setenv('GIT_CONFIG_COUNT', '1')
    monkeypatch.setenv('GIT_CONFIG_KEY_0', f'url.{_NOWHERE}.insteadOf')
    monkeypatch.setenv('GIT_CONFIG_VALUE_0', 'https://github.com/')


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
