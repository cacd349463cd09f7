"""No output path carries a raw key: every command, every format, every file written.

One repository holds keys in many shapes, in the tree, in history only, in a commit message,
in an ignored env file; then every command writes what it writes, and each stream and file is
searched for each key (and its base64 form).
"""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

import vastai_guard.detect.plugins
from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import ACCOUNT_EMAIL
from testing.vastapi import BODY_MARKER
from testing.vastapi import FakeVastApi
from vastai_guard.findings import fingerprint

FORMATS = ('text', 'json', 'sarif', 'github')


@pytest.fixture
def leaky_repo(repo: Path) -> tuple[Path, list[str]]:
    keys = [new_key() for _ in range(10)]
    write(repo, 'deploy/.env.prod', f'VAST_API_KEY={keys[0]}\n')
    commit_all(repo, 'env file, committed by mistake')
    git(repo, 'rm', '-q', '--cached', 'deploy/.env.prod')
    commit_all(repo, 'untrack it (still on disk, not ignored)')
    write(repo, 'README.md', f'# demo\n\n    vastai set api-key {keys[1]}\n')
    write(repo, 'client.py', f'URL = "https://console.vast.ai/api/v0/?api_key={keys[2]}"\n')
    write(repo, 'home/.vast_api_key', keys[3])
    b64 = base64.b64encode(keys[4].encode()).decode()
    write(repo, 'k8s/secret.yaml', f'kind: Secret\ndata:\n  VAST_API_KEY: {b64}\n')
    commit_all(repo, f'docs; CONTAINER_API_KEY={keys[5]}')
    # keys in names: a file name, an author line, a branch name (issue 20: names are data)
    write(repo, f'notes/VAST_API_KEY={keys[7]}.txt', 'a note\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'a named file', f'--author=VAST_API_KEY={keys[8]} <a@b.c>')
    git(repo, 'branch', f'VAST_API_KEY={keys[9]}')
    write(repo, '.env.staging', f'VAST_API_KEY={keys[6]}\nOTHER=1\n')
    write(repo, '.env.production', f'VAST_API_KEY={keys[6]}\n')  # the same key twice: reuse
    return repo, keys


def _assert_clean(keys: list[str], *texts: str) -> None:
    for text in texts:
        for key in keys:
            assert key not in text
            assert base64.b64encode(key.encode()).decode() not in text


@pytest.mark.parametrize('output_format', FORMATS)
def test_scan(leaky_repo: tuple[Path, list[str]], output_format: str, tmp_path: Path) -> None:
    repo, keys = leaky_repo
    result = run_cli(['scan', '--all-files', '--format', output_format], cwd=repo)
    assert result.returncode == 1
    report = tmp_path / f'scan.{output_format}'
    to_file = run_cli(
        ['scan', '--all-files', '--format', output_format, '--output', str(report)], cwd=repo,
    )
    assert to_file.returncode == 1
    _assert_clean(
        keys, result.stdout, result.stderr, to_file.stdout, to_file.stderr, report.read_text(),
    )


@pytest.mark.parametrize('output_format', (*FORMATS, 'markdown'))
def test_history(leaky_repo: tuple[Path, list[str]], output_format: str, tmp_path: Path) -> None:
    repo, keys = leaky_repo
    result = run_cli(
        ['history', '--include-unreachable', '--format', output_format], cwd=repo,
    )
    assert result.returncode == 1
    report = tmp_path / f'history.{output_format}'
    to_file = run_cli(['history', '--format', output_format, '--output', str(report)], cwd=repo)
    _assert_clean(
        keys, result.stdout, result.stderr, to_file.stdout, to_file.stderr, report.read_text(),
    )


def test_history_verbose_with_a_baseline_and_a_stash(
        leaky_repo: tuple[Path, list[str]],
) -> None:
    """The suppressed keys -v lists, the refs and stash lines, the baseline and its plugin
    file: fingerprints and names only."""
    repo, keys = leaky_repo
    written = run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo)
    assert written.returncode == 0, written.stderr
    commit_all(repo, 'baseline')
    write(repo, 'stashed.sh', f'export VAST_API_KEY={keys[6]}\n')
    git(repo, 'add', 'stashed.sh')
    git(repo, 'stash', '-q')
    result = run_cli(['history', '-v'], cwd=repo)
    assert 'vastai-guard: suppressed ' in result.stderr and 'stash@{0}' in result.stdout
    _assert_clean(
        keys, written.stdout, written.stderr, result.stdout, result.stderr,
        (repo / '.secrets.baseline').read_text(encoding='utf-8'),
        (repo / 'vastai_guard_plugins.py').read_text(encoding='utf-8'),
    )


def test_history_finds_the_keys_it_must_not_print(leaky_repo: tuple[Path, list[str]]) -> None:
    """The other tests prove silence; this one proves there was something to be silent about."""
    repo, keys = leaky_repo
    result = run_cli(['history', '--format', 'json'], cwd=repo)
    found = {key['fingerprint'] for key in json.loads(result.stdout)['keys']}
    in_names = {fingerprint(key) for key in keys[7:]}
    assert found == {fingerprint(key) for key in keys[:6]} | in_names, [
        i for i, key in enumerate(keys) if fingerprint(key) not in found
    ]


