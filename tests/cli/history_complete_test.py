"""`history` scans what a push would send, in every repository git can hold, and says so when
it could not read everything."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from testing.damage import corrupt_in_pack
from testing.damage import lie_about_size
from testing.damage import loose_object
from testing.sarif import validated
from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import redacted
from testing.util import run_cli
from testing.util import write
from vastai_guard.main import main


def json_history(
        capsys: pytest.CaptureFixture[str], *args: str, secrets: tuple[str, ...],
) -> tuple[int, dict[str, Any], str]:
    returncode = main(['history', '--format', 'json', *args])
    out, err = capsys.readouterr()
    for secret in secrets:
        assert secret not in out and secret not in err
    return returncode, json.loads(out), err


# --- hidden from `git log`, sent by `git push` ------------------------------------------------


def test_replaced_commit_is_still_scanned(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    write(repo, 'README.md', 'hello\n')
    base = commit_all(repo, 'start')
    write(repo, 'app.env', env_line(key))
    leaky = commit_all(repo, 'add key')
    # the same commit without the key; `git replace` makes git show it instead
    (repo / 'app.env').unlink()
    git(repo, 'add', '-A')
    clean_tree = git(repo, 'write-tree').strip()
    clean = git(repo, 'commit-tree', clean_tree, '-p', base, '-m', 'add key').strip()
    git(repo, 'reset', '-q', '--hard', leaky)
    git(repo, 'replace', leaky, clean)
    assert 'app.env' not in git(repo, 'log', '--all', '--name-only', '--format=')

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    [exposed] = report['keys']
    assert exposed['first_seen']['commit'] == leaky
    assert exposed['in_head'] is True


def test_grafts_do_not_hide_a_commit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    write(repo, 'app.env', env_line(key))
    leaky = commit_all(repo, 'add key')
    (repo / 'app.env').unlink()
    later = commit_all(repo, 'remove key')
    # a graft with no parents: git log stops at `later` and never sees the key
    write(repo, '.git/info/grafts', f'{later}\n')

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    assert [k['first_seen']['commit'] for k in report['keys']] == [leaky]


def test_annotated_tag_message(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    commit_all(repo, 'start')
    git(repo, 'tag', '-a', 'v1', '-m', f'release\n\nvastai set api-key {key}\n')
    tag = git(repo, 'rev-parse', 'v1').strip()

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    [exposed] = report['keys']
    assert exposed['first_seen']['commit'] == tag
    assert exposed['first_seen']['path'] == '(tag message) refs/tags/v1'
    assert exposed['first_seen']['line'] == 3
    assert exposed['first_seen']['author'] == 'Test Committer <committer@example.invalid>'


def test_tag_of_a_tag(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    commit_all(repo, 'start')
    git(repo, 'tag', '-a', 'inner', '-m', f'vastai set api-key {key}')
    inner = git(repo, 'rev-parse', 'inner').strip()
    git(repo, 'tag', '-a', 'outer', '-m', 'wraps inner', inner)
    git(repo, 'tag', '-d', 'inner')  # only the outer tag reaches the inner one now

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    [exposed] = report['keys']
    assert exposed['first_seen']['commit'] == inner
    assert exposed['first_seen']['path'] == '(tag message) refs/tags/outer'


@pytest.mark.parametrize(
    ('make_ref', 'path'),
    (
        pytest.param(lambda repo, blob, tree: git(repo, 'tag', 'keyblob', blob),
                     'refs/tags/keyblob', id='lightweight-tag-of-a-blob'),
        pytest.param(lambda repo, blob, tree: git(repo, 'tag', '-a', '-m', 'x', 'keyblob', blob),
                     'refs/tags/keyblob', id='annotated-tag-of-a-blob'),
        pytest.param(lambda repo, blob, tree: git(repo, 'update-ref', 'refs/stuff/blob', blob),
                     'refs/stuff/blob', id='ref-to-a-blob'),
        pytest.param(lambda repo, blob, tree: git(repo, 'update-ref', 'refs/stuff/tree', tree),
                     'refs/stuff/tree:deploy/app.env', id='ref-to-a-tree'),
    ),
)
def test_objects_refs_name_outside_any_commit(
        repo: Path, capsys: pytest.CaptureFixture[str], make_ref: Any, path: str,
) -> None:
    key = new_key()
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'start')
    write(repo, 'deploy/app.env', env_line(key))
    blob = git(repo, 'hash-object', '-w', 'deploy/app.env').strip()
    git(repo, 'add', 'deploy/app.env')
    tree = git(repo, 'write-tree').strip()
    git(repo, 'reset', '-q')
    (repo / 'deploy/app.env').unlink()
    make_ref(repo, blob, tree)

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    [exposed] = report['keys']
    assert exposed['first_seen']['path'] == path
    assert exposed['redacted'] == redacted(key)


def test_git_notes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    commit = commit_all(repo, 'start')
    git(repo, 'notes', 'add', '-m', f'deployed with\nvastai set api-key {key}', commit)

    returncode, report, _ = json_history(capsys, secrets=(key,))

    assert returncode == 1
    [exposed] = report['keys']
    assert exposed['first_seen']['path'] == commit  # notes are stored by annotated object
    assert exposed['first_seen']['line'] == 2


# --- SHA-256 repositories ---------------------------------------------------------------------


@pytest.fixture
def sha256_repo(tmp_path: Path) -> Any:
    path = tmp_path / 'repo256'
    path.mkdir()
    git(path, 'init', '-q', '--object-format=sha256', '-b', 'main')
    cwd = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(cwd)


def test_sha256_history_stash_and_rotated(
        sha256_repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    repo = sha256_repo
    committed, stashed = new_key(), new_key()
    write(repo, 'app.py', 'print(1)\n')
    commit_all(repo, 'start')
    write(repo, 'app.env', env_line(committed))
    added = commit_all(repo, 'key')
    write(repo, 'app.py', f'VAST_API_KEY = "{stashed}"\n')
    git(repo, 'stash', 'push', '-q')
    write(repo, 'app.py', 'print(2)\n')
    git(repo, 'stash', 'push', '-q')  # the key is in the older stash entry only

    returncode, report, _ = json_history(capsys, secrets=(committed, stashed))

    assert returncode == 1
    assert len(added) == 64
    by_key = {k['redacted']: k for k in report['keys']}
    assert by_key.keys() == {redacted(committed), redacted(stashed)}
    assert by_key[redacted(committed)]['first_seen']['commit'] == added
    assert by_key[redacted(committed)]['first_seen']['author'] == (
        'Test Author <author@example.invalid>'
    )
    assert by_key[redacted(committed)]['in_head'] is True
    prefix = by_key[redacted(committed)]['fingerprint'][:12]
    assert main(['rotated', prefix]) == 0
    capsys.readouterr()
    returncode, report, _ = json_history(capsys, secrets=(committed, stashed))
    assert {k['redacted']: k['status'] for k in report['keys']} == {
        redacted(committed): 'rotated', redacted(stashed): 'needs-rotation',
    }


def test_sha256_range(sha256_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = sha256_repo
    key = new_key()
    write(repo, 'README.md', 'x\n')
    commit_all(repo, 'base')
    git(repo, 'branch', 'base-branch')
    write(repo, 'app.env', env_line(key))
    added = commit_all(repo, 'key')

    returncode, report, _ = json_history(capsys, '--range', 'base-branch..HEAD', secrets=(key,))

    assert returncode == 1
    assert [k['first_seen']['commit'] for k in report['keys']] == [added]
    assert main(['history', '--range', 'nope..HEAD']) == 2
    assert "'nope' is not a commit" in capsys.readouterr().err


# --- which repository ---------------------------------------------------------------------------


def _repo_with_key(tmp_path: Path) -> tuple[Path, str]:
    repo = init_repo(tmp_path / 'repo')
    key = new_key()
    write(repo, 'app.env', env_line(key))
    write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - docs/**\n')
    write(repo, 'docs/example.env', env_line(new_key()))
    commit_all(repo, 'key')
    return repo, key


def test_git_dir_and_work_tree_from_the_environment(tmp_path: Path) -> None:
    repo, key = _repo_with_key(tmp_path)
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()

    result = run_cli(
        ['history', '--format', 'json'], cwd=elsewhere,
        env={'GIT_DIR': str(repo / '.git'), 'GIT_WORK_TREE': str(repo)},
    )

    assert result.returncode == 1, result.stderr
    # one repository throughout: its config (the docs/ exclusion) and its HEAD
    [exposed] = json.loads(result.stdout)['keys']
    assert exposed['redacted'] == redacted(key) and exposed['in_head'] is True


def test_run_from_inside_the_git_dir(tmp_path: Path) -> None:
    repo, key = _repo_with_key(tmp_path)

    result = run_cli(['history', '--format', 'json'], cwd=repo / '.git' / 'refs')

    assert result.returncode == 1, result.stderr
    [exposed] = json.loads(result.stdout)['keys']
    assert exposed['redacted'] == redacted(key) and exposed['in_head'] is True


def test_repo_option_beats_git_dir(tmp_path: Path) -> None:
    repo, key = _repo_with_key(tmp_path)
    other = init_repo(tmp_path / 'other')
    commit_all(other, 'nothing here')

    result = run_cli(
        ['history', '--format', 'json', '--repo', str(repo)], cwd=other,
        env={'GIT_DIR': str(other / '.git')},
    )

    assert result.returncode == 1, result.stderr
    assert [k['redacted'] for k in json.loads(result.stdout)['keys']] == [redacted(key)]


def test_nothing_is_reported_unless_gitpython_reads_the_repository_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """GitPython opens the repository in a process of its own while git walks it; when it
    cannot, the walk's result is dropped: exit 2 with GitPython's error, not the keys (exit 1).
    """
    from vastai_guard.errors import FatalError
    from vastai_guard.git import repository

    repo, _ = _repo_with_key(tmp_path)

    def refuses(git_dir: str, path: str) -> str | None:
        raise FatalError(f'{path}: GitPython cannot read this repository')

    # the forked check runs the same function, so both it and the in-process retry refuse
    monkeypatch.setattr(repository, '_open_with_gitpython', refuses)

    code = main(['history', '--format', 'json', '--repo', str(repo)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == '' and 'GitPython cannot read this repository' in err


def test_with_no_process_to_be_had_the_scan_runs_whole_in_this_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """fork fails (a limit on processes): GitPython opens the repository in this process, and
    the blobs, more than one task's worth, are judged here too. Same result, not exit 3."""
    import errno

    repo = init_repo(tmp_path / 'repo')
    for number in range(300):
        write(repo, f'src/module_{number}.py', f'value = {number}\n')
    key = new_key()
    write(repo, 'deploy.env', env_line(key))
    commit_all(repo, 'many files')

    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, 'Resource temporarily unavailable')

    monkeypatch.setattr(os, 'fork', no_fork)

    code = main(['history', '--format', 'json', '--jobs', '2', '--repo', str(repo)])

    out, err = capsys.readouterr()
    assert code == 1, err
    assert [k['redacted'] for k in json.loads(out)['keys']] == [redacted(key)]


