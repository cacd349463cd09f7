"""Are env files and Vast.ai key files kept out of git? Facts from git in, problems out.

git decides every ignore question (`git check-ignore`, `git ls-files`): nested .gitignore
files, .git/info/exclude, core.excludesFile and negations all count exactly as git counts
them. This module only chooses the paths to ask about and reads the answers.
"""
from __future__ import annotations

import os
import posixpath
import shlex
from collections.abc import Iterable
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.detect import filenames
from vastai_guard.errors import FatalError
from vastai_guard.files.reading import read_regular
from vastai_guard.findings import Problem
from vastai_guard.git import worktree

GITIGNORE = '.gitignore'
# a .gitignore is a few KB; one larger than this is not read for its negations
_MAX_GITIGNORE = 16 << 20
BLOCK_START = (
    '# vastai-guard: env files and Vast.ai key files stay out of git '
    '(vastai-guard gitignore --fix)'
)
BLOCK_END = '# end vastai-guard'
HISTORY_HINT = 'then rotate any Vast.ai key it held (`vastai-guard history` lists them)'
# A negation line worth probing mentions one of these (`!.env.production`, `!**/vast_api_key`).
_NEGATION_WORDS = ('env', 'vast')
_GLOB_CHARS = frozenset('*?[')


class Facts(NamedTuple):
    """What git says about the repository, gathered once and judged without git."""
    verdicts: dict[str, worktree.IgnoreMatch]  # by root-relative path
    tracked: list[str]  # secret files in the index
    added: frozenset[str]  # of those, new in the next commit
    unignored: list[str]  # secret files on disk, untracked and not ignored


def _negation_probes(root: str, gitignores: Iterable[str]) -> list[str]:
    """Paths that a `!` line in one of the repository's .gitignore files could re-include.

    The lines are only read to choose paths to ask git about; whether a negation really
    re-includes a file is git's answer.
    """
    probes: list[str] = []
    for gitignore in gitignores:
        try:
            # never open() what is not a regular file: a FIFO would block
            data = read_regular(os.path.join(root, gitignore), max_bytes=_MAX_GITIGNORE)
        except OSError:
            continue
        lines = data.decode('utf-8', 'replace').splitlines()
        folder = posixpath.dirname(gitignore)
        negations = [
            line.strip()[1:] for line in lines
            if line.strip().startswith('!') and any(w in line.lower() for w in _NEGATION_WORDS)
        ]
        if not negations:
            continue
        names = {probe for req in filenames.REQUIREMENTS for probe in req.probes
                 if not probe.startswith(filenames.PROBE_FOLDER)}
        for pattern in negations:
            literal = pattern.lstrip('/').removeprefix('**/')
            if literal and not _GLOB_CHARS & set(literal) and not literal.endswith('/'):
                names.add(literal)
        probes += sorted(posixpath.join(folder, name) for name in names)
    return probes


def _refuse_special(root: str, gitignores: Iterable[str]) -> None:
    """Exit 2 for a .gitignore that is a FIFO or a device: git reads each with a blocking
    open(), so the untracked listing and check-ignore would wait on it forever. (The index
    listing before this does not read them.)"""
    import stat

    from vastai_guard.files.reading import kind_of

    for path in gitignores:
        try:
            mode = os.stat(os.path.join(root, path)).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise FatalError(
                f'{path}: {kind_of(mode)}, not a regular file; git would wait on it forever',
            )
    # an untracked one too (git meets it while listing untracked files): found without git
    refuse_special_gitignores(root, root)


def refuse_special_gitignores(top: str, root: str, *, with_parents_to: str | None = None) -> None:
    """Exit 2 for a `.gitignore` under `top` that is a FIFO, socket or device, tracked or not,
    before any git command that walks the work tree (untracked listings) would block on it.
    `with_parents_to`: the work tree's root, whose .gitignore files between it and `top` git
    reads too."""
    import stat

    from vastai_guard.files.reading import kind_of
    from vastai_guard.files.walk import special_files_named

    special = special_files_named(top, GITIGNORE)
    if with_parents_to is not None:
        folder = os.path.realpath(top)
        stop = os.path.realpath(with_parents_to)
        while folder.startswith(stop) and folder != stop:
            folder = os.path.dirname(folder)
            try:
                mode = os.stat(os.path.join(folder, GITIGNORE)).st_mode
            except OSError:
                continue
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                special.append((os.path.join(folder, GITIGNORE), mode))
    for path, mode in special:
        shown = os.path.relpath(path, root).replace(os.sep, '/')
        raise FatalError(
            f'{shown}: {kind_of(mode)}, not a regular file; git would wait on it forever',
        )


def gather(root: str) -> Facts:
    # Two listings answer three questions (the walk for untracked files is the costly part
    # of a run, so it is done once): secret files tracked, secret files untracked and not
    # ignored, and the .gitignore files whose negations need probing.
    specs = (*filenames.PATHSPECS, '**/' + GITIGNORE)
    in_index = worktree.matching_files(specs, root=root, tracked=True)
    _refuse_special(
        root, [GITIGNORE, *(p for p in in_index if posixpath.basename(p) == GITIGNORE)],
    )
    untracked = worktree.matching_files(specs, root=root, untracked=True)
    tracked = [path for path in in_index if filenames.is_secret_file(path)]
    unignored = [path for path in untracked if filenames.is_secret_file(path)]
    gitignores = sorted(
        path for path in {*in_index, *untracked} if posixpath.basename(path) == GITIGNORE
    )
    added = frozenset(worktree.staged_additions(root=root)) if tracked else frozenset()
    asked = dict.fromkeys([
        *(probe for req in filenames.REQUIREMENTS for probe in req.probes),
        *filenames.TEMPLATE_PROBES,
        *_negation_probes(root, gitignores),
        *tracked,
        *unignored,
    ])
    verdicts = {match.path: match for match in worktree.check_ignore(list(asked), root=root)}
    return Facts(verdicts=verdicts, tracked=tracked, added=added, unignored=unignored)


