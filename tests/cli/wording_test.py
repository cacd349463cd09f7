"""One vocabulary: "Vast.ai key(s)", "found N Vast.ai keys in M files", "Verified N of M"."""
from __future__ import annotations

import secrets
from pathlib import Path

from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from testing.vastapi import FakeVastApi


def test_verified_n_of_m_when_one_was_not_sent(repo: Path, vast_api: FakeVastApi) -> None:
    key = new_key()
    vast_api.behaviours[key] = 'active'
    # a Vast-named secret that is not 64 hex: reported, never sent to the API
    write(repo, '.env', f'VAST_API_KEY={key}\nVASTAI_SECRET={secrets.token_urlsafe(30)}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--verify', '--api-url', vast_api.url], repo)
    assert result.returncode == 1, result.stderr
    assert 'Found 2 Vast.ai keys in 1 file.' in result.stdout
    assert (
        'Verified 1 of 2 Vast.ai keys: 1 active (1 not checked: not shaped like an API key).'
        in result.stdout
    )


def test_summaries_use_the_same_words(repo: Path, tmp_path: Path) -> None:
    write(repo, 'a.env', f'VAST_API_KEY={new_key()}\n')
    write(repo, 'b.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    report = tmp_path / 'out.json'
    result = run_cli(['scan', '--format', 'json', '--output', str(report)], repo)
    assert result.stdout == f'vastai-guard: found 2 Vast.ai keys in 2 files; report written to {report}\n'
    text = run_cli(['scan'], repo).stdout
    assert 'Found 2 Vast.ai keys in 2 files.' in text
    assert 'secret' not in text.lower().replace('secret store', '')
