"""The standing hostile-input suite: properties that hold for any input, checked with hypothesis.

Inputs are drawn from the tokens each reader cares about (YAML indicators, tags, anchors, our
setting names, key-shaped hex) mixed with arbitrary text, which finds more than text alone.
Runs are derandomized and keep no example database: the suite is the same on every machine.
"""
from __future__ import annotations

import json
import os
import re
import tempfile

from hypothesis import given
from hypothesis import strategies as st

from testing.properties import CONFIG_TOKENS
from testing.properties import PRE_COMMIT_TOKENS
from testing.properties import examples
from testing.properties import is_subsequence
from testing.properties import texts
from testing.properties import timed
from vastai_guard.commands.init import Edit
from vastai_guard.commands.init import add_hooks
from vastai_guard.detect import detector
from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.detector import has_trigger
from vastai_guard.detect.detector import may_hold_secret
from vastai_guard.errors import FatalError
from vastai_guard.files import writing
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import parse_config
from vastai_guard.policy.suppress import load_baseline


@examples(200)
@given(texts(CONFIG_TOKENS))
def test_config_loader_gives_a_config_or_one_error(text: str) -> None:
    try:
        result = timed(lambda: parse_config(text, '.vastai-guard.yaml'))
    except InvalidConfigError as error:
        message = str(error)
        assert message.startswith('.vastai-guard.yaml') and '\n' not in message.strip()
    else:
        assert isinstance(result, Config)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(['hashed_secret', 'type', 'x']) | st.text(max_size=5),
                      children, max_size=4),
    max_leaves=20,
)


@examples(150)
@given(
    st.one_of(
        st.binary(max_size=200),
        _JSON.map(lambda value: repr(value).encode()),
        st.builds(
            lambda results: json.dumps({'results': results}).encode(),
            st.dictionaries(st.text(max_size=5), _JSON, max_size=3),
        ),
    ),
)
def test_baseline_loader_gives_hashes_or_one_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'baseline.json')
        with open(path, 'wb') as file:
            file.write(data)
        try:
            result = timed(lambda: load_baseline(path))
        except FatalError as error:
            assert '\n' not in str(error)
        else:
            assert isinstance(result, frozenset)
            assert all(isinstance(value, str) for value in result)


@examples(150)
@given(
    st.binary(max_size=200) | texts(['\n', '\r\n', '.env', '# x', '!x']).map(str.encode),
    st.lists(st.text(alphabet=st.characters(exclude_characters='\r\n'), max_size=10), max_size=4),
)
def test_gitignore_editor_keeps_every_byte(data: bytes, lines: list[str]) -> None:
    result = writing.appended(data, lines)

    # every existing line kept, in order and unchanged: the edit only appends
    assert result.startswith(data)
    newline = writing.newline_of(data)
    assert result.endswith(b''.join(line.encode() + newline for line in lines))


@examples(200)
@given(texts(PRE_COMMIT_TOKENS))
def test_init_editor_keeps_every_line_or_refuses(text: str) -> None:
    try:
        edit = timed(lambda: add_hooks(text, rev='v1.0.0'))
    except FatalError as error:
        assert '\n' not in str(error).strip()
        return
    assert isinstance(edit, Edit)
    if edit.action == 'unchanged':
        assert edit.text == text
    else:
        # lines compared without their ends: the last line may gain the newline it lacked
        original = [line.rstrip('\r\n') for line in text.splitlines()]
        edited = [line.rstrip('\r\n') for line in edit.text.splitlines()]
        assert is_subsequence(original, edited)


DETECTOR_TOKENS = [
    'VAST_API_KEY=', 'vast_api_key: ', 'VASTAI_API_KEY', 'vastai set api-key ', 'vast', 'key',
    '=', ':', '"', "'", ' ', '\n', '\r\n', '#', '//', 'vastai-guard:allow', 'Bearer ', 'export ',
]


@examples(200)
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(
            st.one_of(
                st.sampled_from(DETECTOR_TOKENS),
                st.text(alphabet='0123456789abcdef', min_size=60, max_size=70),
                st.text(max_size=5),
            ),
            max_size=30,
        ).map(''.join),
    ),
    st.sampled_from(['a.env', 'app.py', 'README.md', '.vast_api_key', 'config.yml', 'x']),
)
def test_detector_never_raises_and_never_invents_a_secret(text: str, path: str) -> None:
    matches = timed(lambda: find_secrets(text, path))

    assert isinstance(matches, list)
    for match in matches:
        assert match.secret and match.secret in text
        assert 1 <= match.line <= text.count('\n') + 1


