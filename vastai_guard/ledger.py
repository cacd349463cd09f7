"""The rotation ledger: `rotated:` entries appended to `.vastai-guard.yaml` as a text edit.

The file is the team's (comments, order, other settings): an entry is added by inserting lines,
never by re-dumping YAML, and every other line and the file's line endings stay as they were.
The result is parsed again before it replaces the file, atomically.
"""
from __future__ import annotations

import json

from vastai_guard.config import InvalidConfigError
from vastai_guard.config import Rotation
from vastai_guard.config import parse_config
from vastai_guard.fileedit import atomic_write


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


def record_rotation(path: str, rotation: Rotation) -> bool:
    """Append `rotation` to the ledger in the config file at `path`; False if already there."""
    try:
        with open(path, encoding='utf-8', newline='') as f:
            text = f.read()
    except FileNotFoundError:
        text = ''
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidConfigError(f'{path}: cannot read: {error}') from None
    config = parse_config(text, path)
    if any(entry.fingerprint == rotation.fingerprint for entry in config.rotated):
        return False
    updated = add_rotation(text, rotation, path)
    recorded = parse_config(updated, path).rotated
    if rotation not in recorded:
        raise InvalidConfigError(f'{path}: could not add the entry to `rotated:` safely')
    try:
        atomic_write(path, updated.encode('utf-8'))
    except OSError as error:
        raise InvalidConfigError(f'{path}: cannot write: {error.strerror}') from None
    return True
