"""`vastai-guard scan` against real git repositories and folders."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.main import main


def _json_findings(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    findings: list[dict[str, object]] = json.loads(capsys.readouterr().out)['findings']
    return findings


def test_staged_key_is_reported_with_location_and_fingerprint(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'app/settings.py', f'DEBUG = True\nVAST_API_KEY = "{key}"\n')
    git(repo, 'add', '.')
    assert main(['scan', '--format', 'json', 'app/settings.py']) == 1
    assert _json_findings(capsys) == [{
        'rule': 'vast-api-key',
        'path': 'app/settings.py',
        'line': 2,
        'fingerprint': fingerprint(key),
        'redacted': f'{key[:4]}...{key[-4:]}',
        'context': 'name VAST_API_KEY',
    }]


def test_clean_files_exit_zero(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, 'README.md', 'Set VAST_API_KEY=your_api_key_here in .env\n')
    git(repo, 'add', '.')
    assert main(['scan', 'README.md']) == 0
    assert capsys.readouterr().out == ''


def test_partially_staged_file_is_judged_by_staged_content(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'run.sh', 'echo start\n')
    git(repo, 'add', '.')
    write(repo, 'run.sh', f'echo start\nvastai set api-key {key}\n')  # not staged
    assert main(['scan', 'run.sh']) == 0

    git(repo, 'add', 'run.sh')
    write(repo, 'run.sh', 'echo start\n')  # the leak is staged, the work tree is clean again
    assert main(['scan', 'run.sh']) == 1
    assert 'run.sh:2: vast-cli-api-key:' in capsys.readouterr().out


def test_no_paths_scans_every_staged_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    write(repo, 'old.env', f'VAST_API_KEY={key}\n')
    commit_all(repo)  # committed already: not staged any more
    write(repo, 'new.py', f'VASTAI_API_KEY = "{new_key()}"\n')
    git(repo, 'add', 'new.py')
    assert main(['scan', '--format', 'json']) == 1
    assert [f['path'] for f in _json_findings(capsys)] == ['new.py']


def test_all_files_scans_every_tracked_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, 'a/one.env', f'VAST_API_KEY={new_key()}\n')
    write(repo, 'b/two.md', f'vastai set api-key {new_key()}\n')
    write(repo, 'untracked.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', 'a', 'b')
    assert main(['scan', '--all-files', '--format', 'json']) == 1
    assert sorted(f['path'] for f in _json_findings(capsys)) == ['a/one.env', 'b/two.md']


def test_paths_are_repo_relative_from_a_subfolder(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'svc/api/.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    os.chdir(repo / 'svc')
    assert main(['scan', '--format', 'json', 'api/.env']) == 1
    assert [f['path'] for f in _json_findings(capsys)] == ['svc/api/.env']


@pytest.mark.parametrize(
    'name',
    ('my secrets.env', 'données/clé.env', '[weird] (name).env', '-dash.env', 'tab\tname.env'),
)
def test_odd_file_names(repo: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    write(repo, name, f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '--', name)
    assert main(['scan', '--format', 'json', '--', name]) == 1
    # a control character (the tab) is escaped, as every name printed is (issue 20)
    assert [f['path'] for f in _json_findings(capsys)] == [name.replace('\t', '\\x09')]


def test_deleted_and_renamed_staged_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    write(repo, 'gone.env', f'VAST_API_KEY={key}\n')
    write(repo, 'old-name.env', f'VAST_API_KEY={key}\n')
    commit_all(repo)
    git(repo, 'rm', '-q', 'gone.env')
    git(repo, 'mv', 'old-name.env', 'new-name.env')
    assert main(['scan', '--format', 'json', 'gone.env', 'new-name.env']) == 1
    assert [f['path'] for f in _json_findings(capsys)] == ['new-name.env']


def test_binary_non_utf8_and_utf16_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = new_key()
    # a text with a stray NUL is text: decoded as far as it goes, and scanned
    write(repo, 'stray-nul.txt', b'\x00\x01VAST_API_KEY=' + key.encode() + b'\n\xff')
    # a real binary (NULs, controls and bytes no UTF-8 has, throughout) is not
    noise = bytes(range(256)) * 8
    write(repo, 'blob.bin', noise + b'VAST_API_KEY=' + key.encode() + b'\n')
    write(repo, 'latin1.env', b'# cl\xe9\nVAST_API_KEY=' + key.encode() + b'\n')
    write(repo, 'win.ps1', f'$env:VAST_API_KEY = "{key}"\r\n'.encode('utf-16'))
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'json']) == 1
    found = {(f['path'], f['line']) for f in _json_findings(capsys)}
    assert found == {('stray-nul.txt', 1), ('latin1.env', 2), ('win.ps1', 1)}


def test_huge_file_is_scanned_not_skipped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Over max_file_mb a staged file is read in chunks: its key is found, on its line."""
    write(repo, '.vastai-guard.yaml', 'max_file_mb: 1\n')
    write(repo, 'dump.sql', 'x' * (1024 * 1024 + 1) + f'\nVAST_API_KEY={new_key()}\n')
    write(repo, 'small.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'json']) == 1
    captured = capsys.readouterr()
    found = [(f['path'], f['line']) for f in json.loads(captured.out)['findings']]
    assert found == [('dump.sql', 2), ('small.env', 1)]
    assert 'skipped' not in captured.err


def test_outside_git_scans_folders_from_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    write(tmp_path, 'proj/.env', f'VAST_API_KEY={new_key()}\n')
    write(tmp_path, 'proj/deep/er/.vast_api_key', new_key())
    write(tmp_path, 'proj/ok.txt', 'nothing here\n')
    monkeypatch.chdir(tmp_path)
    assert main(['scan', '--format', 'json', 'proj']) == 1
    assert sorted(f['path'] for f in _json_findings(capsys)) == [
        'proj/.env', 'proj/deep/er/.vast_api_key',
    ]


def test_untracked_file_named_in_a_repo_is_read_from_disk(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'scratch.env', f'VAST_API_KEY={new_key()}\n')
    assert main(['scan', '--format', 'json', 'scratch.env']) == 1
    assert [f['path'] for f in _json_findings(capsys)] == ['scratch.env']


def test_all_files_outside_git_is_exit_2(tmp_path: Path) -> None:
    result = run_cli(['scan', '--all-files'], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith('vastai-guard: error: --all-files needs a git repository')
    assert 'Traceback' not in result.stderr


def test_config_excludes_paths_and_allows_fingerprints(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    allowed = new_key()
    write(
        repo, '.vastai-guard.yaml',
        '# team config\n'
        'exclude_paths:\n  - tests/fixtures/**\n  - "*.example"\n'
        f'allow_fingerprints:\n  - fingerprint: {fingerprint(allowed)}\n    note: docs example\n',
    )
    write(repo, 'tests/fixtures/deep/a.env', f'VAST_API_KEY={new_key()}\n')
    write(repo, 'conf/app.example', f'VAST_API_KEY={new_key()}\n')
    write(repo, 'docs.md', f'vastai set api-key {allowed}\n')
    reported = new_key()
    write(repo, 'real.env', f'VAST_API_KEY={reported}\n')
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'json']) == 1
    assert [f['fingerprint'] for f in _json_findings(capsys)] == [fingerprint(reported)]


@pytest.mark.parametrize(
    ('content', 'message'),
    (
        pytest.param('exclude_paths: [a\n', '.vastai-guard.yaml:2: invalid YAML', id='syntax'),
        pytest.param(
            '# ok\nexclude_paths: docs\n', '.vastai-guard.yaml:2: expected a list of path globs',
            id='not-a-list',
        ),
        pytest.param(
            'allow_fingerprints:\n  - nothex\n', ".vastai-guard.yaml:2: 'nothex' is not a fingerprint",
            id='bad-fingerprint',
        ),
        pytest.param(
            'exclude_paths: []\nexclude_path: [x]\n', ".vastai-guard.yaml:2: unknown setting 'exclude_path'",
            id='unknown-key',
        ),
        pytest.param('- just\n- a list\n', '.vastai-guard.yaml:1: expected a mapping', id='list'),
    ),
)
def test_malformed_config_is_exit_2_with_file_and_line(
        repo: Path, content: str, message: str,
) -> None:
    write(repo, '.vastai-guard.yaml', content)
    write(repo, 'a.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--all-files'], cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith(f'vastai-guard: error: {message}')
    assert len(result.stderr.strip().splitlines()) == 1


def test_detect_secrets_baseline_suppresses_known_secrets(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    known, new = new_key(), new_key()
    write(repo, 'a.env', f'VAST_API_KEY={known}\n')
    write(repo, 'b.env', f'VAST_API_KEY={new}\n')
    write(repo, '.secrets.baseline', json.dumps({
        'version': '1.5.0', 'plugins_used': [], 'filters_used': [],
        'results': {'a.env': [{
            'type': 'Vast.ai API Key', 'filename': 'a.env',
            'hashed_secret': baseline_hash(known), 'is_verified': False, 'line_number': 1,
        }]},
    }))
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'json', '--baseline', '.secrets.baseline']) == 1
    assert [f['path'] for f in _json_findings(capsys)] == ['b.env']


