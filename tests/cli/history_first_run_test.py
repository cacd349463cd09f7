"""`vastai-guard history`'s answers on a first run: suppressed keys counted, a clean run quiet
off a terminal, the advice for a key still in HEAD, one key order in every format."""
from __future__ import annotations

import json
import re
from pathlib import Path

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import run_cli_on_terminal
from testing.util import write
from vastai_guard.findings import fingerprint


def _baselined_key(repo: Path) -> str:
    """A committed key that `scan --update-baseline` recorded as known."""
    key = new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={key}\n')
    commit_all(repo, 'deploy')
    assert run_cli(
        ['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo,
    ).returncode == 0
    commit_all(repo, 'baseline')
    return key


def test_a_key_the_baseline_knows_is_counted_in_every_summary(repo: Path) -> None:
    key = _baselined_key(repo)

    text = run_cli_on_terminal(['history'], repo)
    assert text.returncode == 0
    assert '0 still in HEAD; 1 suppressed (baseline or allow_fingerprints; -v lists them).' in (
        text.stdout
    )
    document = json.loads(run_cli(['history', '--format', 'json'], repo).stdout)
    assert document['suppressed'] == [{'fingerprint': fingerprint(key), 'reason': 'baseline'}]
    markdown = run_cli(['history', '--format', 'markdown'], repo).stdout
    assert '(1 suppressed: baseline or allow_fingerprints)' in markdown
    to_file = run_cli(['history', '--output', 'report.txt'], repo)
    assert to_file.stdout.startswith('vastai-guard: 0 Vast.ai keys in history, 0 needing '
                                     'rotation, 1 suppressed; report written to')

    verbose = run_cli(['history', '-v'], repo)
    assert f'vastai-guard: suppressed {fingerprint(key)[:12]}: in the baseline' in verbose.stderr
    for output in (text.stdout, verbose.stdout, verbose.stderr, markdown, to_file.stdout):
        assert key not in output


def test_an_allowed_prefix_is_counted_as_suppressed_with_its_reason(repo: Path) -> None:
    key = new_key()
    write(repo, 'docs.md', f'VAST_API_KEY={key}\n')
    write(repo, '.vastai-guard.yaml', f'allow_fingerprints:\n  - {fingerprint(key)[:12]}\n')
    commit_all(repo)
    result = run_cli(['history', '-v', '--format', 'json'], repo)
    assert result.returncode == 0
    assert json.loads(result.stdout)['suppressed'] == [
        {'fingerprint': fingerprint(key), 'reason': 'allow_fingerprints'},
    ]
    assert 'fingerprint in allow_fingerprints' in result.stderr


def test_a_clean_range_says_nothing_off_a_terminal_as_scan(repo: Path) -> None:
    write(repo, 'README.md', '# app\n')
    commit_all(repo, 'one')
    write(repo, 'app.py', 'print(1)\n')
    commit_all(repo, 'two')
    piped = run_cli(['history', '--range', 'HEAD~1..HEAD'], repo)
    assert (piped.returncode, piped.stdout) == (0, '')
    assert run_cli(['scan', '--all-files'], repo).stdout == ''
    shown = run_cli_on_terminal(['history', '--range', 'HEAD~1..HEAD'], repo)
    assert shown.stdout.startswith('0 Vast.ai keys in 1 commit: 0 need rotation')


def test_a_key_still_in_head_is_told_to_leave_the_file(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    result = run_cli(['history'], repo)
    assert result.returncode == 1
    assert '2. Remove it from the file (deploy.sh): it is still in HEAD.' in result.stdout
    assert '4. Record it: vastai-guard rotated' in result.stdout


def test_text_and_markdown_list_the_keys_in_the_same_order(repo: Path) -> None:
    # rotated, still in HEAD and removed keys: each report used to sort them its own way
    keys = [new_key() for _ in range(3)]
    write(repo, 'a.sh', f'export VAST_API_KEY={keys[0]}\n')
    commit_all(repo, 'a')
    write(repo, 'b.sh', f'export VAST_API_KEY={keys[1]}\n')
    commit_all(repo, 'b')
    (repo / 'b.sh').unlink()
    write(repo, 'c.sh', f'export VAST_API_KEY={keys[2]}\n')
    commit_all(repo, 'c')
    assert run_cli(['rotated', fingerprint(keys[2])], repo).returncode == 0

    redacted = [f'{key[:4]}...{key[-4:]}' for key in keys]
    pattern = re.compile('|'.join(re.escape(shown) for shown in redacted))
    text_order = pattern.findall(run_cli(['history', '-q'], repo).stdout)
    markdown = run_cli(['history', '--format', 'markdown'], repo).stdout
    table = markdown.split('## Keys', 1)[1].split('\n\n', 2)[1]
    assert text_order == pattern.findall(table)
    assert text_order[-1] == redacted[2]  # the rotated key last in both
