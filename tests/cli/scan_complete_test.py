"""`scan` (the hook, named paths, `--all-files`) and the push hook read every blob they are
given, and say so when they could not: a damaged or missing object is a warning naming it,
never a crash or a hang, and a clean scan that did not read everything is exit 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from testing.damage import corrupt_in_pack
from testing.damage import lie_about_size
from testing.damage import loose_object
from testing.sarif import validated
from testing.util import GIT_ENV
from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import redacted
from testing.util import run_cli
from testing.util import write
from vastai_guard.main import main

MANIFEST = REPO_ROOT / '.pre-commit-hooks.yaml'
INCOMPLETE = (
    'Incomplete scan: 1 object could not be read (missing from a partial clone, or damaged). '
    'Keys in them are not reported.'
)
INCOMPLETE_ERROR = (
    'vastai-guard: error: the scan is incomplete (see the warnings above); '
    'pass --allow-missing-objects to accept it\n'
)


def json_scan(
        capsys: pytest.CaptureFixture[str], *args: str, secrets: tuple[str, ...],
) -> tuple[int, dict[str, Any], str]:
    returncode = main(['scan', '--format', 'json', *args])
    out, err = capsys.readouterr()
    for secret in secrets:
        assert secret not in out and secret not in err
    return returncode, json.loads(out), err


def _stage_around(repo: Path, damaged_text: str) -> tuple[str, str, str]:
    """Two staged key files, one read before and one after `notes.txt`; its blob id."""
    first, last = new_key(), new_key()
    write(repo, 'app.env', env_line(first))
    write(repo, 'notes.txt', damaged_text)
    write(repo, 'zz/deploy.env', env_line(last))
    git(repo, 'add', '-A')
    return first, last, git(repo, 'rev-parse', ':notes.txt').strip()


# --- damaged loose objects ------------------------------------------------------------------


@pytest.mark.parametrize('size', (pytest.param(5, id='too-small'), pytest.param(999, id='too-big')))
@pytest.mark.parametrize(
    'args',
    (
        pytest.param((), id='staged'),
        pytest.param(('app.env', 'notes.txt', 'zz/deploy.env'), id='named'),
        pytest.param(('--all-files',), id='all-files'),
    ),
)
def test_damaged_loose_blob_is_a_warning_and_the_rest_is_read(
        repo: Path, capsys: pytest.CaptureFixture[str], size: int, args: tuple[str, ...],
) -> None:
    first, last, damaged = _stage_around(repo, 'vast notes that will be damaged\n')
    lie_about_size(repo, damaged, size)

    returncode, report, err = json_scan(capsys, *args, secrets=(first, last))

    assert returncode == 1
    assert sorted(f['redacted'] for f in report['findings']) == sorted(
        (redacted(first), redacted(last)),
    )
    assert report['incomplete'] is True and report['unreadable_objects'] == 1
    assert err == (
        f'vastai-guard: warning: object {damaged} (notes.txt) is damaged (git cannot read it): '
        'skipped\n'
    )


def test_damaged_blob_alone_is_exit_2_in_every_format(repo: Path) -> None:
    write(repo, 'notes.txt', 'vast notes that will be damaged\n')
    git(repo, 'add', '-A')
    damaged = git(repo, 'rev-parse', ':notes.txt').strip()
    lie_about_size(repo, damaged, 999)

    outputs = {
        fmt: run_cli(['scan', '--format', fmt], cwd=repo)
        for fmt in ('text', 'json', 'sarif', 'github')
    }

    for fmt, result in outputs.items():
        assert result.returncode == 2, (fmt, result.stderr)
        assert result.stderr == (
            f'vastai-guard: warning: object {damaged} (notes.txt) is damaged (git cannot read '
            f'it): skipped\n{INCOMPLETE_ERROR}'
        )
    assert outputs['text'].stdout == f'{INCOMPLETE}\n'
    assert json.loads(outputs['json'].stdout) == {
        'findings': [], 'incomplete': True, 'unreadable_objects': 1, 'not_read': [],
        'binary_files': 0,
    }
    [invocation] = validated(outputs['sarif'].stdout)['runs'][0]['invocations']
    assert invocation['executionSuccessful'] is False
    assert invocation['toolExecutionNotifications'][0]['message']['text'] == INCOMPLETE
    assert outputs['github'].stdout == f'::warning title=incomplete-scan::{INCOMPLETE}\n'


def test_output_file_summary_says_it_is_incomplete(repo: Path, tmp_path: Path) -> None:
    write(repo, 'notes.txt', 'vast notes\n')
    git(repo, 'add', '-A')
    lie_about_size(repo, git(repo, 'rev-parse', ':notes.txt').strip(), 999)
    report = tmp_path / 'report.sarif'

    result = run_cli(['scan', '--format', 'sarif', '--output', str(report)], cwd=repo)

    assert result.returncode == 2
    assert result.stdout == (
        'vastai-guard: no Vast.ai keys in 0 files (1 object could not be read: incomplete); '
        f'report written to {report}\n'
    )
    [invocation] = validated(report.read_text(encoding='utf-8'))['runs'][0]['invocations']
    assert invocation['executionSuccessful'] is False


def test_text_report_with_a_key_says_it_is_incomplete(repo: Path) -> None:
    key, _, damaged = _stage_around(repo, 'vast notes\n')
    lie_about_size(repo, damaged, 3)

    result = run_cli(['scan'], cwd=repo)

    assert result.returncode == 1
    assert 'app.env:1: vast-api-key:' in result.stdout
    assert result.stdout.endswith(f'{INCOMPLETE}\n')
    assert key not in result.stdout + result.stderr


# --- corrupt pack entries -------------------------------------------------------------------


def test_corrupt_packed_blob_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    for name in ('a.txt', 'b.txt', 'c.txt'):
        write(repo, name, f'vast {new_key() * 30}\n')
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'files')
    git(repo, 'gc', '-q')
    broken = git(repo, 'rev-parse', 'HEAD:b.txt').strip()
    corrupt_in_pack(repo, broken)

    returncode, report, err = json_scan(capsys, '--all-files', secrets=(key,))

    assert returncode == 1
    assert [f['redacted'] for f in report['findings']] == [redacted(key)]
    assert report['unreadable_objects'] == 1
    assert f'object {broken} (b.txt) is damaged (git cannot read it): skipped' in err


# --- missing objects --------------------------------------------------------------------------


# (pre-commit itself stops on a missing staged blob, at `git write-tree`, before any hook runs:
# the hook's own command line is tested here, with the file name pre-commit would pass)
@pytest.mark.parametrize('args', (pytest.param((), id='staged'), pytest.param(('lost.txt',))))
def test_deleted_blob_makes_a_clean_scan_exit_2(
        repo: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
) -> None:
    write(repo, 'lost.txt', 'gone\n')
    git(repo, 'add', '-A')
    lost = git(repo, 'rev-parse', ':lost.txt').strip()
    os.remove(loose_object(repo, lost))

    returncode, report, err = json_scan(capsys, *args, secrets=())

    assert returncode == 2
    assert report == {
        'findings': [], 'incomplete': True, 'unreadable_objects': 1, 'not_read': [],
        'binary_files': 0,
    }
    assert err == f'vastai-guard: warning: object {lost} (lost.txt) is missing: skipped\n' + (
        INCOMPLETE_ERROR
    )
    assert main(['scan', '--allow-missing-objects', *args]) == 0
    # nothing can make a baseline of what was not read
    assert main(['scan', '--all-files', '--update-baseline', '.secrets.baseline']) == 2
    assert not os.path.exists('.secrets.baseline')


def test_deleted_blob_with_a_key_elsewhere_is_exit_1(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'lost.txt', 'gone\n')
    write(repo, 'app.env', env_line(key))
    git(repo, 'add', '-A')
    lost = git(repo, 'rev-parse', ':lost.txt').strip()
    os.remove(loose_object(repo, lost))

    returncode, report, err = json_scan(capsys, secrets=(key,))

    assert returncode == 1
    assert [f['redacted'] for f in report['findings']] == [redacted(key)]
    assert report['incomplete'] is True
    assert f'object {lost} (lost.txt) is missing: skipped' in err


def test_sha256_repository(tmp_path: Path) -> None:
    repo = tmp_path / 'repo256'
    repo.mkdir()
    git(repo, 'init', '-q', '--object-format=sha256', '-b', 'main')
    key = new_key()
    write(repo, 'app.env', env_line(key))
    write(repo, 'lost.txt', 'gone\n')
    git(repo, 'add', '-A')
    lost = git(repo, 'rev-parse', ':lost.txt').strip()
    os.remove(loose_object(repo, lost))

    result = run_cli(['scan', '--format', 'json'], cwd=repo)

    assert result.returncode == 1, result.stderr
    assert len(lost) == 64
    assert [f['redacted'] for f in json.loads(result.stdout)['findings']] == [redacted(key)]
    assert f'object {lost} (lost.txt) is missing: skipped' in result.stderr


def test_partial_clone_blobs_are_never_fetched(tmp_path: Path) -> None:
    """A sparse partial clone lacks the blobs outside its cone: --all-files says they are
    missing, never fetches them (a scanner makes no network calls), and reads the rest."""
    key = new_key()
    origin = init_repo(tmp_path / 'origin')
    git(origin, 'config', 'uploadpack.allowFilter', 'true')
    write(origin, 'deploy/app.env', 'VAST_REGION=eu\n')
    write(origin, 'deploy/run.sh', 'vastai show instances\n')
    write(origin, 'zz.env', env_line(key))  # in the cone, read after the missing ones
    commit_all(origin, 'files')
    git(tmp_path, 'clone', '-q', '--filter=blob:none', '--sparse', origin.as_uri(), 'clone')
    clone = tmp_path / 'clone'

    def missing() -> list[str]:
        listed = git(clone, 'rev-list', '--objects', '--all', '--missing=print')
        return sorted(line for line in listed.splitlines() if line.startswith('?'))

    before = missing()
    assert len(before) == 2  # deploy/app.env and deploy/run.sh

    result = run_cli(['scan', '--all-files', '--format', 'json'], cwd=clone)

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [f['redacted'] for f in report['findings']] == [redacted(key)]
    assert report['incomplete'] is True and report['unreadable_objects'] == 2
    for path in ('deploy/app.env', 'deploy/run.sh'):
        assert f'({path}) is missing: skipped' in result.stderr
    assert key not in result.stdout + result.stderr
    assert missing() == before
    # outside the cone, so not on disk: named, they are judged by the index, and unread
    named = run_cli(['scan', 'deploy/app.env'], cwd=clone)
    assert named.returncode == 2 and '(deploy/app.env) is missing: skipped' in named.stderr
    allowed = run_cli(['scan', 'deploy/app.env', '--allow-missing-objects'], cwd=clone)
    assert allowed.returncode == 0
    assert missing() == before


def test_a_big_blob_that_cannot_be_read_is_a_warning(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A blob over max_file_mb is read again from git into a file: that read fails too."""
    key = new_key()
    write(repo, '.vastai-guard.yaml', 'max_file_mb: 1\n')
    write(repo, 'big.txt', 'vast\n' * 300_000)
    write(repo, 'app.env', env_line(key))
    git(repo, 'add', '-A')
    big = git(repo, 'rev-parse', ':big.txt').strip()
    lie_about_size(repo, big, 2_000_000)

    returncode, report, err = json_scan(capsys, secrets=(key,))

    assert returncode == 1
    assert [f['redacted'] for f in report['findings']] == [redacted(key)]
    assert report['unreadable_objects'] == 1
    assert f'object {big} (big.txt) is damaged (git cannot read it): skipped' in err