def test_usage_error_is_exit_2(tmp_path: Path) -> None:
    assert run_cli(['scan', '--format', 'xml'], cwd=tmp_path).returncode == 2
    assert run_cli(['no-such-command'], cwd=tmp_path).returncode == 2


@pytest.mark.parametrize('output_format', ('text', 'json'))
def test_raw_key_is_in_no_output(tmp_path: Path, output_format: str) -> None:
    repo = init_repo(tmp_path / 'r')
    keys = [new_key() for _ in range(4)]
    write(repo, '.env', f'VAST_API_KEY={keys[0]}\n')
    write(repo, 'README.md', f'vastai set api-key {keys[1]}\n')
    write(repo, '.vast_api_key', keys[2])
    write(repo, 'k8s.yaml', 'data:\n  VAST_API_KEY: ' + __import__('base64').b64encode(keys[3].encode()).decode() + '\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--all-files', '--format', output_format], cwd=repo)
    assert result.returncode == 1
    assert result.stdout.count('vast-') >= 4
    for key in keys:
        assert key not in result.stdout and key not in result.stderr


def test_verbose_names_a_twelve_character_prefix_as_the_reason(repo: Path) -> None:
    key = new_key()
    write(repo, 'app.env', f'VAST_API_KEY={key}\n')
    write(repo, '.vastai-guard.yaml', f'allow_fingerprints:\n  - {fingerprint(key)[:12]}\n')
    commit_all(repo, 'documented example key')
    result = run_cli(['scan', '--all-files', '-v'], repo)
    assert result.returncode == 0
    assert 'suppressed app.env:1: fingerprint in allow_fingerprints' in result.stderr
    assert 'exclude_paths' not in result.stderr
