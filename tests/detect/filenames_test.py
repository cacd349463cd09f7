from __future__ import annotations

import pytest

from vastai_guard.detect import detector
from vastai_guard.detect import filenames


@pytest.mark.parametrize(
    ('path', 'secret', 'template'),
    (
        pytest.param('.env', True, False, id='dotenv'),
        pytest.param('services/api/.env', True, False, id='nested'),
        pytest.param('.env.local', True, False, id='local'),
        pytest.param('.env.production', True, False, id='environment'),
        pytest.param('.env.staging.local', True, False, id='environment-local'),
        pytest.param('.env.example.local', True, False, id='local-copy-of-template'),
        pytest.param('.env.example', False, True, id='example'),
        pytest.param('.env.sample', False, True, id='sample'),
        pytest.param('.env.template', False, True, id='template'),
        pytest.param('.env.dist', False, True, id='dist'),
        pytest.param('.env.production.example', False, True, id='environment-template'),
        pytest.param('.vast_api_key', True, False, id='legacy-key-file'),
        pytest.param('config/vastai/vast_api_key', True, False, id='xdg-key-file'),
        pytest.param('vast_tfa_key', True, False, id='tfa-key-file'),
        pytest.param('vastai_kaalia/api_key', True, False, id='host-key-file'),
        pytest.param('var/lib/vastai_kaalia/api_key', True, False, id='host-key-file-nested'),
        pytest.param('my_vastai_kaalia/api_key', False, False, id='another-folder-name'),
        pytest.param('api_key', False, False, id='any-api-key-file'),
        pytest.param('.envrc', False, False, id='direnv'),
        pytest.param('env.py', False, False, id='module'),
    ),
)
def test_names(path: str, secret: bool, template: bool) -> None:
    assert filenames.is_secret_file(path) is secret
    assert filenames.is_template(path) is template
    # the scanner asks the same question (a key file's content is the key): one answer
    assert detector.is_key_file(path) is filenames.is_key_file(path)


@pytest.mark.parametrize(
    ('path', 'expected'),
    (
        pytest.param('.env', 'development', id='plain'),
        pytest.param('.env.local', 'development', id='local'),
        pytest.param('.env.dev', 'development', id='dev'),
        pytest.param('.env.production', 'production', id='production'),
        pytest.param('.env.prod.local', 'production', id='prod-local'),
        pytest.param('app/.env.staging', 'staging', id='staging'),
        pytest.param('.env.qa', 'qa', id='other'),
    ),
)
def test_environment(path: str, expected: str) -> None:
    assert filenames.environment(path) == expected


def test_every_requirement_probe_is_a_secret_file() -> None:
    # a probe that is not a secret file would never be reported by the negation check
    probes = [probe for req in filenames.REQUIREMENTS for probe in req.probes]
    assert all(filenames.is_secret_file(probe) for probe in probes)
    assert not any(filenames.is_secret_file(probe) for probe in filenames.TEMPLATE_PROBES)
