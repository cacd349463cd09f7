"""fix_gitignore: what is missing is appended to the root .gitignore, once, keeping the rest."""
from __future__ import annotations

from pathlib import Path

from testing.util import write
from vastai_guard.gitignore import check
from vastai_guard.gitignore.fix import fix_gitignore


def test_creates_the_gitignore(repo: Path) -> None:
    added = fix_gitignore(str(repo), check.gather(str(repo)))
    text = (repo / '.gitignore').read_text()
    assert added
    assert text == '\n'.join(check.fix_block(added)) + '\n'
    assert check.problems(check.gather(str(repo))) == []


def test_appends_after_the_users_lines_and_is_idempotent(repo: Path) -> None:
    write(repo, '.gitignore', 'node_modules/\n.env')  # no newline at the end
    fix_gitignore(str(repo), check.gather(str(repo)))
    text = (repo / '.gitignore').read_text()
    assert text.startswith('node_modules/\n.env\n')  # the user's last line is not glued on
    assert check.BLOCK_START in text
    # `.env` is ignored already: not added again
    assert text.count('\n.env\n') == 1
    assert fix_gitignore(str(repo), check.gather(str(repo))) == []
    assert (repo / '.gitignore').read_text() == text
