"""`gitignore --fix` and `init`: the patterns the check finds missing, appended to the root
.gitignore through the one writer (locked, atomic, never through a link out of the tree)."""
from __future__ import annotations

import os

from vastai_guard.gitignore import check as ignore_check


def fix_gitignore(root: str, facts: ignore_check.Facts) -> list[str]:
    """Append what is missing to the root .gitignore; the lines added (none: unchanged)."""
    from vastai_guard.files.writing import appended
    from vastai_guard.files.writing import edit_user_file

    lines = ignore_check.fix_lines(facts)
    added: list[str] = []

    def change(data: bytes | None) -> bytes | None:
        # decided under the writer's lock, against the file as it is now: ten runs at once
        # append the block once, each later run finding its lines already there
        present = {line.strip() for line in (data or b'').decode('utf-8', 'replace').splitlines()}
        added[:] = [line for line in lines if line.strip() not in present]
        if not added:
            return None
        return appended(data or b'', ignore_check.fix_block(added))

    if lines:
        edit_user_file(os.path.join(root, ignore_check.GITIGNORE), change, root=root)
    return added
