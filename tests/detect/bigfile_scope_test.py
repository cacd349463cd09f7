"""File-scope evidence in a file judged in chunks (bigfile.py): the first pass over the whole
file finds what configures a Vast client, so a key far from it is judged as in the whole text."""
from __future__ import annotations

import io

import pytest

from testing.util import new_key
from vastai_guard.detect import bigfile
from vastai_guard.detect.detector import find_secrets


@pytest.mark.parametrize(('tail', 'context'), (
    ('requests.get("https://console.vast.ai/api/v0/instances/")\n', 'file calls console.vast.ai'),
    ('os.system("vastai set api-key " + API_KEY)\n', 'file runs the vastai CLI'),
))
def test_client_in_another_chunk_counts_for_the_whole_file(
        tail: str, context: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bigfile, 'CHUNK', 20_000)
    key = new_key()
    text = f'API_KEY = "{key}"\n' + 'x = 1\n' * 50_000 + tail
    chunked = bigfile.find_secrets_in_file(io.BytesIO(text.encode()), 'job.py')
    assert [(m.secret, m.context) for m in chunked] == [(key, context)]
    assert chunked == find_secrets(text, 'job.py')