def test_git_missing_from_path_is_exit_2(tmp_path: Path) -> None:
    repo, _ = _repo_with_key(tmp_path)
    empty = tmp_path / 'empty-bin'
    empty.mkdir()

    result = run_cli(['history'], cwd=repo, env={'PATH': str(empty)})

    assert result.returncode == 2
    assert result.stderr == 'vastai-guard: error: git is not installed or not on PATH\n'


# --- objects that cannot be read ----------------------------------------------------------------


@pytest.mark.parametrize('size', (pytest.param(5, id='too-small'), pytest.param(999, id='too-big')))
def test_damaged_loose_object_is_a_warning_and_the_rest_is_read(
        repo: Path, capsys: pytest.CaptureFixture[str], size: int,
) -> None:
    key = new_key()
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'key')
    write(repo, 'notes.txt', 'vast notes that will be damaged\n')
    commit_all(repo, 'notes')  # newer: read before the key
    damaged = git(repo, 'rev-parse', 'HEAD:notes.txt').strip()
    lie_about_size(repo, damaged, size)

    returncode, report, err = json_history(capsys, '--jobs', '1', secrets=(key,))

    assert returncode == 1
    assert [k['redacted'] for k in report['keys']] == [redacted(key)]
    assert report['incomplete'] is True and report['unreadable_objects'] == 1
    assert f'object {damaged} (notes.txt) is damaged' in err
    assert 'Traceback' not in err