@pytest.mark.parametrize('output_format', FORMATS)
def test_gitignore(leaky_repo: tuple[Path, list[str]], output_format: str) -> None:
    repo, keys = leaky_repo
    result = run_cli(
        ['gitignore', '--check-reuse', '--fix', '--format', output_format], cwd=repo,
    )
    assert result.returncode == 1  # the reused key is still there after --fix
    _assert_clean(
        keys, result.stdout, result.stderr, (repo / '.gitignore').read_text(encoding='utf-8'),
    )


def test_rotated_ledger(leaky_repo: tuple[Path, list[str]]) -> None:
    repo, keys = leaky_repo
    result = run_cli(['rotated', fingerprint(keys[0])[:12], '--note', 'reset'], cwd=repo)
    assert result.returncode == 0, result.stderr
    ledger = (repo / '.vastai-guard.yaml').read_text(encoding='utf-8')
    assert fingerprint(keys[0]) in ledger
    _assert_clean(keys, result.stdout, result.stderr, ledger)


def test_detect_secrets_baseline_from_the_plugins(leaky_repo: tuple[Path, list[str]]) -> None:
    repo, keys = leaky_repo
    result = subprocess.run(
        (sys.executable, '-m', 'detect_secrets', 'scan', '-n', '--all-files',
         '--plugin', vastai_guard.detect.plugins.__file__, '.'),
        cwd=repo, capture_output=True, text=True, check=True,
    )
    assert 'Vast.ai API Key' in result.stdout
    _assert_clean(keys, result.stdout, result.stderr)


@pytest.mark.parametrize('shape', ('{key}', '{KEY}', 'VAST_API_KEY={key}', ' {key} '))
def test_rotated_refuses_a_key_and_never_echoes_it(
        leaky_repo: tuple[Path, list[str]], shape: str,
) -> None:
    """Pasting the key where its fingerprint belongs: refused, unsaid, unstored."""
    repo, keys = leaky_repo
    for key in keys[:6]:  # every key history knows
        result = run_cli(['rotated', shape.format(key=key, KEY=key.upper())], cwd=repo)
        assert result.returncode == 2
        assert 'the key itself' in result.stderr or 'is not a fingerprint' in result.stderr
        _assert_clean(keys, result.stdout, result.stderr)
    assert not (repo / '.vastai-guard.yaml').exists()


def test_update_baseline(leaky_repo: tuple[Path, list[str]], tmp_path: Path) -> None:
    repo, keys = leaky_repo
    baseline = tmp_path / 'known.baseline'
    result = run_cli(['scan', '--all-files', '--update-baseline', str(baseline)], cwd=repo)
    assert result.returncode == 0, result.stderr
    text = baseline.read_text(encoding='utf-8')
    assert '"hashed_secret"' in text
    _assert_clean(keys, result.stdout, result.stderr, text)


@pytest.mark.parametrize('output_format', (*FORMATS, 'markdown'))
def test_history_outside_commits_and_incomplete(repo: Path, output_format: str) -> None:
    """Tag messages, blob and tree refs, a missing object, the process pool: still silent."""
    import os

    keys = [new_key() for _ in range(3)]
    write(repo, 'lost.txt', 'this blob goes missing\n')
    commit_all(repo, 'start')
    git(repo, 'tag', '-a', 'v1', '-m', f'vastai set api-key {keys[0]}')
    write(repo, 'blob.env', f'VAST_API_KEY={keys[1]}\n')
    git(repo, 'tag', 'keyblob', git(repo, 'hash-object', '-w', 'blob.env').strip())
    write(repo, 'tree/app.env', f'VAST_API_KEY={keys[2]}\n')
    git(repo, 'add', 'tree/app.env')
    git(repo, 'update-ref', 'refs/x/tree', git(repo, 'write-tree').strip())
    lost = git(repo, 'rev-parse', 'HEAD:lost.txt').strip()
    os.remove(repo / '.git' / 'objects' / lost[:2] / lost[2:])

    result = run_cli(['history', '--jobs', '2', '--format', output_format], cwd=repo)

    assert result.returncode == 1
    assert 'is missing' in result.stderr
    _assert_clean(keys, result.stdout, result.stderr)


def _live(api: FakeVastApi, keys: list[str]) -> None:
    """Every key of the leaky repository works on the fake API (its email must stay unsaid)."""
    for key in keys:
        api.behaviours[key] = 'active'
    api.instances = [{'actual_status': 'running', 'dph_total': 0.4}]


def _assert_no_email(*texts: str) -> None:
    for text in texts:
        assert ACCOUNT_EMAIL not in text and BODY_MARKER not in text


