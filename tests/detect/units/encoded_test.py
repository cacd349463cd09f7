"""Keys in other encodings: a Secret's base64 data, UTF-16/32 text. The finding is the decoded
key (its fingerprint is of the key, not of the encoding)."""
from __future__ import annotations

import base64
import codecs

import pytest

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.decode import text_to_scan
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.detector import may_hold_secret


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize('newline', (pytest.param('', id='kubectl'), pytest.param('\n', id='echo')))
def test_secret_named_for_vast_with_a_generic_data_key(newline: str) -> None:
    key = new_key()
    text = (
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: vast-api-secret\ntype: Opaque\n'
        f'data:\n  api-key: {_b64(key + newline)}\n'
    )
    assert may_hold_secret(text.encode())
    found = find_secrets(text, 'k8s/secret.yaml')
    assert [(m.rule, m.line, m.secret) for m in found] == [(rules.BASE64, 7, key)]
    assert found[0].context == 'Secret vast-api-secret / data / api-key'


def test_multi_document_yaml_names_each_secret_by_its_own_name() -> None:
    key = new_key()
    text = (
        'kind: Secret\nmetadata:\n  name: openai\ndata:\n  api-key: ' + _b64(new_key()) + '\n'
        '---\nkind: Secret\nmetadata:\n  name: vastai-credentials\ndata:\n  token: '
        + _b64(key) + '\n'
    )
    assert [m.secret for m in find_secrets(text, 'secrets.yaml')] == [key]


@pytest.mark.parametrize('template', (
    # a ConfigMap named for vast holding a digest
    'kind: ConfigMap\nmetadata:\n  name: vast-worker\ndata:\n  image_sha256: "{key}"\n',
    # a Secret named for vast whose data key says another secret
    'kind: Secret\nmetadata:\n  name: vast-worker\ndata:\n  ssh_key: {b64}\n',
))
def test_other_values_in_vast_named_objects_are_quiet(template: str) -> None:
    key = new_key()
    text = template.replace('{key}', key).replace('{b64}', _b64(key))
    assert find_secrets(text, 'k8s/vast.yaml') == []


@pytest.mark.parametrize(('encoding', 'bom'), (
    ('utf-16-le', b''), ('utf-16-le', codecs.BOM_UTF16_LE), ('utf-16-be', codecs.BOM_UTF16_BE),
    ('utf-32-le', codecs.BOM_UTF32_LE),
))
def test_utf16_and_utf32_text_is_decoded_first(encoding: str, bom: bytes) -> None:
    key = new_key()
    data = bom + f'$env:VAST_API_KEY = "{key}"\r\n'.encode(encoding)
    text = text_to_scan('profile.ps1', data)
    assert text is not None
    assert [m.secret for m in find_secrets(text, 'profile.ps1')] == [key]