def test_corrupt_packed_object_is_a_warning(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    for name in ('a.txt', 'b.txt', 'c.txt'):
        write(repo, name, f'vast {new_key() * 30}\n')
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'files')
    git(repo, 'gc', '-q')
    broken = git(repo, 'rev-parse', 'HEAD:b.txt').strip()
    corrupt_in_pack(repo, broken)

    returncode, report, err = json_history(capsys, '--jobs', '1', secrets=(key,))

    assert returncode == 1
    assert [k['redacted'] for k in report['keys']] == [redacted(key)]
    assert report['unreadable_objects'] == 1
    assert f'object {broken} (b.txt) is damaged' in err


def test_deleted_object_makes_a_clean_scan_exit_2(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'lost.txt', 'gone\n')
    commit_all(repo, 'one file')
    lost = git(repo, 'rev-parse', 'HEAD:lost.txt').strip()
    os.remove(loose_object(repo, lost))

    returncode, report, err = json_history(capsys, secrets=())

    assert returncode == 2
    assert report == {
        'keys': [], 'commits_scanned': 1, 'incomplete': True, 'unreadable_objects': 1,
        'suppressed': [],
    }
    assert f'object {lost} (lost.txt) is missing: skipped' in err
    assert err.endswith('pass --allow-missing-objects to accept it\n')
    assert main(['history', '--allow-missing-objects']) == 0


