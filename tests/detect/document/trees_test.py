"""JSON and YAML documents: key paths, self-named objects, bounded walks."""
from __future__ import annotations

import json
import time

import pytest

from testing.util import new_key
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.document.model import MAX_BYTES
from vastai_guard.detect.document.model import build


def _tfstate(key: str, resource_type: str) -> str:
    return json.dumps({'version': 4, 'resources': [{
        'mode': 'managed', 'type': resource_type, 'name': 'gpu',
        # many attributes: the resource type is further up than any window reads
        'instances': [{'attributes': {**{f'attr_{i}': i for i in range(40)}, 'api_key': key}}],
    }]}, indent=2)


def _postman(key: str, host: str) -> str:
    return json.dumps({
        'info': {'name': 'GPU'},
        'auth': {'type': 'bearer', 'bearer': [{'key': 'token', 'value': key, 'type': 'string'}]},
        'item': [{'name': 'list', 'request': {'method': 'GET', 'url': {
            'raw': f'https://{host}/api/v0/instances/'}}}],
    }, indent=2)


def test_tfstate_attribute_under_a_vastai_resource() -> None:
    key = new_key()
    found = find_secrets(_tfstate(key, 'vastai_instance'), 'terraform.tfstate')
    assert [m.secret for m in found] == [key]
    assert 'vastai_instance' in found[0].context and 'api_key' in found[0].context


def test_tfstate_attribute_under_another_provider_is_quiet() -> None:
    text = _tfstate(new_key(), 'aws_instance') + '\n'
    assert find_secrets(text.replace('"version"', '"vast_note": "x", "version"'),
                        'terraform.tfstate') == []


def test_postman_bearer_in_a_collection_that_calls_vast() -> None:
    key = new_key()
    found = find_secrets(_postman(key, 'console.vast.ai'), 'gpu.postman_collection.json')
    assert [m.secret for m in found] == [key]
    assert 'console.vast.ai' in found[0].context


def test_postman_bearer_in_a_collection_that_calls_elsewhere_is_quiet() -> None:
    text = _postman(new_key(), 'api.example.com').replace('"GPU"', '"vast notes"')
    assert find_secrets(text, 'c.postman_collection.json') == []


def test_har_authorization_header() -> None:
    key = new_key()
    text = json.dumps({'log': {'entries': [{'request': {
        'url': 'https://console.vast.ai/api/v0/users/current/',
        'headers': [{'name': 'Authorization', 'value': f'Bearer {key}'}],
    }}]}}, indent=2)
    assert [m.secret for m in find_secrets(text, 'capture.har')] == [key]


def test_stringdata_of_a_secret_named_for_vast() -> None:
    key = new_key()
    text = f'kind: Secret\nmetadata:\n  name: vastai-credentials\nstringData:\n  token: "{key}"\n'
    found = find_secrets(text, 'deploy/creds.yaml')
    assert [(m.line, m.secret) for m in found] == [(5, key)]


def test_files_that_do_not_parse_or_are_too_big_have_no_document() -> None:
    assert build('{"a": ', 'x.json') is None
    assert build('a: [b\n', 'x.yaml') is None
    assert build(' ' * (MAX_BYTES + 1), 'x.json') is None
    assert build('x = 1\n', 'x.py') is None


@pytest.mark.parametrize(('path', 'text'), (
    pytest.param('deep.json', '[' * 100_000 + ']' * 100_000, id='deep-json'),
    pytest.param(
        'bomb.yaml',
        'a: &a ["vast", "vast", "vast", "vast", "vast", "vast", "vast", "vast"]\n'
        + ''.join(f'{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, '
                  f'*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n'
                  for i in range(10)),
        id='yaml-alias-bomb',
    ),
))
def test_hostile_documents_stay_bounded(path: str, text: str) -> None:
    key = new_key()
    text = text + f'\n# api_key {key}\n'
    start = time.process_time()
    build(text, path)
    find_secrets(text, path)
    assert time.process_time() - start < 2.0


def test_block_scalar_holding_another_format_under_a_vast_named_object() -> None:
    key = new_key()
    text = (
        'kind: ConfigMap\nmetadata:\n  name: vastai-worker\ndata:\n  app.env: |\n'
        + '    LOG_LEVEL=info\n' * 20 + f'    API_KEY={key}\n'
    )
    found = find_secrets(text, 'k8s/worker.yaml')
    assert [(m.line, m.secret) for m in found] == [(26, key)]
    assert found[0].context == 'ConfigMap vastai-worker / data / app.env / API_KEY'


def test_yaml_merge_keys_carry_the_named_anchor() -> None:
    key = new_key()
    text = (
        'defaults: &vast\n  provider: vastai\n' + '  region: x\n' * 20
        + f'prod:\n  <<: *vast\n  vastai:\n    token: "{key}"\n'
    )
    assert [m.secret for m in find_secrets(text, 'deploy.yaml')] == [key]


def test_pretty_har_header_far_from_its_url() -> None:
    key = new_key()
    headers = [{'name': f'X-Header-{i}', 'value': 'v'} for i in range(12)]
    text = json.dumps({'log': {'entries': [{'request': {
        'url': 'https://console.vast.ai/api/v0/instances/',
        'headers': [*headers, {'name': 'Authorization', 'value': f'Bearer {key}'}],
    }}]}}, indent=2)
    assert [m.secret for m in find_secrets(text, 'capture.har')] == [key]


def test_postman_environment_named_for_vast() -> None:
    key = new_key()
    text = json.dumps({'name': 'Vast.ai', 'values': [
        *({'key': f'var_{i}', 'value': str(i), 'enabled': True} for i in range(8)),
        {'key': 'api_key', 'value': key, 'enabled': True},
    ]}, indent=2)
    found = find_secrets(text, 'gpu.postman_environment.json')
    assert [(m.secret, m.context) for m in found] == [(key, 'Vast.ai / values / api_key')]


def test_a_leaf_that_names_its_own_vendor_under_a_vast_named_job_is_quiet() -> None:
    key = new_key()
    text = 'vast-deploy:\n  stage: deploy\n' + '  tags: [gpu]\n' * 40 + f'  variables:\n    NPM_TOKEN: "{key}"\n'
    assert find_secrets(text, '.gitlab-ci.yml') == []
    assert [m.secret for m in find_secrets(text.replace('NPM_TOKEN', 'API_TOKEN'),
                                           '.gitlab-ci.yml')] == [key]
