"""Which names read as a Vast.ai credential: the public surface of names.py."""
from __future__ import annotations

import pytest

from testing.util import new_key
from vastai_guard.detect import names


@pytest.mark.parametrize(
    'name',
    (
        'VAST_API_KEY',
        'VAST_API_KEY_PROD',
        'vastApiKey',
        'VastAi:ApiKey',
        'vast-api-key',
        'AIRFLOW_VAR_VASTAI_API_KEY',
        'vAsT_api_key',
        'VASTAI_TOKEN',
        'myVastKey',
        'os.environ["VAST_API_KEY"]',
    ),
)
def test_vast_credential_names(name: str) -> None:
    assert names.is_vast_secret_name(name)


@pytest.mark.parametrize(
    'name',
    (
        # "vast" inside a word is not Vast.ai
        'AVAST_API_KEY',
        'canvastoblob_key',
        'DEVASTATE_TOKEN',
        # a Vast name that is not a credential
        'VAST_INSTANCE_ID',
        'vast_dir',
        # a credential that is not Vast's
        'OPENAI_API_KEY',
        # digests of a key, SSH identities, Vast's own instance tokens, VAST Data
        'VAST_API_KEY_SHA256',
        'vast_key_hash',
        'VAST_SSH_KEY',
        'VAST_JUPYTER_TOKEN',
        'VASTDATA_TOKEN',
        'VAST_HF_TOKEN',
    ),
)
def test_other_names(name: str) -> None:
    assert not names.is_vast_secret_name(name)


@pytest.mark.parametrize(
    ('name', 'expected'),
    (
        ('CONTAINER_API_KEY', True),
        ('containerApiKey', True),
        ('CONTAINER_API_KEY_SHA256', False),  # a digest of it
        ('CONTAINER_ID', False),
    ),
)
def test_container_key(name: str, expected: bool) -> None:
    assert names.is_container_key(name) is expected


def test_label_never_shows_a_key() -> None:
    key = new_key()
    shown = names.label(f'section {key}')
    assert key not in shown
    # and no run long enough to be a useful part of it
    assert not any(key[i:i + 16] in shown for i in range(len(key) - 15))
    assert shown.startswith('section')


def test_label_is_short_and_printable() -> None:
    shown = names.label('vast\x1b[31m' + 'x' * 200)
    assert '\x1b' not in shown  # a terminal escape from a file name must not reach a terminal
    assert len(shown) <= 60
    assert shown.endswith('...')
    assert names.label('VAST_API_KEY') == 'VAST_API_KEY'  # a short label is kept whole