def test_replace_refs_do_not_change_what_is_read(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """The commit takes the staged blob itself, whatever `git replace` shows in its place."""
    key = new_key()
    write(repo, 'app.env', env_line(key))
    git(repo, 'add', '-A')
    staged = git(repo, 'rev-parse', ':app.env').strip()
    clean = subprocess.run(
        ('git', 'hash-object', '-w', '--stdin'), cwd=repo, input='VAST_REGION=eu\n',
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    git(repo, 'replace', staged, clean)
    assert 'VAST_REGION' in git(repo, 'cat-file', 'blob', staged)

    returncode, report, _ = json_scan(capsys, secrets=(key,))

    assert returncode == 1
    assert [f['redacted'] for f in report['findings']] == [redacted(key)]


# --- the hooks, as pre-commit runs them ---------------------------------------------------------


def _local_hook(repo: Path, hook_id: str, tmp_path: Path) -> dict[str, str]:
    """`repo: local` running the installed vastai-guard with the manifest's entry."""
    (hook,) = [
        hook for hook in yaml.safe_load(MANIFEST.read_text(encoding='utf-8'))
        if hook['id'] == hook_id
    ]
    hook = {**hook, 'language': 'system'}
    hook.pop('description')
    config = {'repos': [{'repo': 'local', 'hooks': [hook]}]}
    write(repo, '.pre-commit-config.yaml', yaml.safe_dump(config))
    commit_all(repo, 'config')  # before the hook is installed: no hook runs outside `env`
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    env = {**os.environ, **GIT_ENV, 'PATH': path, 'PRE_COMMIT_HOME': str(tmp_path / 'pc-home')}
    hook_type = 'pre-push' if 'pre-push' in hook.get('stages', ()) else 'pre-commit'
    subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'install', '--hook-type', hook_type),
        cwd=repo, env=env, check=True, capture_output=True,
    )
    return env


