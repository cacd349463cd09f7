"""JSON and YAML documents: parsed with the standard library and PyYAML, then walked once.

Parsers know values, not offsets; a key is random, so the value itself names its place: every
64-hex run inside a string value is mapped to the path that leads to it. A dict is named by
what it says about itself (`type`, `kind`, `name`, `metadata.name`): tfstate's resources,
Kubernetes objects, Postman items. A string holding JSON is walked too (JSON escaped in JSON).
A Kubernetes Secret's base64 `data:` values are decoded (the Secret's name is their context).
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from vastai_guard.detect import rules
from vastai_guard.detect.document import paths
from vastai_guard.detect.document.model import Document

_HEX_KEY = re.compile(r'(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])')
_HEX_ONLY = re.compile(r'[0-9a-f]{64}')
# How deep a tree is walked, and how many values: bounded, whatever the file.
_MAX_DEPTH = 64
_MAX_NODES = 200_000
# The keys that name a dict or that name the value beside them (Postman `{key, value}`).
_SELF_NAMES = ('type', 'kind', 'name')
_VALUE_KEYS = frozenset(('value', 'default', 'val'))
_PAIR_NAMES = ('key', 'name', 'id')
# `NAME=`, `name: `, `"name": "` right before a key inside a block scalar.
_INNER_ASSIGNMENT = re.compile(r'''(?P<name>[\w.-]{1,100})["']?[ \t]*[=:][ \t]*["']?$''')


def _self_label(node: dict[Any, Any]) -> str | None:
    """What a dict says it is: `resource vastai_instance`, `Secret vast-api-secret`."""
    metadata = node.get('metadata')
    kind = node.get('kind')
    if isinstance(metadata, dict) and isinstance(metadata.get('name'), str):
        return f'{kind if isinstance(kind, str) else "object"} {metadata["name"]}'
    parts = [str(node[key]) for key in _SELF_NAMES if isinstance(node.get(key), str)]
    return ' '.join(parts)[:120] if parts else None


class _Walk:
    def __init__(self) -> None:
        self.values: dict[str, tuple[str, ...]] = {}
        self.encoded: dict[str, tuple[str, ...]] = {}
        self.nodes = 0

    def walk(self, node: Any, steps: tuple[str, ...], depth: int = 0) -> None:
        self.nodes += 1
        if depth > _MAX_DEPTH or self.nodes > _MAX_NODES:
            return
        if isinstance(node, dict):
            pair = next((node[key] for key in _PAIR_NAMES if isinstance(node.get(key), str)), None)
            # a `{key, value}` pair is named by its key; other dicts by what they say they are
            own = _self_label(node) if pair is None or not _VALUE_KEYS & node.keys() else None
            here = steps if own is None else (*steps, own)
            for key, value in node.items():
                step = str(key)
                if step in _VALUE_KEYS and pair is not None:
                    step = pair  # `{"key": "token", "value": "KEY"}`: the value is the token
                self.walk(value, (*here, step), depth + 1)
        elif isinstance(node, list):
            for item in node:
                self.walk(item, steps, depth + 1)
        elif isinstance(node, str):
            self._string(node, steps, depth)

    def _string(self, value: str, steps: tuple[str, ...], depth: int) -> None:
        for match in _HEX_KEY.finditer(value):
            self.values.setdefault(match.group(), steps + _inner_name(value, match.start()))
        if len(value) in rules.BASE64_KEY_LENGTHS:
            decoded = _base64_key(value)
            if decoded is not None:
                self.encoded.setdefault(value, steps)
        stripped = value.strip()
        if stripped[:1] in '{[' and len(stripped) > 70:
            import json

            try:
                inner = json.loads(stripped)
            except ValueError:
                return
            self.walk(inner, steps, depth + 1)


def _inner_name(value: str, at: int) -> tuple[str, ...]:
    """The name a key is given inside a block scalar (`config.env: |` / `API_KEY=KEY`), as one
    more step; nothing for a one-line value."""
    if '\n' not in value:
        return ()
    line = value[value.rfind('\n', 0, at) + 1:at]
    assigned = _INNER_ASSIGNMENT.search(line[-200:])
    return (assigned['name'],) if assigned is not None else ()


def _base64_key(value: str) -> str | None:
    try:
        decoded = base64.b64decode(value, validate=True).decode('ascii').strip()
    except (binascii.Error, ValueError):
        return None
    return decoded if _HEX_ONLY.fullmatch(decoded) else None


def _document(walk: _Walk) -> Document:
    vast: dict[str, str] = {}
    generic: dict[str, str] = {}
    for value, steps in walk.values.items():
        if paths.is_credential(steps):
            if paths.says_vast(steps):
                vast[value] = paths.label(steps)
            elif paths.is_generic_credential(steps):
                generic[value] = paths.label(steps)
    encoded = {
        value: paths.label(steps) for value, steps in walk.encoded.items()
        if paths.is_credential(steps) and paths.says_vast(steps)
    }
    return Document([], vast, generic=generic, encoded=encoded)


def json_document(text: str) -> Document | None:
    import json

    try:
        tree = json.loads(text)
    except (ValueError, RecursionError):
        return None
    walk = _Walk()
    walk.walk(tree, ())
    return _document(walk)


# PyYAML without libyaml reads ~1 MB/s: past this size, windows only.
_PURE_PYTHON_YAML_BYTES = 256 << 10


def yaml_document(text: str) -> Document | None:
    import yaml

    if not hasattr(yaml, 'CSafeLoader') and len(text) > _PURE_PYTHON_YAML_BYTES:
        return None
    walk = _Walk()
    try:
        for tree in _yaml_trees(yaml, text):
            walk.walk(tree, ())
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    return _document(walk)


def _yaml_trees(yaml: Any, text: str) -> Iterator[Any]:
    # CSafeLoader when PyYAML has it (libyaml)
    loader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)
    yield from yaml.load_all(text, Loader=loader)


def decoded_key(value: str) -> str | None:
    """The key inside a base64 value the document found, or None."""
    return _base64_key(value)
