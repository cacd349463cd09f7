"""A key in another encoding, inside a document whose structure names it: a Kubernetes Secret's
base64 `data:` value (with or without the newline `echo KEY | base64` adds) under a Secret
whose name, or whose data key, says Vast. The fingerprint is of the decoded key.

Unlike the other units this one finds its own candidates (base64 values are not 64-hex runs),
and only in a file whose document model reads trees (JSON, YAML).
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from vastai_guard.detect import rules
from vastai_guard.detect.context import FileScope
from vastai_guard.detect.document.model import is_tree_format


@functools.lru_cache(maxsize=1)
def _shaped() -> Any:
    from vastai_guard.detect.detector import re2_module

    return re2_module().compile(rules.BASE64_KEY_SHAPED)


def may_hold(data: bytes) -> bool:
    return _shaped().search(data) is not None


def matches(text: str, scope: FileScope) -> Iterator[tuple[int, rules.Rule, str, str]]:
    """(offset, rule, decoded key, context) of each encoded key the document names."""
    if not is_tree_format(scope.facts.path) or not may_hold(text.encode('utf-8', 'surrogatepass')):
        return
    document = scope.document()
    if document is None:
        return
    from vastai_guard.detect.document.trees import decoded_key

    for value, context in document.encoded.items():
        key = decoded_key(value)
        at = text.find(value)
        if key is not None and at != -1:
            yield at, rules.BASE64, key, context
