"""Coverage decides the exit code: a gate never passes over what it could not read.

`chmod 000` cannot stop root, who runs these tests in containers, so an unreadable file or
folder is made by failing the read where the scan makes it (the hostile-input table does it
with chmod when not root).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testing.damage import loose_object
from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.files import reading
from vastai_guard.main import main
from vastai_guard.sources import readers


def _deny(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real_read = reading.read_regular

    def read_regular(path: str, *, max_bytes: int) -> bytes:
        if os.path.basename(path) == name:
            raise PermissionError(13, 'Permission denied', path)
        return real_read(path, max_bytes=max_bytes)

    monkeypatch.setattr(readers, 'read_regular', read_regular)


@pytest.mark.parametrize('args', (['a.env'], ['dir'], ['--from-disk', 'dir']))
def test_an_unreadable_file_fails_the_scan(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        args: list[str],
) -> None:
    write(repo, 'a.env', env_line(new_key()))
    write(repo, 'dir/a.env', env_line(new_key()))
    write(repo, 'dir/ok.txt', 'fine\n')
    _deny(monkeypatch, 'a.env')
    assert main(['scan', *args]) == 2
    err = capsys.readouterr().err
    assert 'a.env: cannot be read (Permission denied): not scanned' in err
    assert err.rstrip().endswith('or name them in exclude_paths to leave them out')
    # -q silences the rest, never why the gate failed
    assert main(['scan', '-q', *args]) == 2
    assert 'cannot be read' in capsys.readouterr().err


def test_naming_it_in_exclude_paths_accepts_it(
        repo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(repo, 'dir/a.env', env_line(new_key()))
    write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - dir/a.env\n')
    _deny(monkeypatch, 'a.env')
    assert main(['scan', '--from-disk', 'dir']) == 0
    # and --allow-missing-objects, which excuses missing git objects, does not
    write(repo, '.vastai-guard.yaml', '')
    assert main(['scan', '--from-disk', 'dir', '--allow-missing-objects']) == 2


def test_an_unreadable_folder_fails_the_scan(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'dir/shut/a.env', env_line(new_key()))
    write(repo, 'dir/ok.txt', 'fine\n')
    real = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == 'shut':
            raise PermissionError(13, 'Permission denied', path)
        return real(path)

    monkeypatch.setattr(os, 'scandir', scandir)
    assert main(['scan', '--from-disk', 'dir']) == 2
    assert 'dir/shut: folder cannot be listed (Permission denied): not scanned' in (
        capsys.readouterr().err
    )
    # the report says it too, for CI that reads JSON
    assert main(['scan', '--from-disk', 'dir', '--format', 'json']) == 2
    report = json.loads(capsys.readouterr().out)
    assert (report['incomplete'], report['not_read']) == (True, ['dir/shut'])


def test_a_named_submodule_is_said_and_fails(tmp_path: Path) -> None:
    inner = init_repo(tmp_path / 'inner')
    write(inner, 'a.env', env_line(new_key()))
    commit_all(inner)
    outer = init_repo(tmp_path / 'outer')
    git(outer, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', str(inner), 'sub')
    result = run_cli(['scan', 'sub'], outer)
    assert result.returncode == 2
    assert 'sub: a submodule or repository of its own: scan it from inside ' \
        '(cd sub && vastai-guard scan --all-files)' in result.stderr
    assert run_cli(['scan', '--all-files'], outer / 'sub').returncode == 1  # as advised
    # left out by name, it is no longer the scan's business
    write(outer, '.vastai-guard.yaml', 'exclude_paths:\n  - sub\n')
    assert run_cli(['scan', 'sub'], outer).returncode == 0


def _history_without(repo: Path, what: str) -> None:
    write(repo, 'app.env', env_line(new_key()))
    write(repo, 'd/x.txt', 'x\n')
    commit_all(repo, 'one')
    write(repo, 'b.txt', 'b\n')
    commit_all(repo, 'two')
    sha = git(repo, 'rev-parse', {'commit': 'HEAD~1', 'tree': 'HEAD:d'}[what]).strip()
    os.remove(loose_object(repo, sha))


@pytest.mark.parametrize('what', ('commit', 'tree'))
def test_allow_missing_objects_never_excuses_a_commit_or_tree(
        repo: Path, capsys: pytest.CaptureFixture[str], what: str,
) -> None:
    _history_without(repo, what)
    assert main(['history', '--allow-missing-objects']) == 2
    err = capsys.readouterr().err
    assert 'history walk stopped early' in err
    assert '--allow-missing-objects excuses missing blobs only' in err


def test_allow_missing_objects_still_excuses_a_missing_blob(repo: Path) -> None:
    write(repo, 'a.txt', 'gone\n')
    commit_all(repo)
    os.remove(loose_object(repo, git(repo, 'rev-parse', 'HEAD:a.txt').strip()))
    assert main(['history']) == 2
    assert main(['history', '--allow-missing-objects']) == 0


def test_a_baseline_file_anywhere_is_read_in_history(repo: Path) -> None:
    key = new_key()
    write(repo, 'sub/.secrets.baseline', env_line(key))
    commit_all(repo)
    assert main(['history']) == 1