def test_pre_commit_hook_with_a_damaged_staged_blob(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'work')
    env = _local_hook(repo, 'vastai-secrets', tmp_path)
    key, _, damaged = _stage_around(repo, 'vast notes that will be damaged\n')
    lie_about_size(repo, damaged, 999)

    result = subprocess.run(
        ('git', 'commit', '-m', 'change'), cwd=repo, env=env, capture_output=True, text=True,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f'object {damaged} (notes.txt) is damaged (git cannot read it): skipped' in output
    assert 'app.env:1: vast-api-key:' in output and 'zz/deploy.env:1: vast-api-key:' in output
    assert 'Traceback' not in output and key not in output
    assert git(repo, 'rev-list', '--count', 'HEAD').strip() == '1'  # nothing committed


def _pushing(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    remote = tmp_path / 'remote.git'
    subprocess.run(('git', 'init', '-q', '--bare', str(remote)), check=True)
    work = init_repo(tmp_path / 'work')
    git(work, 'remote', 'add', 'origin', str(remote))
    env = _local_hook(work, 'vastai-secrets-push', tmp_path)
    commit_all(work, 'start')
    pushed = subprocess.run(
        ('git', 'push', 'origin', 'main'), cwd=work, env=env, capture_output=True, text=True,
        check=False,
    )
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    return work, env


def test_push_hook_with_a_damaged_blob_still_finds_the_key(tmp_path: Path) -> None:
    work, env = _pushing(tmp_path)
    key, _, damaged = _stage_around(work, 'vast notes that will be damaged\n')
    commit_all(work, 'change')
    lie_about_size(work, damaged, 5)

    result = subprocess.run(
        ('git', 'push', 'origin', 'main'), cwd=work, env=env, capture_output=True, text=True,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f'object {damaged} (notes.txt) is damaged (git cannot read it): skipped' in output
    assert redacted(key) in output
    assert 'Traceback' not in output and key not in output


def test_push_hook_with_a_missing_blob_stops_the_push(tmp_path: Path) -> None:
    work, env = _pushing(tmp_path)
    write(work, 'lost.txt', 'gone\n')
    commit_all(work, 'change')
    lost = git(work, 'rev-parse', 'HEAD:lost.txt').strip()
    os.remove(loose_object(work, lost))

    result = run_cli(
        ['history', '--pre-push'], cwd=work,
        env={'PRE_COMMIT_FROM_REF': 'origin/main', 'PRE_COMMIT_TO_REF': 'HEAD'},
    )

    assert result.returncode == 2, result.stderr
    assert f'object {lost} (lost.txt) is missing: skipped' in result.stderr
    assert result.stderr.endswith(INCOMPLETE_ERROR)


# --- git missing from PATH ------------------------------------------------------------------


@pytest.mark.parametrize(
    'args',
    (
        pytest.param(('scan',), id='scan-staged'),
        pytest.param(('scan', 'app.env'), id='scan-named'),
        pytest.param(('scan', '--all-files'), id='scan-all-files'),
        pytest.param(('gitignore',), id='gitignore'),
        pytest.param(('init', '--local'), id='init'),
        pytest.param(('history',), id='history'),
        pytest.param(('history', '--pre-push'), id='history-pre-push'),
        pytest.param(('rotated', '0123456789abcdef'), id='rotated'),
    ),
)
def test_git_missing_from_path_is_exit_2_with_one_line(
        tmp_path: Path, args: tuple[str, ...],
) -> None:
    repo = init_repo(tmp_path / 'repo')
    write(repo, 'app.env', env_line(new_key()))
    commit_all(repo, 'key')
    empty = tmp_path / 'empty-bin'
    empty.mkdir()

    # the interpreter by its absolute path (run_cli): only git is out of reach
    result = run_cli(list(args), cwd=repo, env={'PATH': str(empty)})

    assert result.returncode == 2
    assert result.stderr == 'vastai-guard: error: git is not installed or not on PATH\n'
    assert result.stdout == ''
