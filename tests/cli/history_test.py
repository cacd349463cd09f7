from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.leaks import LEAKS
from testing.leaks import render
from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import env_line
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import fingerprint
from vastai_guard.history import judge as history_judge
from vastai_guard.main import main
from vastai_guard.policy.config import Config


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str

    def keys(self) -> list[dict[str, Any]]:
        return json.loads(self.stdout)['keys']  # type: ignore[no-any-return]


def history(
        capsys: pytest.CaptureFixture[str],
        *args: str,
        secrets: tuple[str, ...] = (),
) -> Run:
    """`vastai-guard history ARGS` in this process; no raw key may appear in any output."""
    returncode = main(['history', *args])
    out, err = capsys.readouterr()
    for secret in secrets:
        assert secret not in out and secret not in err
    return Run(returncode, out, err)


def json_history(capsys: pytest.CaptureFixture[str], *args: str, secrets: tuple[str, ...]) -> Run:
    return history(capsys, '--format', 'json', *args, secrets=secrets)


def test_key_added_then_removed_still_needs_rotation(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'README.md', 'hello\n')
    commit_all(repo, 'start')
    write(repo, 'config/.env', f'# settings\n{env_line(key)}')
    added = commit_all(repo, 'add settings')
    (repo / 'config/.env').unlink()
    commit_all(repo, 'remove settings')

    result = json_history(capsys, secrets=(key,))

    assert result.returncode == 1
    [exposed] = result.keys()
    assert exposed['status'] == 'needs-rotation'
    assert exposed['in_head'] is False
    assert exposed['rule'] == 'vast-api-key'
    assert exposed['redacted'] == f'{key[:4]}...{key[-4:]}'
    assert exposed['first_seen']['commit'] == added
    assert exposed['first_seen']['author'] == 'Test Author <author@example.invalid>'
    assert exposed['first_seen']['path'] == 'config/.env'
    assert exposed['first_seen']['line'] == 2
    assert exposed['first_seen']['date'][:4].isdigit() and 'T' in exposed['first_seen']['date']
    assert exposed['occurrences'] == [{'commit': added, 'path': 'config/.env', 'line': 2}]
    assert json.loads(result.stdout)['commits_scanned'] == 3


def test_text_report_orders_keys_by_urgency_and_explains_rotation(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    gone, kept = new_key(), new_key()
    write(repo, 'old.env', env_line(gone))
    commit_all(repo, 'old')
    (repo / 'old.env').unlink()
    write(repo, 'app.env', env_line(kept))
    commit_all(repo, 'new')
    write(repo, 'other.txt', 'later\n')
    commit_all(repo, 'later')

    result = history(capsys, secrets=(gone, kept))

    assert result.returncode == 1
    blocks = result.stdout.split('\n\n')
    assert 'still in HEAD' in blocks[0] and kept[:4] in blocks[0]
    assert 'not in HEAD' in blocks[1] and gone[:4] in blocks[1]
    assert 'vastai reset api-key' in blocks[0] and 'vastai delete api-key ID' in blocks[0]
    assert 'https://cloud.vast.ai/manage-keys/' in blocks[0]
    assert 'vastai-guard rotated' in blocks[0]
    assert result.stdout.splitlines()[-1] == (
        '2 Vast.ai keys in 3 commits: 2 need rotation, 0 rotated, 1 still in HEAD.'
    )


def test_same_key_in_several_files_and_commits_is_one_entry(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, '.env', env_line(key))
    first = commit_all(repo, 'env')
    # editing other lines of a file that holds the key does not introduce it again
    write(repo, '.env', f'DEBUG=1\n{env_line(key)}')
    commit_all(repo, 'debug')
    write(repo, 'deploy/run.sh', f'vastai set api-key {key}\n')
    second = commit_all(repo, 'script')

    result = json_history(capsys, secrets=(key,))

    [exposed] = result.keys()
    assert exposed['in_head'] is True
    assert exposed['first_seen']['commit'] == first
    assert exposed['occurrences'] == [
        {'commit': first, 'path': '.env', 'line': 1},
        {'commit': second, 'path': 'deploy/run.sh', 'line': 1},
    ]


def _stash_key_in_older_entry(repo: Path, key: str) -> None:
    write(repo, 'app.py', 'print(1)\n')
    commit_all(repo, 'start')
    write(repo, 'app.py', f'VAST_API_KEY = "{key}"\n')
    git(repo, 'stash', 'push', '-q')
    # a newer stash on top: refs/stash alone no longer reaches the key
    write(repo, 'app.py', 'print(2)\n')
    git(repo, 'stash', 'push', '-q')


def _key_only_on_branch(repo: Path, key: str) -> None:
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature')
    write(repo, 'feature.env', env_line(key))
    commit_all(repo, 'feature')
    git(repo, 'checkout', '-q', 'main')


def _key_only_on_tag(repo: Path, key: str) -> None:
    _key_only_on_branch(repo, key)
    git(repo, 'tag', 'v1', 'feature')
    git(repo, 'branch', '-q', '-D', 'feature')


def _key_only_in_message(repo: Path, key: str) -> None:
    write(repo, 'a.txt', 'a\n')
    commit_all(repo, f'configure the box\n\nran: vastai set api-key {key}\n')


def _key_in_renamed_file(repo: Path, key: str) -> None:
    write(repo, 'settings.env', env_line(key))
    commit_all(repo, 'settings')
    git(repo, 'mv', 'settings.env', 'prod.env')
    commit_all(repo, 'rename')


def _key_written_in_merge(repo: Path, key: str) -> None:
    write(repo, 'conf.env', 'VAST_REGION=eu\n')
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature')
    write(repo, 'feature.txt', 'f\n')
    commit_all(repo, 'feature')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'main.txt', 'm\n')
    commit_all(repo, 'main work')
    git(repo, 'merge', '-q', '--no-ff', '--no-commit', 'feature')
    # written while resolving the merge: in neither parent
    write(repo, 'conf.env', f'VAST_REGION=eu\n{env_line(key)}')
    commit_all(repo, 'merge feature')


