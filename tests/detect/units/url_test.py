"""The URL unit: `?api_key=` on a vast.ai URL, also URL-encoded inside another URL."""
from __future__ import annotations

import urllib.parse

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.detector import may_hold_secret


def test_url_encoded_api_key_in_a_redirect() -> None:
    key = new_key()
    inner = f'https://console.vast.ai/api/v0/instances?api_key={key}'
    text = f'GET /login?next={urllib.parse.quote(inner, safe="")} 302\n'
    assert may_hold_secret(text.encode())
    found = find_secrets(text, 'access.log')
    assert [(m.rule, m.secret) for m in found] == [(rules.URL, key)]
    assert 'console.vast.ai' in found[0].context


def test_url_encoded_key_on_another_host_or_parameter_is_quiet() -> None:
    key = new_key()
    other_host = urllib.parse.quote(f'https://api.example.com/v0?api_key={key}', safe='')
    other_param = urllib.parse.quote(f'https://console.vast.ai/?token={key}', safe='')
    text = f'vast\nnext={other_host}\nnext={other_param}\n'
    assert find_secrets(text, 'access.log') == []


def test_instance_token_is_not_the_account_key() -> None:
    key = new_key()
    assert find_secrets(f'https://console.vast.ai/jupyter?token={key}\n', 'a.md') == []
