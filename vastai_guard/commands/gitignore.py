"""`vastai-guard gitignore`: env files and Vast.ai key files are ignored, and none is tracked.

Also the `vastai-gitignore` pre-commit hook: the index holds what the commit will, so a
staged `.env` is found the same way as one committed long ago.
"""
from __future__ import annotations

import os

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Problem
from vastai_guard.git import worktree
from vastai_guard.gitignore import check as ignore_check
from vastai_guard.model import GitignoreReport
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.color import Terminal
from vastai_guard.report.output import emit


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


def gitignore(
        *,
        fix: bool,
        check_reuse: bool,
        output_format: str,
        output_file: str | None = None,
        terminal: Terminal = Terminal(),
) -> int:
    tree = worktree.work_tree()
    if tree is None:
        raise FatalError(
            'not inside a git work tree: run `vastai-guard gitignore` in a repository '
            '(a bare repository has no .gitignore to check)',
        )
    facts = ignore_check.gather(tree.root)
    added: list[str] | None = None
    if fix:
        added = fix_gitignore(tree.root, facts)
        if added:
            facts = ignore_check.gather(tree.root)
    problems: list[Problem] = ignore_check.problems(facts, prefix=tree.prefix)
    if check_reuse:
        from vastai_guard.gitignore import keyreuse

        files = keyreuse.env_files_on_disk(tree.root, [*facts.tracked, *facts.unignored])
        problems += keyreuse.reused_keys(tree.root, files)

    report = GitignoreReport(
        tuple(problems),
        added=tuple(added) if added is not None else None,
        added_block=tuple(ignore_check.fix_block(added or [])),
        untrack=tuple(ignore_check.untrack_commands(facts, tree.prefix)),
    )
    emit(render(report, output_format, terminal), output_file=output_file, summary=summary(report))
    return EXIT_FINDINGS if problems else EXIT_CLEAN