@pytest.mark.parametrize('output_format', FORMATS)
def test_scan_blast_radius(
        leaky_repo: tuple[Path, list[str]], vast_api: FakeVastApi, output_format: str,
) -> None:
    repo, keys = leaky_repo
    _live(vast_api, keys)

    result = run_cli(
        ['scan', '--all-files', '--format', output_format, '--verify', '--blast-radius',
         '--api-url', vast_api.url], cwd=repo,
    )

    assert result.returncode == 1, result.stderr
    assert any(r.path == '/api/v0/instances/' for r in vast_api.requests)  # it was asked
    _assert_clean(keys, result.stdout, result.stderr)
    _assert_no_email(result.stdout, result.stderr)


@pytest.mark.parametrize('output_format', (*FORMATS, 'markdown'))
def test_history_blast_radius(
        leaky_repo: tuple[Path, list[str]], vast_api: FakeVastApi, output_format: str,
) -> None:
    repo, keys = leaky_repo
    _live(vast_api, keys)

    result = run_cli(
        ['history', '--format', output_format, '--verify', '--blast-radius', '--show-account',
         '--api-url', vast_api.url], cwd=repo,
    )

    assert result.returncode == 1, result.stderr
    _assert_clean(keys, result.stdout, result.stderr)
    # --show-account names the account with the email redacted, as the blast radius does
    _assert_no_email(result.stdout, result.stderr)
    if output_format in ('text', 'json', 'markdown'):
        assert '@example.invalid' in result.stdout  # Markdown escapes the stars


@pytest.mark.parametrize('output_format', ('text', 'json'))
def test_revoke(
        leaky_repo: tuple[Path, list[str]], vast_api: FakeVastApi, output_format: str,
) -> None:
    repo, keys = leaky_repo
    _live(vast_api, keys)
    # one in history only (a commit message), one on disk only (an untracked env file)
    for key in (keys[5], keys[0]):
        result = run_cli(
            ['revoke', fingerprint(key)[:12], '--yes', '--format', output_format,
             '--api-url', vast_api.url], cwd=repo,
        )
        assert result.returncode == 0, result.stderr
        assert key in vast_api.deleted
        _assert_clean(keys, result.stdout, result.stderr)
        _assert_no_email(result.stdout, result.stderr)
    _assert_clean(keys, (repo / '.vastai-guard.yaml').read_text(encoding='utf-8'))


@pytest.mark.parametrize('output_format', ('text', 'json', 'markdown'))
def test_audit(
        leaky_repo: tuple[Path, list[str]], vast_api: FakeVastApi, output_format: str,
        tmp_path: Path,
) -> None:
    repo, keys = leaky_repo
    _live(vast_api, keys)
    # the list carries the keys themselves: still never shown
    vast_api.other_keys.append({'id': 1, 'key': keys[1], 'name': keys[2], 'created_at': 0})
    vast_api.names[keys[3]] = f'deploy {keys[4]}'

    result = run_cli(
        ['audit', '--format', output_format, '--api-url', vast_api.url], cwd=repo,
        env={'VAST_API_KEY': keys[0], 'HOME': str(tmp_path)},
    )

    assert result.returncode == 1, result.stderr
    _assert_clean(keys, result.stdout, result.stderr)
    _assert_no_email(result.stdout, result.stderr)
    # not even most of one (a name is shown cut short: never a key's first 60 characters)
    assert all(key[:16] not in result.stdout for key in keys)


@pytest.mark.parametrize('output_format', ('text', 'json', 'sarif', 'markdown'))
def test_sweep(leaky_repo: tuple[Path, list[str]], output_format: str, tmp_path: Path) -> None:
    """Every sweep output: the report, stderr, the --output file, the --state folder, on the
    local pool and through a mirror of a URL; keys come back from workers as fingerprints."""
    repo, keys = leaky_repo
    git(repo, 'tag', '-a', 'v1', '-m', f'vastai set api-key {keys[6]}')
    state = tmp_path / 'state'
    report = tmp_path / f'sweep.{output_format}'
    sources = [str(repo), repo.as_uri(), str(tmp_path / 'missing')]
    env = {'XDG_CACHE_HOME': str(tmp_path / 'cache')}

    result = run_cli(
        ['sweep', *sources, '--workers', '2', '--state', str(state), '--format', output_format],
        cwd=tmp_path, env=env,
    )
    to_file = run_cli(
        ['sweep', *sources, '--state', str(state), '--format', output_format,
         '--output', str(report)],
        cwd=tmp_path, env=env,
    )

    assert result.returncode == to_file.returncode == 1, result.stderr
    stored = [path.read_text() for path in state.rglob('*.json')]
    assert len(stored) == 2  # the two that were read; the missing one is tried again
    _assert_clean(
        keys, result.stdout, result.stderr, to_file.stdout, to_file.stderr, report.read_text(),
        *stored,
    )
    if output_format == 'json':  # there was something to be silent about
        found = {key['fingerprint'] for key in json.loads(result.stdout)['keys']}
        # keys[6] from the tag message; keys[7:] from a file name, an author and a branch name
        assert found == {fingerprint(key) for key in keys}