def _partial_clone(tmp_path: Path, *, key_in_head: str | None) -> tuple[Path, list[str]]:
    origin = init_repo(tmp_path / 'origin')
    git(origin, 'config', 'uploadpack.allowFilter', 'true')
    old = new_key()
    write(origin, 'old.env', env_line(old))
    commit_all(origin, 'old key')
    (origin / 'old.env').unlink()
    write(origin, 'app.env', env_line(key_in_head) if key_in_head else 'VAST_REGION=eu\n')
    commit_all(origin, 'now')
    git(tmp_path, 'clone', '-q', '--filter=blob:none', f'file://{origin}', 'clone')
    return tmp_path / 'clone', [old] + ([key_in_head] if key_in_head else [])


def _missing(repo: Path) -> list[str]:
    listed = git(repo, 'rev-list', '--objects', '--all', '--missing=print')
    return sorted(line for line in listed.splitlines() if line.startswith('?'))


def test_partial_clone_is_incomplete_in_every_format(tmp_path: Path) -> None:
    clone, keys = _partial_clone(tmp_path, key_in_head=None)
    missing = _missing(clone)
    assert missing  # the old blob was never fetched

    outputs = {
        fmt: run_cli(['history', '--format', fmt], cwd=clone)
        for fmt in ('json', 'text', 'markdown', 'sarif', 'github')
    }

    for fmt, result in outputs.items():
        assert result.returncode == 2, (fmt, result.stderr)
        assert 'is missing: skipped' in result.stderr
        for key in keys:
            assert key not in result.stdout + result.stderr
    report = json.loads(outputs['json'].stdout)
    assert report['incomplete'] is True and report['unreadable_objects'] == len(missing)
    assert 'Incomplete scan: 1 object could not be read' in outputs['text'].stdout
    assert '> **Incomplete scan: 1 object could not be read' in outputs['markdown'].stdout
    [invocation] = validated(outputs['sarif'].stdout)['runs'][0]['invocations']
    assert invocation['executionSuccessful'] is False
    assert 'Incomplete scan' in invocation['toolExecutionNotifications'][0]['message']['text']
    assert outputs['github'].stdout.startswith('::warning title=incomplete-scan::Incomplete scan')
    # nothing was fetched to complete the scan: a scanner makes no network calls
    assert _missing(clone) == missing

    accepted = run_cli(['history', '--allow-missing-objects'], cwd=clone)
    assert accepted.returncode == 0


def test_partial_clone_with_a_key_is_exit_1(tmp_path: Path) -> None:
    key = new_key()
    clone, keys = _partial_clone(tmp_path, key_in_head=key)

    result = run_cli(['history', '--format', 'json'], cwd=clone)

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [k['redacted'] for k in report['keys']] == [redacted(key)]
    assert report['incomplete'] is True
    for secret in keys:
        assert secret not in result.stdout + result.stderr


# --- every core -------------------------------------------------------------------------------


