"""`vastai-guard init`: the vastai-guard hooks in .pre-commit-config.yaml, installed, in one step.

The config belongs to the user: every existing line and comment stays as it is. The hooks are
added as text (yamledit: a list item indented like the file's own items), never by re-dumping
the YAML, which would drop comments and reflow the file. Running it again changes nothing.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import FatalError
from vastai_guard.files import yamledit
from vastai_guard.git import runner
from vastai_guard.git import worktree
from vastai_guard.options import InitOptions
from vastai_guard.version import tool_version
from vastai_guard.vocabulary import PROJECT_URL

PRE_COMMIT_CONFIG = '.pre-commit-config.yaml'
REPO_URL = PROJECT_URL
LOCAL = 'local'
# The hooks every commit runs; `vastai-history` (a full history scan) is left out: it is a
# CI or manual step, not something to pay for on each commit.
HOOK_IDS = ('vastai-secrets', 'vastai-gitignore')
# Any of these in a config means vastai-guard is already set up there (maybe by hand).
# `init --pre-push` adds the push hook too (and installs git's pre-push hook)
PUSH_HOOK_ID = 'vastai-secrets-push'
_OUR_HOOK_IDS = frozenset((*HOOK_IDS, PUSH_HOOK_ID, 'vastai-history'))
# `--local`: the same hooks as .pre-commit-hooks.yaml, run by the installed `vastai-guard`
# (`language: system`), so pre-commit clones nothing and needs no network.
LOCAL_HOOKS: dict[str, dict[str, object]] = {
    'vastai-secrets': {
        'name': 'Vast.ai API keys',
        'entry': 'vastai-guard scan',
        'language': 'system',
        'types': ['file'],
        # as the manifest: the push hook, not this one, judges what a push sends
        'stages': ['pre-commit'],
    },
    'vastai-gitignore': {
        'name': '.env and Vast.ai key files are git-ignored',
        'entry': 'vastai-guard gitignore',
        'language': 'system',
        'pass_filenames': False,
        'always_run': True,
        'stages': ['pre-commit'],
    },
    PUSH_HOOK_ID: {
        'name': 'Vast.ai API keys in the commits being pushed',
        'entry': 'vastai-guard history --pre-push',
        'language': 'system',
        'pass_filenames': False,
        'always_run': True,
        'stages': ['pre-push'],
    },
}
# pre-commit's own style (`pre-commit sample-config`), for a file that shows none of its own
STYLE = yamledit.Layout(dash=0, key=4, nested_dash=0, nested_key=4)
COMMENT = '# Vast.ai API keys (added by `vastai-guard init`)'


class Edit(NamedTuple):
    """The config after adding the hooks, and what was done to it."""
    text: str
    action: str  # 'created' | 'added' | 'extended' | 'unchanged'
    # 'extended': the hook ids added to the vastai-guard entry the config already had
    hooks_added: tuple[str, ...] = ()
    # the entry the config already had, when it is not the kind asked for (--local over a
    # published-repo entry, or the other way round): what it is, for the advice
    other_kind: str = ''


def _is_ours(repo: object) -> bool:
    if not isinstance(repo, dict):
        return False
    url = str(repo.get('repo', '')).rstrip('/').removesuffix('.git').lower()
    hooks = repo.get('hooks')
    # anything may stand where a list of hooks is expected (`hooks: 5`, `- id: [a]`)
    ids = {
        hook.get('id') for hook in (hooks if isinstance(hooks, list) else [])
        if isinstance(hook, dict) and isinstance(hook.get('id'), str)
    }
    return url.endswith('/vastai-guard') or bool(ids & _OUR_HOOK_IDS)


def add_hooks(
        text: str | None,
        *,
        rev: str | None,
        path: str = PRE_COMMIT_CONFIG,
        repo: str = REPO_URL,
        hook_ids: Sequence[str] = HOOK_IDS,
) -> Edit:
    """`text` (None: no file yet) with the vastai-guard hooks added, as text (yamledit)."""
    data = yamledit.load(text or '', 'repos', path=path, error=FatalError)
    repos = data.get('repos')
    listed = repos if isinstance(repos, list) else []
    for index, existing in enumerate(listed):
        if _is_ours(existing) and isinstance(existing, dict):
            # the first one is what gets extended; the hooks it lacks, added to it
            return _extend(
                text or '', index, existing, path=path, repo=repo, hook_ids=hook_ids,
            )
    new_text = yamledit.append_item(
        text or '', 'repos', entry(repo, rev, hook_ids),
        path=path, error=FatalError, default=STYLE, comment=COMMENT,
        what='the vastai-guard hooks',
    )
    return Edit(new_text, 'created' if text is None else 'added')


def _extend(
        text: str, index: int, existing: dict[str, object], *, path: str, repo: str,
        hook_ids: Sequence[str],
) -> Edit:
    """The config's own vastai-guard entry (`repos[index]`) with the hook ids it lacks added,
    in its own kind (local: the full hook; published: the id), as text."""
    hooks = existing.get('hooks')
    have = {
        hook.get('id') for hook in (hooks if isinstance(hooks, list) else [])
        if isinstance(hook, dict)
    }
    local = existing.get('repo') == LOCAL
    other_kind = ''
    if local != (repo == LOCAL):
        other_kind = 'repo: local' if local else f'repo: {existing.get("repo")}'
    missing = [hook_id for hook_id in hook_ids if hook_id not in have]
    for hook_id in missing:
        item: dict[str, object] = (
            {'id': hook_id, **LOCAL_HOOKS[hook_id]} if local else {'id': hook_id}
        )
        text = yamledit.append_nested_item(
            text, 'repos', index, 'hooks', item, path=path, error=FatalError,
            what=f'the {hook_id} hook (`- id: {hook_id}` under the vastai-guard entry)',
        )
    return Edit(
        text, 'extended' if missing else 'unchanged', tuple(missing), other_kind,
    )


def entry(
        repo: str, rev: str | None, hook_ids: Sequence[str] = HOOK_IDS,
) -> dict[str, object]:
    """The entry init adds, as pre-commit reads it."""
    if repo == LOCAL:
        return {
            'repo': LOCAL,
            'hooks': [{'id': hook_id, **LOCAL_HOOKS[hook_id]} for hook_id in hook_ids],
        }
    return {
        'repo': repo,
        **({'rev': rev} if rev is not None else {}),
        'hooks': [{'id': hook_id} for hook_id in hook_ids],
    }


def _pre_commit() -> list[str]:
    """How to run pre-commit: the one installed with us, else the one on PATH."""
    import importlib.util
    import shutil

    if importlib.util.find_spec('pre_commit') is not None:
        return [sys.executable, '-m', 'pre_commit']
    found = shutil.which('pre-commit')
    if found is not None:
        return [found]
    raise FatalError(
        'pre-commit is not installed: `pip install pre-commit` (or `pipx install pre-commit`), '
        'then run `vastai-guard init` again',
    )


def _refuse_hooks_path(root: str) -> None:
    """pre-commit's own check, made before the config is touched (exit 2, nothing written).

    `pre-commit install` refuses while `core.hooksPath` is set; asking afterwards would leave
    a config written for hooks that never run.
    """
    if runner.config_value('core.hooksPath', cwd=root):
        raise FatalError(
            '`core.hooksPath` is set, and pre-commit will not install its hook beside it: '
            '`git config --unset-all core.hooksPath` (or add the vastai-guard hooks to the '
            f'hooks in that folder), then run `vastai-guard init` again; {PRE_COMMIT_CONFIG} was '
            'not changed',
        )


def _decoded(data: bytes | None) -> str | None:
    try:
        return None if data is None else data.decode('utf-8')
    except UnicodeDecodeError as error:
        raise FatalError(f'{PRE_COMMIT_CONFIG}: cannot read: {error}') from None


def _write(
        path: str, root: str, hooks_added: Callable[[str | None], Edit],
) -> tuple[Edit, bytes | None]:
    """The hooks added to the config at `path`, under fileedit's lock: the edit, the old bytes."""
    from vastai_guard.files.writing import edit_user_file

    done: list[tuple[Edit, bytes | None]] = []

    def change(data: bytes | None) -> bytes | None:
        edit = hooks_added(_decoded(data))
        done.append((edit, data))
        return None if edit.action == 'unchanged' else edit.text.encode('utf-8')

    edit_user_file(path, change, root=root)
    return done[-1]


