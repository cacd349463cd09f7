"""The rotation ledger: `rotated:` entries appended to `.vastai-guard.yaml` as a text edit.

The file is the team's (comments, order, other settings): an entry is added by inserting lines,
never by re-dumping YAML, and every other line and the file's line endings stay as they were.
The result is parsed again, and must read as the old data plus the one entry, before it
replaces the file (fileedit.edit_user_file: locked, atomic, inside the work tree only).
"""
from __future__ import annotations

import json

from vastai_guard.config import InvalidConfigError
from vastai_guard.config import parse_config
from vastai_guard.findings import Rotation


def _entry_lines(rotation: Rotation, dash_column: int, key_column: int) -> list[str]:
    # JSON strings are valid YAML double-quoted scalars: any note survives the round trip
    return [
        ' ' * dash_column + '-' + ' ' * (key_column - dash_column - 1)
        + f'fingerprint: {rotation.fingerprint}',
        ' ' * key_column + f"date: '{rotation.date}'",
        ' ' * key_column + f'note: {json.dumps(rotation.note)}',
    ]


def _line_end(text: str, offset: int) -> int:
    """Offset just past the newline ending the line that holds `offset` (or the text's end)."""
    end = text.find('\n', offset)
    return len(text) if end == -1 else end + 1


def add_rotation(text: str, rotation: Rotation, path: str) -> str:
    """`text` with `rotation` appended to its `rotated:` list (created when missing)."""
    import yaml

    newline = '\r\n' if '\r\n' in text else '\n'
    lines: list[str]
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    section = None
    if isinstance(root, yaml.MappingNode):
        section = next(
            ((key, value) for key, value in root.value if key.value == 'rotated'), None,
        )
    if section is None:
        lines = ['rotated:', *_entry_lines(rotation, 2, 4)]
        prefix = text if not text or text.endswith('\n') else text + newline
        return prefix + newline.join(lines) + newline
    _, value = section
    if not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
        raise InvalidConfigError(
            f'{path}:{value.start_mark.line + 1}: `rotated:` must be a block list (one '
            '`- fingerprint: ...` entry per line) for vastai-guard to add to it',
        )
    last = value.value[-1]
    line_start = text.rfind('\n', 0, last.start_mark.index) + 1
    dash_column = text.rfind('-', line_start, last.start_mark.index) - line_start
    key_column = max(last.start_mark.column, dash_column + 2)
    # after the last line of the last entry: its last value ends on that line
    end_mark = last.value[-1][1].end_mark if isinstance(last, yaml.MappingNode) else (
        last.end_mark
    )
    insert_at = _line_end(text, max(end_mark.index - 1, 0))
    before = text[:insert_at]
    if not before.endswith('\n'):
        before += newline
    lines = _entry_lines(rotation, dash_column, key_column)
    return before + newline.join(lines) + newline + text[insert_at:]


def _digest(value: object, memo: dict[int, bytes]) -> bytes:
    """A digest of a loaded YAML value, each shared object (an alias) digested once.

    Plain `==` walks an alias bomb's every path (billions of them); this walks each node once.
    A node met again while it is being digested is a cycle (`&a [*a]`): digested as such.
    """
    import hashlib

    key = id(value)
    if key in memo:
        return memo[key]
    memo[key] = b'cycle'
    parts: list[bytes]
    if isinstance(value, dict):
        parts = sorted(_digest(k, memo) + _digest(v, memo) for k, v in value.items())
    elif isinstance(value, list):
        parts = [_digest(item, memo) for item in value]
    else:
        parts = [repr(value).encode('utf-8', 'surrogatepass')]
    memo[key] = hashlib.sha256(type(value).__name__.encode() + b''.join(parts)).digest()
    return memo[key]


def _check_only_added(before: str, after: str, rotation: Rotation, path: str) -> None:
    """Every setting and every earlier entry reads the same in `after`; the new entry is last.

    The edit is text, and YAML anchors, aliases and merge keys (`<<: *a`) make text and data
    disagree: lines inserted after an anchored entry could take a user's fields into the new
    entry, or change what an alias refers to. Parsed again, the data must be the old data plus
    one entry, or nothing is written.
    """
    import yaml

    old: object = None
    new: object = None
    try:
        old = yaml.safe_load(before) or {}
        new = yaml.safe_load(after)
    except (yaml.YAMLError, RecursionError):
        pass  # refused below
    memo: dict[int, bytes] = {}
    if isinstance(old, dict) and isinstance(new, dict):
        old_entries = old.get('rotated') or []
        new_entries = new.get('rotated')
        expected = dict(rotation._asdict())
        if (
                isinstance(old_entries, list)
                and isinstance(new_entries, list)
                and set(new) == {*old, 'rotated'}
                and all(
                    _digest(old[name], memo) == _digest(new[name], memo)
                    for name in old if name != 'rotated'
                )
                and len(new_entries) == len(old_entries) + 1
                and all(
                    _digest(a, memo) == _digest(b, memo)
                    for a, b in zip(old_entries, new_entries, strict=False)
                )
                and new_entries[-1] == expected
        ):
            return
    raise InvalidConfigError(
        f'{path}: adding the entry as text would change other settings or entries (YAML '
        'anchors, aliases or merge keys?): nothing written; add it by hand',
    )


def record_rotation(path: str, rotation: Rotation, *, root: str) -> bool:
    """Append `rotation` to the ledger in the config file at `path`; False if already there.

    `root` is the work tree: the file (or what a link at `path` points to) must be inside it.
    """
    from vastai_guard.fileedit import edit_user_file

    def change(data: bytes | None) -> bytes | None:
        try:
            text = '' if data is None else data.decode('utf-8')
        except UnicodeDecodeError as error:
            raise InvalidConfigError(f'{path}: cannot read: {error}') from None
        config = parse_config(text, path)
        if any(entry.fingerprint == rotation.fingerprint for entry in config.rotated):
            return None
        updated = add_rotation(text, rotation, path)
        _check_only_added(text, updated, rotation, path)
        return updated.encode('utf-8')

    return edit_user_file(path, change, root=root)