def _in_repository(source: str) -> bool:
    """A pattern from a .gitignore in the work tree, which every clone has; .git/info/exclude
    and core.excludesFile belong to this clone or this machine only."""
    parts = source.split('/')
    return not os.path.isabs(source) and parts[-1] == GITIGNORE and '.git' not in parts


def _ignored_by_repository(verdict: worktree.IgnoreMatch) -> bool:
    return verdict.ignored and _in_repository(verdict.source)


def _code(text: str) -> str:
    return f'`{text}`'


def _missing_message(req: filenames.Requirement, facts: Facts) -> str:
    failing = [p for p in req.probes if not _ignored_by_repository(facts.verdicts[p])]
    at_root = [p for p in failing if not p.startswith(filenames.PROBE_FOLDER)]
    local = [p for p in at_root if facts.verdicts[p].ignored]
    unignored = [p for p in at_root if not facts.verdicts[p].ignored]
    parts: list[str] = []
    if unignored:
        parts.append(f'{", ".join(unignored)} {"is" if len(unignored) == 1 else "are"} not ignored')
    for path in local:
        parts.append(
            f'{path} is ignored only by {facts.verdicts[path].source}, '
            'which other clones do not have',
        )
    if not at_root:
        anchored = facts.verdicts[req.probes[0]]
        parts.append(
            f'{req.pattern} is ignored at the repository root only (by {_code(anchored.pattern)} '
            f'in {anchored.source}), not in subfolders',
        )
    fix = ', '.join(_code(line) for line in req.fix)
    return f'{"; ".join(parts)}. `vastai-guard gitignore --fix` adds {fix} to .gitignore.'


def _what(path: str) -> str:
    return 'a Vast.ai key file' if filenames.is_key_file(path) else 'an env file'


def _relative_command(path: str, prefix: str) -> str:
    """`git rm --cached` for `path`, as typed in the folder the user ran us from."""
    shown = posixpath.relpath(path, prefix.rstrip('/')) if prefix else path
    return f'git rm --cached -- {shlex.quote(shown)}'


def untrack_commands(facts: Facts, prefix: str) -> list[str]:
    return [_relative_command(path, prefix) for path in facts.tracked]


def _tracked_problems(facts: Facts, prefix: str) -> Iterable[Problem]:
    for path in facts.tracked:
        command = _code(_relative_command(path, prefix))
        if path in facts.added:
            yield Problem(
                'staged', path,
                f'this commit adds {_what(path)}: unstage it with {command} '
                '(the file stays on disk)',
            )
        else:
            yield Problem(
                'tracked', path,
                f'{_what(path)} is tracked, so every clone has it: run {command} '
                f'(the file stays on disk) and commit, {HISTORY_HINT}',
            )


def _unignored_problems(facts: Facts) -> Iterable[Problem]:
    for path in facts.unignored:
        verdict = facts.verdicts[path]
        why = (
            f're-included by {_code(verdict.pattern)} in {verdict.source}:{verdict.line}'
            if verdict.pattern else 'no ignore pattern matches it'
        )
        yield Problem(
            'not-ignored', path,
            f'{_what(path)} is not ignored ({why}): `git add .` would commit it',
        )


def _negation_problems(facts: Facts) -> Iterable[Problem]:
    reincluded: dict[tuple[str, int, str], list[str]] = {}
    for verdict in facts.verdicts.values():
        if (verdict.pattern.startswith('!') and filenames.is_secret_file(verdict.path)
                and not verdict.path.startswith(filenames.PROBE_FOLDER)):
            reincluded.setdefault((verdict.source, verdict.line, verdict.pattern), []).append(
                verdict.path,
            )
    for (source, line, pattern), paths in sorted(reincluded.items()):
        yield Problem(
            'negation', source,
            f'line {line} {_code(pattern)} re-includes {", ".join(sorted(paths))}, '
            'so it can be committed: remove the line, or narrow it to a template '
            '(`!.env.example`)',
        )


def _missing_problems(facts: Facts) -> Iterable[Problem]:
    for req in filenames.REQUIREMENTS:
        if not all(_ignored_by_repository(facts.verdicts[probe]) for probe in req.probes):
            yield Problem('missing-pattern', req.pattern, _missing_message(req, facts))


def problems(facts: Facts, *, prefix: str = '') -> list[Problem]:
    """Every problem, the worst first: a secret file about to be committed or already in git."""
    return [
        *_tracked_problems(facts, prefix),
        *_unignored_problems(facts),
        *_negation_problems(facts),
        *_missing_problems(facts),
    ]


def fix_lines(facts: Facts) -> list[str]:
    """The .gitignore lines that make every requirement pass, in the order they must go.

    Templates the repository leaves committable today stay so: each gets a negation after
    `.env.*`.
    """
    lines: dict[str, None] = {}
    for req in filenames.REQUIREMENTS:
        if not all(_ignored_by_repository(facts.verdicts[probe]) for probe in req.probes):
            for line in req.fix:
                if line in lines:
                    continue
                lines[line] = None
                if filenames.needs_template_negations((line,)):
                    lines.update(dict.fromkeys(
                        filenames.template_negation(template)
                        for template in filenames.TEMPLATE_PROBES
                        if not _ignored_by_repository(facts.verdicts[template])
                    ))
    return list(lines)


def fix_block(lines: Sequence[str]) -> list[str]:
    return [BLOCK_START, *lines, BLOCK_END] if lines else []
