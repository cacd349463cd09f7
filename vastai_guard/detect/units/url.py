"""`?api_key=KEY` in the query string of a vast.ai URL (also URL-encoded, `%3Fapi_key%3D`)."""
from __future__ import annotations

import re

from vastai_guard.detect import rules
from vastai_guard.detect.context import Judged
from vastai_guard.detect.context import url_marker
from vastai_guard.detect.units.verdict import VETO
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict

_URL_REVERSED = re.compile(r'''[^\s"'`<>(]*''')
# How long a URL before its `?api_key=` may be.
_URL_REACH = 400
_URL_KEY_PARAMS = frozenset(('api_key', 'apikey', 'api-key'))
_ENCODED_PARAM = re.compile(r'(?i)(?:%3F|%26)(?P<name>[\w.-]{1,40})%3D$')


def _url_before(text: str, floor: int, at: int) -> str:
    """The URL that ends at `at`: the run of non-separators before it, read backwards."""
    left = text[max(floor, at - _URL_REACH):at]
    reversed_url = _URL_REVERSED.match(left[::-1])
    return left[len(left) - (reversed_url.end() if reversed_url else 0):]


def judge(case: Judged) -> Answer:
    slot, text, candidate = case.slot, case.text, case.candidate
    if slot.name and slot.operator == '=':
        before = text[max(candidate.line_start, slot.start - 16):slot.start]
        if before.endswith(('?', '&', '&amp;')):
            if slot.name.lower() not in _URL_KEY_PARAMS:
                return VETO  # `?token=` opens one instance's Jupyter or portal, not the account
            host = url_marker(_url_before(text, candidate.line_start, slot.start))
            if host is not None:
                return Verdict(rules.URL, f'url {host}')
        return None
    return _encoded(case)


def _encoded(case: Judged) -> Answer:
    """A URL inside another URL's query string: `...%3Fapi_key%3DKEY`."""
    text, candidate = case.text, case.candidate
    if not text.endswith('%3D', candidate.line_start, candidate.start) and not text.endswith(
            '%3d', candidate.line_start, candidate.start):
        return None
    url = _url_before(text, candidate.line_start, candidate.start)
    param = _ENCODED_PARAM.search(url)
    if param is None or param['name'].lower() not in _URL_KEY_PARAMS:
        return None
    import urllib.parse  # only for a URL inside a URL: off the hook's usual path

    host = url_marker(urllib.parse.unquote(url))
    return None if host is None else Verdict(rules.URL, f'url {host} (URL-encoded)')