# A 64-hex run between non-alphanumerics, unless a digest name is right before it: what the
# one-pass prefilter (RE2, no look-behind) spells out by hand, written with Python's look-behind.
_KEY_SHAPED_REFERENCE = re.compile(
    rb'(?<![0-9A-Za-z])(?<!sha256:)(?<!sha256=)(?<!sha512:)(?<!sha512=)'
    rb'[0-9a-f]{64}(?![0-9A-Za-z])',
)
# What may stand right before a hex run: digest names, near misses of them, separators, words
_BEFORE_HEX = [
    'sha256:', 'sha256=', 'sha512:', 'sha512=', 'sha257:', 'sha25:', 'sha2566:', 'xsha256:',
    'SHA256:', 'sha512-', 'sha:', '6:', ':', '=', '\n:', 'a\n:', 'ab\nsha256:', '', ' ', 'x',
    '"', "'", '\n', '\t', 'é', '\x00', 'VAST_API_KEY=', 'vastai set api-key ', 'key: ',
]
_AFTER_HEX = ['', ' ', '\n', '"', 'x', 'A', '0', 'é', ':', ',', '\r\n']


def _hex_runs() -> st.SearchStrategy[str]:
    hex_run = st.text(alphabet='0123456789abcdef', min_size=63, max_size=65)
    segment = st.tuples(st.sampled_from(_BEFORE_HEX), hex_run, st.sampled_from(_AFTER_HEX))
    noise = st.one_of(st.sampled_from(DETECTOR_TOKENS), st.text(max_size=4))
    return st.lists(st.one_of(segment.map(''.join), noise), max_size=8).map(''.join)


@examples(500)
@given(
    _hex_runs(),
    st.sampled_from(['a.env', 'app.py', 'README.md', 'config.yml', 'vast.yaml']),
)
def test_history_prefilter_passes_every_text_the_detector_finds_a_key_in(
        text: str, path: str,
) -> None:
    """History skips a file version the prefilter says no to: a wrong "no" is a missed leak."""
    data = text.encode('utf-8', 'surrogatepass')

    if find_secrets(text, path):
        assert may_hold_secret(data)
    # and its digest rule is exactly "not right after sha256: / sha512: (or =)"
    shaped = _KEY_SHAPED_REFERENCE.search(data) is not None
    assert (shaped or _NAMED_VALUE_REFERENCE.search(data) is not None) is may_hold_secret(data)


_NAMED_VALUE_REFERENCE = re.compile(rules.NAMED_VALUE.encode())


@examples(300)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([
                'vast', 'VAST', 'vAsT', 'Vas', 't', 'CONTAINER_API_KEY', 'Container_Api_Key',
                'container_api_ke', 'ſ', 'K', 'vaſt', 'É', 'é', '\x00', ' ',
            ]),
            st.text(max_size=3),
        ),
        max_size=10,
    ).map(''.join),
)
def test_history_trigger_test_answers_as_the_hooks_does(text: str) -> None:
    """History's RE2 trigger test and the hook's plain one skip exactly the same files."""
    data = text.encode('utf-8', 'surrogatepass')

    assert has_trigger(data, bulk=True) is has_trigger(data)


_TRIGGER_PIECES = st.lists(
    st.one_of(
        st.sampled_from([
            'vast', 'VAST', 'vAsT', 'va', 'st', 'Vas', 't', 'CONTAINER_API_KEY', 'container_',
            'api_key', 'ſ', '\x00', ' ',
        ]),
        st.text(max_size=3),
    ),
    max_size=8,
).map(lambda pieces: ''.join(pieces).encode('utf-8', 'surrogatepass'))


@examples(300)
@given(st.lists(_TRIGGER_PIECES, max_size=8))
def test_a_batch_of_blobs_is_triggered_as_each_one_alone(blobs: list[bytes]) -> None:
    """History tests a batch of blobs for the trigger words at once: exactly those that would
    pass alone pass, whatever ends one blob and starts the next (`va` + `st`, NULs, empties).
    Joined with nothing between them, `va` + `st` would pass both."""
    assert detector.blobs_with_trigger(blobs) == [
        index for index, blob in enumerate(blobs) if has_trigger(blob, bulk=True)
    ]


_RUN_REFERENCE = re.compile(r'[0-9a-f]{64,}')


@examples(500)
@given(_hex_runs())
def test_every_key_shaped_run_is_a_candidate(text: str) -> None:
    """Each 64-hex run between non-alphanumerics, not right after `sha256:` (or `sha512=`...),
    is judged: the fast RE2 search of ASCII text loses none (`RUN1:RUN2` included)."""
    expected = [
        run.span() for run in _RUN_REFERENCE.finditer(text)
        if run.end() - run.start() == 64
        and not (run.start() and text[run.start() - 1].isalnum())
        and not (run.end() < len(text) and text[run.end()].isalnum())
        and not text.endswith(('sha256:', 'sha256=', 'sha512:', 'sha512='), 0, run.start())
    ]

    assert [(c.start, c.end) for c in detector._hex_candidates(text)] == expected
