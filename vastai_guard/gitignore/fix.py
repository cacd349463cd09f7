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
    if lines:
        block = ignore_check.fix_block(lines)
        edit_user_file(
            os.path.join(root, ignore_check.GITIGNORE),
            lambda data: appended(data or b'', block),
            root=root,
        )
    return lines
