"""The rotation ledger: `rotated:` entries appended to `.vastai-guard.yaml` as a text edit.

The file is the team's (comments, order, other settings): an entry is added by inserting lines
(yamledit), never by re-dumping YAML, and every other line and the file's line endings stay as
they were. The result must read as the old data plus the one entry before it replaces the file
(fileedit.edit_user_file: locked, atomic, inside the work tree only).
"""
from __future__ import annotations

from vastai_guard.files import yamledit
from vastai_guard.findings import Rotation
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import parse_config

# The style of the ledger example in docs/commands.md, for a file that shows none of its own
STYLE = yamledit.Layout(dash=2, key=2, nested_dash=2, nested_key=2)


def record_rotation(path: str, rotation: Rotation, *, root: str) -> bool:
    """Append `rotation` to the ledger in the config file at `path`; False if already there.

    `root` is the work tree: the file (or what a link at `path` points to) must be inside it.
    """
    from vastai_guard.files.writing import edit_user_file

    def change(data: bytes | None) -> bytes | None:
        try:
            text = '' if data is None else data.decode('utf-8')
        except UnicodeDecodeError as error:
            raise InvalidConfigError(f'{path}: cannot read: {error}') from None
        config = parse_config(text, path)
        if any(entry.fingerprint == rotation.fingerprint for entry in config.rotated):
            return None
        updated = yamledit.append_item(
            text, 'rotated', dict(rotation._asdict()),
            path=path, error=InvalidConfigError, default=STYLE, what='the rotation entry',
        )
        return updated.encode('utf-8')

    return edit_user_file(path, change, root=root)
