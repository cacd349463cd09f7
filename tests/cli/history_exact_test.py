"""`history` skips work (prefilters, each blob once per name kind, remembered changes, workers),
never keys: on a history where keys come and go in a Vast-heavy file, among digests, renames
and look-alikes, it reports exactly the keys that judging every version whole finds."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from testing.every_version import keys_in_every_version
from testing.util import commit_all
from testing.util import git
from testing.util import new_key
from testing.util import write
from vastai_guard.main import main


def _leak(rng: random.Random) -> str:
    key = new_key()
    return rng.choice((
        f'VAST_API_KEY = "{key}"\n',
        f'vastai set api-key {key}\n',
        f'    curl "https://console.vast.ai/api/v0/instances/?api_key={key}"\n',
        f'API_KEY={key}\n',  # a key only in a file whose name says vast
        f'    sdk = VastAI(api_key="{key}")\n',
    ))


def _quiet(rng: random.Random, index: int) -> str:
    return rng.choice((
        f'def vast_offer_{index}(gpu="RTX_{rng.randrange(3000, 5000)}"):\n',
        f'    image = "vastai/pytorch@sha256:{new_key()}"\n',
        f'    checksum = "{new_key()}"  # vast template\n',
        f'    # vast instance {index} label\n',
    ))


def _build(repo: Path, rng: random.Random) -> None:
    lines = [_quiet(rng, i) for i in range(300)]
    names = ['vast_sdk.py', 'vast.env', 'notes.txt', 'README.md']
    for number in range(60):
        for _ in range(rng.randrange(1, 4)):
            index = rng.randrange(len(lines))
            lines[index] = _leak(rng) if rng.random() < 0.1 else _quiet(rng, index)
        name = rng.choice(names)
        write(repo, name, ''.join(lines[rng.randrange(0, 100):]))
        message = f'edit {number}' + (f'\n\nvastai set api-key {new_key()}' if number == 30 else '')
        commit_all(repo, message)
        if rng.random() < 0.1:  # the same blob under another name
            git(repo, 'mv', '-f', name, rng.choice([n for n in names if n != name]))
            commit_all(repo, f'rename {number}')
        if number == 40:
            git(repo, 'checkout', '-q', '-b', 'side')
        if number == 50:
            git(repo, 'checkout', '-q', 'main')


@pytest.mark.parametrize('seed', (1, 2))
def test_history_reports_exactly_the_keys_of_every_version_judged_whole(
        repo: Path, capsys: pytest.CaptureFixture[str], seed: int,
) -> None:
    _build(repo, random.Random(seed))
    expected = keys_in_every_version(repo)

    for jobs in ('1', '2'):
        returncode = main(['history', '--format', 'json', '--jobs', jobs])
        reported = {key['fingerprint'] for key in json.loads(capsys.readouterr().out)['keys']}

        assert returncode == 1
        assert len(expected) > 5
        assert reported == expected