def _gitignore(root: str) -> None:
    """What the `vastai-gitignore` hook demands, done now: else the first commit fails on it."""
    from vastai_guard.gitignore import check as ignore_check
    from vastai_guard.gitignore.fix import fix_gitignore

    facts = ignore_check.gather(root)
    added = fix_gitignore(root, facts)
    if added:
        print(f'vastai-guard: added to .gitignore (the vastai-gitignore hook demands it): '
              f'{" ".join(added)}')
        facts = ignore_check.gather(root)
    for problem in ignore_check.problems(facts):
        # tracked or staged env files: only the user can untrack them
        print(f'vastai-guard: warning: {problem.path}: {problem.message}', file=sys.stderr)


def _other_kind_advice(other_kind: str, *, local: bool) -> None:
    """The config has vastai-guard from elsewhere than asked: say which runs, and how to
    switch (init never removes an entry of the user's file)."""
    if local:
        print(
            f'vastai-guard: note: that entry ({other_kind}) has pre-commit build vastai-guard '
            'from that repository, not run the installed one. To run the installed one (no '
            f'network), delete that entry from {PRE_COMMIT_CONFIG} and run `vastai-guard init '
            '--local` again; to keep it, nothing more to do.',
        )
    else:
        print(
            f'vastai-guard: note: that entry ({other_kind}) runs the installed vastai-guard. '
            f'To have pre-commit install it from the published repository instead, delete '
            f'that entry from {PRE_COMMIT_CONFIG} and run `vastai-guard init` again; to keep it, '
            'nothing more to do.',
        )


