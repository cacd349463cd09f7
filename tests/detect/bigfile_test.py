"""Big files are judged in chunks with exactly the findings of judging them whole."""
from __future__ import annotations

import io
import random

import pytest

from testing.corpus import POSITIVES
from testing.corpus import render
from testing.util import new_key
from vastai_guard.detect import bigfile
from vastai_guard.detect.detector import find_secrets


def _text(seed: int, size: int) -> str:
    """Filler with corpus leaks scattered through it, some right at chunk edges."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        if rng.random() < 0.02:
            case = rng.choice(POSITIVES)
            part = render(case.template, new_key())
        else:
            part = f'line {rng.randrange(10**6)} of ordinary text, vast majority of it\n'
        parts.append(part)
        total += len(part)
    return ''.join(parts)


@pytest.mark.parametrize('seed', range(3))
def test_chunks_find_what_the_whole_text_finds(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # small chunks, so that a few hundred kilobytes cross many chunk edges
    monkeypatch.setattr(bigfile, 'CHUNK', 20_000)
    text = _text(seed, 600_000)
    whole = find_secrets(text, 'big.yaml')
    chunked = bigfile.find_secrets_in_file(io.BytesIO(text.encode()), 'big.yaml')
    assert whole  # the comparison means something
    assert chunked == whole


def test_sdk_import_at_the_end_counts_for_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bigfile, 'CHUNK', 20_000)
    key = new_key()
    text = f'TOKEN = "{key}"\n' + 'x = 1\n' * 50_000 + 'import vastai\n'
    chunked = bigfile.find_secrets_in_file(io.BytesIO(text.encode()), 'job.py')
    assert [(m.secret, m.context) for m in chunked] == [(key, 'sdk import')]


def test_a_file_that_never_says_vast_is_read_once() -> None:
    data = io.BytesIO(b'nothing to see here\n' * 1000)
    assert bigfile.find_secrets_in_file(data, 'notes.txt') == []


def test_a_file_over_max_file_mb_is_scanned_not_skipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Nothing is skipped for its size: a file larger than max_file_mb is read in chunks."""
    from testing.util import run_cli

    key = new_key()
    (tmp_path / '.vastai-guard.yaml').write_text('max_file_mb: 1\n')
    filler = 'ordinary line of a large generated file\n' * 80_000  # about 3 MB
    (tmp_path / 'dump.sql').write_text(filler + f'VAST_API_KEY={key}\n' + filler)
    result = run_cli(('scan', '--format', 'json', '.'), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert 'larger than' not in result.stderr
    assert '"line": 80001' in result.stdout
    assert key not in result.stdout + result.stderr


def test_a_staged_file_and_a_history_blob_over_max_file_mb_are_scanned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The staged content (the hook) and history read big blobs in chunks too."""
    import json

    from testing.util import commit_all
    from testing.util import git
    from testing.util import init_repo
    from testing.util import run_cli

    repo = init_repo(tmp_path / 'repo')
    key = new_key()
    (repo / '.vastai-guard.yaml').write_text('max_file_mb: 1\n')
    filler = 'ordinary line of a large generated file\n' * 60_000  # about 2.4 MB
    (repo / 'dump.sql').write_text(filler + f'VAST_API_KEY={key}\n')
    git(repo, 'add', '-A')
    staged = run_cli(('scan', '--format', 'json'), cwd=repo)
    assert staged.returncode == 1, staged.stderr
    assert [f['line'] for f in json.loads(staged.stdout)['findings']] == [60_001]
    commit_all(repo, 'dump')
    for jobs in ('1', '2'):
        history = run_cli(('history', '--jobs', jobs, '--format', 'json'), cwd=repo)
        assert history.returncode == 1, history.stderr
        (found,) = json.loads(history.stdout)['keys']
        assert found['first_seen']['line'] == 60_001
        assert key not in history.stdout + history.stderr