def _key_in_cli_key_file(repo: Path, key: str) -> None:
    # no "vast" in the content: the path is the context
    write(repo, 'home/.vast_api_key', key + '\n')
    commit_all(repo, 'oops')
    (repo / 'home/.vast_api_key').unlink()
    commit_all(repo, 'remove')


@pytest.mark.parametrize(
    ('make', 'path', 'in_head'),
    (
        pytest.param(_key_only_on_branch, 'feature.env', False, id='unmerged-branch'),
        pytest.param(_key_only_on_tag, 'feature.env', False, id='tag'),
        pytest.param(_stash_key_in_older_entry, 'app.py', False, id='older-stash-entry'),
        pytest.param(_key_only_in_message, '(commit message)', False, id='commit-message'),
        pytest.param(_key_in_renamed_file, 'settings.env', True, id='renamed-file'),
        pytest.param(_key_written_in_merge, 'conf.env', True, id='merge-commit'),
        pytest.param(_key_in_cli_key_file, 'home/.vast_api_key', False, id='cli-key-file'),
    ),
)
def test_key_found_wherever_history_holds_it(
        repo: Path,
        capsys: pytest.CaptureFixture[str],
        make: Any,
        path: str,
        in_head: bool,
) -> None:
    key = new_key()
    make(repo, key)

    result = json_history(capsys, secrets=(key,))

    assert result.returncode == 1, result.stderr
    [exposed] = result.keys()
    assert exposed['first_seen']['path'] == path
    assert exposed['in_head'] is in_head


