"""What the hypothesis suites share: derandomized settings, token-mixed text, a hang bound."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from hypothesis import settings
from hypothesis import strategies as st

_F = TypeVar('_F', bound=Callable[..., None])
# far above what one call takes (milliseconds): only a runaway input gets near it
BOUND_SECONDS = 5.0


def examples(count: int) -> Callable[[_F], _F]:
    return settings(max_examples=count, deadline=None, derandomize=True, database=None)


def texts(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=200),
        st.lists(st.one_of(st.sampled_from(tokens), st.text(max_size=5)), max_size=60).map(
            ''.join,
        ),
    )


YAML_TOKENS = [
    ':', ': ', ' ', '  ', '\n', '\r\n', '\t', '- ', '[', ']', '{', '}', ',', '? ', '#', '"', "'",
    '|', '>', '---\n', '...\n', '%YAML 1.1\n', '&a ', '*a', '&b ', '*b', '!!int ', '!!str ',
    '!!timestamp ', '!!python/object:os.system ', '!!binary ', '!!set ', '!!omap ', '<<: ',
    '²', '9' * 12, '0', 'abc', '\x85', '\u2028', '\ufeff',
]
CONFIG_TOKENS = [
    *YAML_TOKENS, 'exclude_paths', 'allow_fingerprints', 'rotated', 'max_file_mb',
    'fingerprint', 'date', 'note', 'a' * 64, '2026-11-27',
]
PRE_COMMIT_TOKENS = [
    *YAML_TOKENS, 'repos', 'repo', 'rev', 'hooks', 'id', 'local', 'vastai-secrets',
    'https://github.com/vastai-guard/vastai-guard', 'repos:\n', '- repo: local\n',
    '  hooks:\n', '  - id: x\n',
]


def timed(call: Callable[[], object]) -> object:
    start = time.monotonic()
    try:
        return call()
    finally:
        assert time.monotonic() - start < BOUND_SECONDS


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(line == other for other in remaining) for line in needles)