def _check_rev(url: str, rev: str) -> None:
    """Refuse (exit 2, nothing written) a rev the remote says it does not have; warn when the
    remote cannot be asked. Called only when the entry is about to be added: a config that
    already has vastai-guard keeps its own rev."""
    from vastai_guard.git import remote

    answer = remote.has_rev(url, rev, cwd=os.getcwd())
    if answer.exists is False:
        raise FatalError(
            f'{url} has no tag or branch {rev!r}, so pre-commit could not install the hooks '
            f'at the first commit: pass --rev with one it has (`git ls-remote --tags {url}` '
            f'lists them), or use --local to run the installed vastai-guard; {PRE_COMMIT_CONFIG} '
            'was not changed',
        )
    if answer.exists is None:
        print(
            f'vastai-guard: warning: could not check that {url} has {rev!r} ({answer.reason}); '
            f'if it does not, the first commit fails when pre-commit fetches it. Without '
            'network, `vastai-guard init --local` runs the installed vastai-guard instead.',
            file=sys.stderr,
        )


def init(options: InitOptions) -> int:
    """Add the vastai-guard hooks to .pre-commit-config.yaml, what the gitignore hook demands to
    .gitignore, and run `pre-commit install`; 0 when done, 2 with nothing changed otherwise."""
    repo, rev, local, pre_push = options.hook_repo, options.rev, options.local, options.pre_push
    tree = worktree.work_tree()
    if tree is None:
        raise FatalError('not inside a git repository: `git init` first, or run it in one')
    if local and (repo is not None or rev is not None):
        raise FatalError('--local runs the installed vastai-guard: it takes no --repo or --rev')
    pre_commit = _pre_commit()  # before any change: a missing pre-commit changes nothing
    _refuse_hooks_path(tree.root)
    path = os.path.join(tree.root, PRE_COMMIT_CONFIG)
    hook_ids = (*HOOK_IDS, PUSH_HOOK_ID) if pre_push else HOOK_IDS

    def hooks_added(text: str | None) -> Edit:
        if local:
            return add_hooks(
                text, rev=None, path=PRE_COMMIT_CONFIG, repo=LOCAL, hook_ids=hook_ids,
            )
        url, at = repo or REPO_URL, rev or f'v{tool_version()}'
        edit = add_hooks(
            text, rev=at, path=PRE_COMMIT_CONFIG, repo=url, hook_ids=hook_ids,
        )
        if edit.action in ('created', 'added'):
            # the first commit installs the hooks at this rev: one that does not exist must
            # fail now, with nothing written (asked here: once the file is known to be safe
            # to edit, and only when the entry is new)
            _check_rev(url, at)
        return edit

    edit, before = _write(path, tree.root, hooks_added)
    hooks = ', '.join(hook_ids)
    if edit.action == 'unchanged':
        print(
            f'vastai-guard: {PRE_COMMIT_CONFIG} already has the vastai-guard hooks; '
            'left unchanged',
        )
    elif edit.action == 'extended':
        print(
            f'vastai-guard: added {", ".join(edit.hooks_added)} to the vastai-guard entry '
            f'already in {PRE_COMMIT_CONFIG}',
        )
    else:
        done = 'created' if edit.action == 'created' else 'added the hooks to'
        print(f'vastai-guard: {done} {PRE_COMMIT_CONFIG} ({hooks})')
    if edit.other_kind:
        _other_kind_advice(edit.other_kind, local=local)
    _gitignore(tree.root)
    sys.stdout.flush()  # our lines before pre-commit's, which writes to the same terminal
    # git runs a pre-push hook only if one is installed: ask for both kinds
    kinds = ('--hook-type', 'pre-commit', '--hook-type', 'pre-push') if pre_push else ()
    result = subprocess.run((*pre_commit, 'install', *kinds), cwd=tree.root, check=False)
    if result.returncode != 0:
        if edit.action != 'unchanged':
            # a refusal not foreseen by the check above: the promise is "exit 2, config untouched"
            from vastai_guard.files.writing import undo_edit

            undo_edit(path, before=before, written=edit.text.encode('utf-8'), root=tree.root)
        raise FatalError(
            f'`pre-commit install` failed (exit {result.returncode}); fix what it said above '
            f'and run `vastai-guard init` again ({PRE_COMMIT_CONFIG} was left as it was)',
        )
    print('vastai-guard: done; to check every tracked file now: pre-commit run --all-files')
    return EXIT_CLEAN
