"""`vastai-guard gitignore`: env files and Vast.ai key files are ignored, and none is tracked.

Also the `vastai-gitignore` pre-commit hook: the index holds what the commit will, so a
staged `.env` is found the same way as one committed long ago.
"""
from __future__ import annotations

import os

from vastai_guard import git
from vastai_guard import ignorecheck
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Problem
from vastai_guard.report.color import Terminal
from vastai_guard.report.output import emit
from vastai_guard.vocabulary import count


def fix_gitignore(root: str, facts: ignorecheck.Facts) -> list[str]:
    """Append what is missing to the root .gitignore; the lines added (none: unchanged)."""
    from vastai_guard.fileedit import appended
    from vastai_guard.fileedit import edit_user_file

    lines = ignorecheck.fix_lines(facts)
    if lines:
        block = ignorecheck.fix_block(lines)
        edit_user_file(
            os.path.join(root, ignorecheck.GITIGNORE),
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
    tree = git.work_tree()
    if tree is None:
        raise FatalError(
            'not inside a git work tree: run `vastai-guard gitignore` in a repository '
            '(a bare repository has no .gitignore to check)',
        )
    facts = ignorecheck.gather(tree.root)
    added: list[str] | None = None
    if fix:
        added = fix_gitignore(tree.root, facts)
        if added:
            facts = ignorecheck.gather(tree.root)
    problems: list[Problem] = ignorecheck.problems(facts, prefix=tree.prefix)
    if check_reuse:
        from vastai_guard import keyreuse

        files = keyreuse.env_files_on_disk(tree.root, [*facts.tracked, *facts.unignored])
        problems += keyreuse.reused_keys(tree.root, files)

    if terminal.quiet and output_format == 'text':
        report = ''.join(f'{p.path}: {p.kind}: {p.message}\n' for p in problems)  # -q: lines only
    else:
        report = _render(problems, facts, tree.prefix, output_format=output_format, added=added)
    emit(report, output_file=output_file, summary=_summary(problems))
    return EXIT_FINDINGS if problems else EXIT_CLEAN


def _render(
        problems: list[Problem],
        facts: ignorecheck.Facts,
        prefix: str,
        *,
        output_format: str,
        added: list[str] | None,
) -> str:
    if output_format in ('sarif', 'github'):
        from vastai_guard.report import results

        return results.render_for_ci(
            output_format,
            [results.from_gitignore_problem(problem) for problem in problems],
            results.gitignore_rules([problem.kind for problem in problems]),
            category='gitignore',
        )

    from vastai_guard.report import problems as report

    if output_format == 'json':
        return report.render_json(problems, added=added)
    return report.render_text(
        problems,
        added=ignorecheck.fix_block(added) if added else added,
        untrack=ignorecheck.untrack_commands(facts, prefix),
    )


def _summary(problems: list[Problem]) -> str:
    if not problems:
        return 'vastai-guard: env files and Vast.ai key files are kept out of git'
    return f'vastai-guard: {count(len(problems), "problem")} with env and key files'
