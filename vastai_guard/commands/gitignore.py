"""`vastai-guard gitignore`: env files and Vast.ai key files are ignored, and none is tracked.

Also the `vastai-gitignore` pre-commit hook: the index holds what the commit will, so a
staged `.env` is found the same way as one committed long ago.
"""
from __future__ import annotations

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Problem
from vastai_guard.git import worktree
from vastai_guard.gitignore import check as ignore_check
from vastai_guard.gitignore.fix import fix_gitignore
from vastai_guard.model import GitignoreReport
from vastai_guard.options import GitignoreOptions
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.output import emit


def gitignore(options: GitignoreOptions) -> int:
    """Check that env files and key files are ignored and untracked (with `fix`, append what is
    missing to .gitignore first); 1 when a problem remains."""
    tree = worktree.work_tree()
    if tree is None:
        raise FatalError(
            'not inside a git work tree: run `vastai-guard gitignore` in a repository '
            '(a bare repository has no .gitignore to check)',
        )
    facts = ignore_check.gather(tree.root)
    added: list[str] | None = None
    if options.fix:
        added = fix_gitignore(tree.root, facts)
        if added:
            facts = ignore_check.gather(tree.root)
    problems: list[Problem] = ignore_check.problems(facts, prefix=tree.prefix)
    if options.check_reuse:
        from vastai_guard.gitignore import keyreuse

        files = keyreuse.env_files_on_disk(tree.root, [*facts.tracked, *facts.unignored])
        problems += keyreuse.reused_keys(tree.root, files)

    report = GitignoreReport(
        tuple(problems),
        added=tuple(added) if added is not None else None,
        added_block=tuple(ignore_check.fix_block(added or [])),
        untrack=tuple(ignore_check.untrack_commands(facts, tree.prefix)),
    )
    emit(
        render(report, options.output_format, options.terminal),
        output_file=options.output_file, summary=summary(report),
    )
    return EXIT_FINDINGS if problems else EXIT_CLEAN
