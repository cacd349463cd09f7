"""suppress: allowed fingerprints, detect-secrets baselines, excluded paths; and the inline
comments the detector honours. Each suppression is shown next to the same key reported
without it."""
from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.detect import rules
from vastai_guard.findings import Finding
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.main import main
from vastai_guard.policy import suppress
from vastai_guard.policy.config import Config

CONFIG = '.vastai-guard.yaml'


def _finding(key: str, path: str = 'app.env') -> Finding:
    return Finding(
        rules.ASSIGNMENT, path, 1, fingerprint(key), redact(key), baseline_hash(key),
    )


def _baseline(*keys: str) -> str:
    entries = [
        {'type': 'Vast.ai API Key', 'filename': 'app.env', 'line_number': 1,
         'hashed_secret': baseline_hash(key), 'is_verified': False}
        for key in keys
    ]
    return json.dumps({'version': '1.5.0', 'results': {'app.env': entries}})


@pytest.mark.parametrize(
    'allowed',
    (
        pytest.param(lambda key: fingerprint(key), id='full-fingerprint'),
        pytest.param(lambda key: fingerprint(key)[:12], id='twelve-character-prefix'),
    ),
)
def test_an_allowed_fingerprint_is_not_reported_and_others_are(
        allowed: Callable[[str], str],
) -> None:
    key, other = new_key(), new_key()
    findings = [_finding(key), _finding(other)]

    assert suppress.unsuppressed(findings, config=Config(), baseline=frozenset()) == findings
    config = Config(allow_fingerprints=frozenset({allowed(key)}))
    assert suppress.unsuppressed(findings, config=config, baseline=frozenset()) == [findings[1]]


def test_a_key_in_the_baseline_is_known_by_its_detect_secrets_hash(tmp_path: Path) -> None:
    key, other = new_key(), new_key()
    path = tmp_path / '.secrets.baseline'
    path.write_text(_baseline(key))
    baseline = suppress.load_baseline(str(path))
    findings = [_finding(key), _finding(other)]

    assert baseline == {baseline_hash(key)}
    assert suppress.unsuppressed(findings, config=Config(), baseline=frozenset()) == findings
    assert suppress.unsuppressed(findings, config=Config(), baseline=baseline) == [findings[1]]


@pytest.mark.parametrize(
    ('glob', 'excluded', 'kept'),
    (
        pytest.param('*.example', ['app.example', 'conf/deep/app.example'], ['app.example.env'],
                     id='name-glob-at-any-depth'),
        pytest.param('docs/', ['docs/a.md', 'docs/deep/b.md'], ['src/docs.md', 'mydocs/a.md'],
                     id='folder-and-everything-below'),
        pytest.param('/vendor', ['vendor/x.env'], ['src/vendor/x.env'], id='anchored-at-root'),
        pytest.param('tests/**/fixtures/*', ['tests/fixtures/a', 'tests/x/y/fixtures/b'],
                     ['fixtures/a', 'tests/fixtures.env'], id='double-star-spans-folders'),
        pytest.param('?.env', ['a.env', 'deep/b.env'], ['ab.env', 'a/.env'],
                     id='question-mark-is-one-character'),
    ),
)
def test_exclude_paths_globs(glob: str, excluded: list[str], kept: list[str]) -> None:
    config = Config(exclude_paths=(glob,))
    assert [path for path in excluded if not suppress.path_excluded(path, config)] == []
    assert [path for path in kept if suppress.path_excluded(path, config)] == []


@pytest.mark.parametrize(
    ('line', 'before'),
    (
        pytest.param('VAST_API_KEY={key}  # pragma: allowlist secret', '', id='pragma'),
        pytest.param('VAST_API_KEY={key}', '# pragma: allowlist nextline secret\n',
                     id='pragma-nextline'),
        pytest.param('VAST_API_KEY={key}  # vastai-guard:allow', '', id='own-allow'),
        pytest.param('VAST_API_KEY={key}', '# vastai-guard:allow-next-line\n',
                     id='own-allow-next-line'),
    ),
)
def test_an_inline_allow_comment_suppresses_that_line_only(
        repo: Path, capsys: pytest.CaptureFixture[str], line: str, before: str,
) -> None:
    allowed, reported = new_key(), new_key()
    write(repo, 'app.env', f'{before}{line.format(key=allowed)}\nVAST_API_KEY={reported}\n')
    write(repo, 'control.env', f'VAST_API_KEY={allowed}\n')  # the same key, no comment
    git(repo, 'add', '.')

    assert main(['scan', '--all-files', '--format', 'json']) == 1
    found = json.loads(capsys.readouterr().out)['findings']
    assert sorted((f['path'], f['fingerprint']) for f in found) == sorted([
        ('app.env', fingerprint(reported)), ('control.env', fingerprint(allowed)),
    ])


@pytest.mark.parametrize('content', ('{not json', '[]', '{"results": 3}'))
def test_bad_baseline_is_exit_2(repo: Path, content: str) -> None:
    write(repo, 'base.json', content)
    result = run_cli(['scan', '--all-files', '--baseline', 'base.json'], cwd=repo)
    assert result.returncode == 2
    assert 'not a detect-secrets baseline' in result.stderr


def test_missing_baseline_is_exit_2(repo: Path) -> None:
    result = run_cli(['scan', '--all-files', '--baseline', 'nope.json'], cwd=repo)
    assert (result.returncode, result.stderr.strip()) == (
        2, 'vastai-guard: error: nope.json: baseline file not found',
    )


def test_an_exclude_glob_cannot_stall_a_scan(repo: Path) -> None:
    """`exclude_paths` globs are the user's: `*a*a*...b` on a long path is linear (RE2); a
    backtracking engine would not finish this scan (the timeout only bounds a hang)."""
    (repo / CONFIG).write_text("exclude_paths:\n  - '" + '*a' * 40 + "*b'\n")
    name = 'a' * 200
    (repo / name).write_text(f'VAST_API_KEY={new_key()}\n')
    subprocess.run(('git', 'add', '-A'), cwd=repo, check=True)
    result = subprocess.run(
        (sys.executable, '-m', 'vastai_guard', 'scan'), cwd=repo, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 1  # the path does not end in b: not excluded, the key is found
    assert name in result.stdout


def test_allow_fingerprints_accepts_a_prefix_of_twelve(repo: Path) -> None:
    key = new_key()
    write(repo, 'app.env', f'VAST_API_KEY={key}\n')
    commit_all(repo, 'documented example key')
    assert run_cli(['scan', '--all-files'], repo).returncode == 1
    assert run_cli(['history'], repo).returncode == 1

    write(repo, CONFIG, f'allow_fingerprints:\n  - {fingerprint(key)[:12]}  # docs example\n')
    assert run_cli(['scan', '--all-files'], repo).returncode == 0
    assert run_cli(['history'], repo).returncode == 0

    write(repo, CONFIG, f'allow_fingerprints:\n  - {fingerprint(key)[:11]}\n')
    short = run_cli(['scan', '--all-files'], repo)
    assert short.returncode == 2 and 'or its first 12 or more' in short.stderr