def _busy_history(repo: Path) -> list[str]:
    """Several keys in files, messages, a tag and a merge, over many small blobs."""
    keys = [new_key() for _ in range(6)]
    for number in range(12):
        write(repo, f'src/module{number}.py', f'import vastai\nVERSION = {number}\n')
    write(repo, 'app.env', env_line(keys[0]))
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature')
    write(repo, 'deploy/run.sh', f'vastai set api-key {keys[1]}\n')
    commit_all(repo, f'deploy\n\nvastai set api-key {keys[2]}\n')
    git(repo, 'checkout', '-q', 'main')
    for number in range(12):
        write(repo, f'src/module{number}.py', f'import vastai\nVERSION = {number + 1}\n')
    write(repo, 'app.env', f'DEBUG=1\n{env_line(keys[0])}')
    commit_all(repo, 'bump')
    git(repo, 'merge', '-q', '--no-ff', '--no-commit', 'feature')
    write(repo, 'merged.env', env_line(keys[3]))
    commit_all(repo, 'merge')
    git(repo, 'tag', '-a', 'v1', '-m', f'vastai set api-key {keys[4]}')
    write(repo, 'home/.vast_api_key', keys[5] + '\n')
    commit_all(repo, 'oops')
    return keys


def test_results_do_not_depend_on_the_number_of_jobs(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vastai_guard.history import judge as history_judge

    keys = _busy_history(repo)
    # one blob per task: many tasks in flight, finishing in any order
    monkeypatch.setattr(history_judge, '_TASK_OBJECTS', 1)

    reports = [
        json_history(capsys, '--jobs', jobs, secrets=tuple(keys)) for jobs in ('1', '2', '3')
    ]

    assert reports[0][0] == 1
    assert len(reports[0][1]['keys']) == len(keys)
    assert reports[1] == reports[0] and reports[2] == reports[0]


def test_results_do_not_depend_on_remembering_the_walk(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A history too big to remember between the passes is walked twice: the same report."""
    from vastai_guard.history import walk as history

    keys = _busy_history(repo)
    remembered = json_history(capsys, '--jobs', '1', secrets=tuple(keys))
    monkeypatch.setattr(history, '_REMEMBERED_CHANGES', 3)
    walked_again = json_history(capsys, '--jobs', '1', secrets=tuple(keys))

    assert remembered[0] == 1
    assert len(remembered[1]['keys']) == len(keys)
    assert walked_again == remembered


def test_jobs_must_be_positive(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(['history', '--jobs', '0']) == 2
    assert capsys.readouterr().err == 'vastai-guard: error: --jobs 0: give 1 or more\n'


def _slow_repo(repo: Path, versions: int) -> None:
    """A Vast-heavy file rewritten many times, through fast-import: seconds to judge."""
    import random

    rng = random.Random(3)
    lines = [f'vast_region_{i} = "{rng.getrandbits(256):064x}"\n' for i in range(2000)]
    stream = []
    for number in range(versions):
        for _ in range(20):
            index = rng.randrange(len(lines))
            lines[index] = f'vast_region_{index} = "{rng.getrandbits(256):064x}"\n'
        payload = ''.join(lines).encode()
        stream.append(
            b'commit refs/heads/main\ncommitter T <t@example.invalid> %d +0000\ndata 2\nc\n'
            b'M 100644 inline vast.py\ndata %d\n%s\n' % (1_600_000_000 + number, len(payload), payload),
        )
    subprocess.run(('git', 'fast-import', '--quiet'), cwd=repo, input=b''.join(stream), check=True)


def test_ctrl_c_ends_promptly_with_130_and_no_process_left(repo: Path) -> None:
    import signal
    import time

    _slow_repo(repo, 600)
    process = subprocess.Popen(
        (sys.executable, '-m', 'vastai_guard', 'history', '--jobs', '2'),
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    time.sleep(1.5)
    assert process.poll() is None, 'the scan ended before it could be interrupted'
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group

    _, err = process.communicate(timeout=30)

    assert process.returncode == 130
    assert err.decode().endswith('vastai-guard: interrupted\n')
    deadline = time.monotonic() + 10
    while True:  # workers and their git processes all gone
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, 'processes left behind'
        time.sleep(0.05)


def test_progress_on_a_terminal(repo: Path) -> None:
    import pty

    write(repo, 'app.env', env_line(new_key()))
    commit_all(repo, 'key')
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            (sys.executable, '-m', 'vastai_guard', 'history'),
            cwd=repo, stdout=subprocess.PIPE, stderr=follower, check=False,
        )
        os.close(follower)
        shown = b''
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)

    assert result.returncode == 1
    assert b'objects 1/1, 1 key, commits 1/1 (100%)' in shown
    assert shown.endswith(b'\r\x1b[K')