def test_renamed_file_reports_the_new_path_too(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    _key_in_renamed_file(repo, key)

    [exposed] = json_history(capsys, secrets=(key,)).keys()

    assert [o['path'] for o in exposed['occurrences']] == ['settings.env', 'prod.env']


def test_a_file_renamed_away_from_a_vast_name_is_judged_under_its_old_name(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Only the name `vast.env` makes `API_KEY=...` a Vast.ai key; the newest commit (walked
    first) holds the same blob under a name that says nothing: the older name still counts."""
    key = new_key()
    write(repo, 'vast.env', f'API_KEY={key}\n')
    commit_all(repo, 'add')
    git(repo, 'mv', 'vast.env', 'notes.env')
    commit_all(repo, 'rename')

    run = json_history(capsys, secrets=(key,))

    assert run.returncode == 1
    [exposed] = run.keys()
    assert exposed['fingerprint'] == fingerprint(key)
    assert exposed['first_seen']['path'] == 'vast.env'


def test_key_merged_from_a_branch_belongs_to_the_branch_commit(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    commit_all(repo, 'start')
    git(repo, 'checkout', '-q', '-b', 'feature')
    write(repo, 'f.env', env_line(key))
    added = commit_all(repo, 'feature')
    git(repo, 'checkout', '-q', 'main')
    write(repo, 'main.txt', 'm\n')
    commit_all(repo, 'main work')
    git(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'feature')

    [exposed] = json_history(capsys, secrets=(key,)).keys()

    assert [o['commit'] for o in exposed['occurrences']] == [added]


def test_digests_and_lockfile_hashes_are_not_keys(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    digest, lock_hash, checksum = new_key(), new_key(), new_key()
    write(repo, 'Dockerfile', f'FROM vastai/pytorch@sha256:{digest}\n')
    write(
        repo, 'poetry.lock',
        f'[[package]]\nname = "vastai"\nfiles = [\n  {{file = "vastai.whl", hash = "sha256:{lock_hash}"}},\n]\n',
    )
    write(repo, 'requirements.txt', f'vastai==0.3 --hash=sha256:{checksum}\n')
    commit_all(repo, 'deps')

    result = history(capsys, secrets=(digest, lock_hash, checksum))

    assert result.returncode == 0
    # clean, and not on a terminal: nothing on stdout, as scan
    assert result.stdout == ''


def test_unreachable_commits_only_with_the_flag(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'a.txt', 'a\n')
    commit_all(repo, 'start')
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'with key')
    # amended away: only the reflog and the object store remember it
    (repo / 'app.env').unlink()
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '--amend', '--allow-empty', '-m', 'without key')

    assert json_history(capsys, secrets=(key,)).keys() == []
    result = json_history(capsys, '--include-unreachable', secrets=(key,))
    assert result.returncode == 1
    assert [k['first_seen']['path'] for k in result.keys()] == ['app.env']


@pytest.mark.parametrize(
    ('setup', 'args'),
    (
        pytest.param(
            lambda repo, key: write(repo, '.vastai-guard.yaml', 'exclude_paths:\n  - docs/**\n'),
            (), id='config-exclude-path',
        ),
        pytest.param(
            lambda repo, key: write(
                repo, '.vastai-guard.yaml',
                f'allow_fingerprints:\n  - {__import__("hashlib").sha256(key.encode()).hexdigest()}\n',
            ),
            (), id='config-allow-fingerprint',
        ),
        pytest.param(
            lambda repo, key: write(
                repo, 'baseline.json',
                json.dumps({'results': {'x': [{'hashed_secret': __import__('hashlib').sha1(key.encode()).hexdigest()}]}}),
            ),
            ('--baseline', 'baseline.json'), id='detect-secrets-baseline',
        ),
    ),
)
def test_suppressions_apply_to_history(
        repo: Path, capsys: pytest.CaptureFixture[str], setup: Any, args: tuple[str, ...],
) -> None:
    key = new_key()
    write(repo, 'docs/example.env', env_line(key))
    write(repo, 'notes.md', f'VAST_API_KEY={new_key()}  # vastai-guard:allow\n')
    commit_all(repo, 'docs')
    # the positive control: without the suppression, history reports the key
    unsuppressed = json_history(capsys, secrets=(key,))
    assert unsuppressed.returncode == 1
    assert [k['fingerprint'] for k in unsuppressed.keys()] == [fingerprint(key)]
    setup(repo, key)

    result = history(capsys, *args, secrets=(key,))

    assert result.returncode == 0, result.stdout


def test_ledger_round_trip(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    config = '# shared settings\r\nexclude_paths:\r\n  - vendor/**   # third party\r\n'
    write(repo, '.vastai-guard.yaml', config.encode())
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'key')
    [exposed] = json_history(capsys, secrets=(key,)).keys()
    prefix = exposed['fingerprint'][:12]

    result = run_cli(['rotated', prefix, '--note', 'reset on the Keys page'], cwd=repo)

    assert result.returncode == 0, result.stderr
    assert key not in result.stdout + result.stderr
    ledger = (repo / '.vastai-guard.yaml').read_bytes().decode()
    assert key not in ledger
    assert ledger.startswith(config)
    assert f'fingerprint: {exposed["fingerprint"]}\r\n' in ledger
    assert 'note: reset on the Keys page\r\n' in ledger
    after = json_history(capsys, secrets=(key,))
    assert after.returncode == 0
    assert [k['status'] for k in after.keys()] == ['rotated']
    # recording it again changes nothing
    assert run_cli(['rotated', exposed['fingerprint']], cwd=repo).returncode == 0
    assert (repo / '.vastai-guard.yaml').read_bytes().decode() == ledger


@pytest.mark.parametrize(
    ('argument', 'message'),
    (
        pytest.param('abc', 'is not a fingerprint', id='too-short'),
        pytest.param('zz' * 8, 'is not a fingerprint', id='not-hex'),
        pytest.param('0123456789ab', 'no key in this repository', id='unknown-prefix'),
    ),
)
def test_rotated_refuses_what_it_cannot_resolve(
        repo: Path, capsys: pytest.CaptureFixture[str], argument: str, message: str,
) -> None:
    write(repo, 'app.env', env_line(new_key()))
    commit_all(repo, 'key')

    assert main(['rotated', argument]) == 2
    assert message in capsys.readouterr().err
    assert not (repo / '.vastai-guard.yaml').exists()


def test_shallow_clone_is_scanned_with_a_warning(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / 'origin')
    old, recent = new_key(), new_key()
    write(origin, 'old.env', env_line(old))
    commit_all(origin, 'old')
    write(origin, 'new.env', env_line(recent))
    commit_all(origin, 'new')
    git(tmp_path, 'clone', '-q', '--depth', '1', f'file://{origin}', 'shallow')

    result = run_cli(['history', '--format', 'json'], cwd=tmp_path / 'shallow')

    assert result.returncode == 1
    assert 'shallow clone: history is partial' in result.stderr
    fingerprints = {k['redacted'] for k in json.loads(result.stdout)['keys']}
    assert fingerprints == {f'{old[:4]}...{old[-4:]}', f'{recent[:4]}...{recent[-4:]}'}
    assert old not in result.stdout + result.stderr


def test_empty_repository_has_no_keys(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = json_history(capsys, secrets=())

    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        'keys': [], 'commits_scanned': 0, 'incomplete': False, 'unreadable_objects': 0,
        'suppressed': [],
    }


def test_not_a_repository_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(['history', '--repo', str(tmp_path)], cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr == f'vastai-guard: error: {tmp_path}: not a git repository\n'


def test_invalid_config_is_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, '.vastai-guard.yaml', 'exclude_paths: [\n')

    assert main(['history']) == 2
    assert '.vastai-guard.yaml' in capsys.readouterr().err


@pytest.mark.parametrize(
    'args', (pytest.param((), id='refs'), pytest.param(('--include-unreachable',), id='fsck')),
)
def test_missing_object_is_reported_and_skipped(
        repo: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
) -> None:
    key = new_key()
    write(repo, 'lost.txt', 'this blob will go missing\n')
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'two files')
    lost = git(repo, 'rev-parse', 'HEAD:lost.txt').strip()
    os.remove(repo / '.git' / 'objects' / lost[:2] / lost[2:])

    result = json_history(capsys, *args, secrets=(key,))

    assert result.returncode == 1
    assert f'object {lost} (lost.txt) is missing: skipped' in result.stderr
    assert len(result.keys()) == 1


def test_repo_option_scans_another_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    other = init_repo(tmp_path / 'other')
    key = new_key()
    write(other, 'sub/app.env', env_line(key))
    commit_all(other, 'key')

    result = json_history(capsys, '--repo', str(other / 'sub'), secrets=(key,))

    assert result.returncode == 1 and len(result.keys()) == 1


# --- --range: the pull request check ---------------------------------------------------------


def _pr(repo: Path) -> str:
    write(repo, 'README.md', 'project\n')
    base = commit_all(repo, 'base')
    git(repo, 'branch', 'base-branch', base)
    return base


def test_range_fails_when_a_commit_in_it_added_a_key_even_if_removed(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    _pr(repo)
    key = new_key()
    write(repo, 'app.env', env_line(key))
    added = commit_all(repo, 'add key')
    (repo / 'app.env').unlink()
    commit_all(repo, 'remove key')

    result = json_history(capsys, '--range', 'base-branch..HEAD', secrets=(key,))

    assert result.returncode == 1
    [exposed] = result.keys()
    assert exposed['first_seen']['commit'] == added
    assert json.loads(result.stdout)['commits_scanned'] == 2


def test_range_passes_when_the_key_was_added_before_it(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'app.env', env_line(key))
    commit_all(repo, 'old key')
    git(repo, 'branch', 'base-branch')
    write(repo, 'app.env', f'DEBUG=1\n{env_line(key)}')
    commit_all(repo, 'edit the file that holds it')

    result = json_history(capsys, '--range', 'base-branch..HEAD', secrets=(key,))

    assert result.returncode == 0
    assert result.keys() == []


@pytest.mark.parametrize(
    'spec',
    (
        pytest.param('origin/main..HEAD', id='missing-base'),
        pytest.param('main..nope', id='missing-head'),
        pytest.param('--range=--all', id='option-injection'),
    ),
)
def test_range_with_a_missing_ref_is_exit_2(repo: Path, spec: str) -> None:
    _pr(repo)

    args = [spec] if spec.startswith('--range=') else ['--range', spec]
    result = run_cli(['history', *args], cwd=repo)

    assert result.returncode == 2
    assert result.stderr.startswith('vastai-guard: error: --range')
    assert 'Traceback' not in result.stderr
    if not spec.startswith('--range='):
        assert 'fetch-depth: 0' in result.stderr


def test_json_output_matches_the_documented_schema(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # a declared test dependency: its absence is a failure, not a skip
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    key = new_key()
    write(repo, 'app.env', env_line(key))
    commit_all(repo, f'key\n\nvastai set api-key {new_key()}')
    schema = json.loads((REPO_ROOT / 'tests' / 'history.schema.json').read_text())

    jsonschema.validate(json.loads(json_history(capsys, secrets=(key,)).stdout), schema)


def test_progress_line_shows_objects_keys_and_rate() -> None:
    import io

    from vastai_guard.history.run import ProgressLine
    from vastai_guard.history.walk import Progress

    stream = io.StringIO()
    line = ProgressLine(stream, total_commits=200)
    line(Progress(commits=50, blobs=300, bytes_read=5_000_000, total=1200, keys=2))
    line.close()

    shown = stream.getvalue()
    assert 'objects 300/1200, 2 keys, commits 50/200 (25%), 5 MB, ' in shown
    assert 'MB/s' in shown
    assert shown.endswith('\r\x1b[K')


def test_progress_is_quiet_when_stderr_is_not_a_terminal(repo: Path) -> None:
    write(repo, 'a.txt', 'a\n')
    commit_all(repo, 'a')

    result = run_cli(['history'], cwd=repo)

    assert result.returncode == 0 and result.stderr == ''


def test_ctrl_c_exits_130(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    write(repo, 'a.txt', 'vast\n')
    commit_all(repo, 'a')

    def interrupted(*args: object, **kwargs: object) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(history_judge, 'judge_blob', interrupted)

    assert main(['history', '--jobs', '1']) == 130


@pytest.mark.parametrize(('path', 'template', 'rule', 'line'), LEAKS)
@pytest.mark.parametrize('encoding', ('utf-8', 'utf-16-le', 'utf-16-be'))
def test_the_prefilter_never_hides_a_leak(
        path: str, template: str, rule: object, line: int, encoding: str,
) -> None:
    """Every leak the detector finds gets past history's prefilters, in each encoding.

    UTF-16 without a byte-order mark: its raw bytes hold no 64-hex run, so only judging the
    decoded text finds the key.
    """
    key = new_key()
    data = render(template, key).encode(encoding)
    suppressions = history_judge.Suppressions(Config(), frozenset())
    assert list(history_judge.judge_blob(path, data, suppressions)) == [fingerprint(key)]


@pytest.mark.parametrize(
    ('text', 'expected'),
    (
        pytest.param('hash = "sha256:{key}"\n', False, id='digest'),
        pytest.param('sha512={key}\n', False, id='sha512-digest'),
        pytest.param('{key}{key}\n', False, id='longer-run'),
        pytest.param('x{key}\n', False, id='glued-to-a-letter'),
        pytest.param('{key}\n', True, id='bare-run'),
        pytest.param('ok = "{key}"', True, id='quoted-run-at-end'),
        pytest.param(
            'name = "vastai"\nVASTAI_READ_KEY=abc123def456ghi789\n', True, id='vast-named-secret',
        ),
        pytest.param('name = "vastai"\nversion = "1.0"\n', False, id='vast-without-a-secret'),
    ),
)
def test_second_prefilter_cases(text: str, expected: bool) -> None:
    assert history_judge.may_hold_key(text.replace('{key}', new_key()).encode()) is expected


def test_each_key_says_what_made_the_call(repo: Path) -> None:
    """History's keys carry the detector's context, as scan's findings do."""
    import json

    write(repo, 'config.toml', f'[providers.vastai]\ntoken = "{new_key()}"\n')
    commit_all(repo, 'provider config')
    result = run_cli(['history', '--format', 'json'], cwd=repo)
    assert result.returncode == 1, result.stderr
    (key,) = json.loads(result.stdout)['keys']
    assert key['context'] == 'section providers.vastai'
    text = run_cli(['history'], cwd=repo).stdout
    assert '(section providers.vastai)' in text
