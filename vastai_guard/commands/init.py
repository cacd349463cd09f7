"""`vastai-guard init`: the vastai-guard hooks in .pre-commit-config.yaml, installed, in one step.

The config belongs to the user: every existing line and comment stays as it is. The hooks are
added as text (a list item indented like the file's own items), never by re-dumping the YAML,
which would drop comments and reflow the file. Running it again changes nothing.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import NamedTuple

from vastai_guard import git
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import FatalError
from vastai_guard.vocabulary import PROJECT_URL
from vastai_guard.vocabulary import tool_version

if TYPE_CHECKING:
    import yaml

CONFIG_FILE = '.pre-commit-config.yaml'
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
    },
    'vastai-gitignore': {
        'name': '.env and Vast.ai key files are git-ignored',
        'entry': 'vastai-guard gitignore',
        'language': 'system',
        'pass_filenames': False,
        'always_run': True,
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
# What PyYAML counts as a line break, so its marks and our line numbers agree.
_LINE = re.compile(r'[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)')


class Layout(NamedTuple):
    """Where list items start and their keys sit, in columns, copied from the file."""
    dash: int  # column of `-` for a repos item
    key: int  # offset from `-` to `repo:` (`- repo` 2, `-   repo` 4)
    hooks_dash: int  # offset from the item's keys to the `-` of a hook
    hook_key: int  # offset from that `-` to `id:`


class Edit(NamedTuple):
    text: str
    action: str  # 'created' | 'added' | 'unchanged'


def _yaml_value(value: object) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return f'[{", ".join(str(item) for item in value)}]'
    return str(value)


def hooks_block(
        layout: Layout,
        rev: str | None,
        newline: str,
        repo: str = REPO_URL,
        hook_ids: Sequence[str] = HOOK_IDS,
) -> str:
    """The entry's lines; `repo` LOCAL (`rev` None) writes the hooks out in full."""
    item = ' ' * layout.dash
    key = ' ' * (layout.dash + layout.key)
    hook = ' ' * (layout.dash + layout.key + layout.hooks_dash)
    hook_field = hook + ' ' * layout.hook_key
    lines = [
        f'{item}# Vast.ai API keys (added by `vastai-guard init`)',
        f'{item}-{" " * (layout.key - 1)}repo: {repo}',
        *([f'{key}rev: {rev}'] if rev is not None else []),
        f'{key}hooks:',
    ]
    for hook_id in hook_ids:
        lines.append(f'{hook}-{" " * (layout.hook_key - 1)}id: {hook_id}')
        if repo == LOCAL:
            lines.extend(
                f'{hook_field}{name}: {_yaml_value(value)}'
                for name, value in LOCAL_HOOKS[hook_id].items()
            )
    return newline.join(lines) + newline


def _where(path: str, mark: yaml.Mark | None) -> str:
    return f'{path}:{mark.line + 1}' if mark is not None else path


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


def _scalars(node: yaml.Node) -> Iterator[yaml.Node]:
    if not isinstance(node.value, list):
        yield node
        return
    for child in node.value:
        for part in child if isinstance(child, tuple) else (child,):
            yield from _scalars(part)


def _line_after(node: yaml.Node) -> int:
    """The index of the first line after the text of `node` (comments after it not counted).

    A collection's own end mark runs on past trailing comments to the next token; the
    scalars inside it end where their text ends.
    """
    end = max((n.end_mark for n in _scalars(node)), key=lambda m: (m.line, m.column))
    return end.line if end.column == 0 else end.line + 1


def _past_item_comments(lines: list[str], at: int, dash: int) -> int:
    """Past comments indented under the last item (a commented-out hook belongs to it)."""
    for index in range(at, len(lines)):
        stripped = lines[index].strip()
        if not stripped:
            continue
        indent = len(lines[index]) - len(lines[index].lstrip(' '))
        if not stripped.startswith('#') or indent <= dash:
            break
        at = index + 1
    return at


def _layout(repos_key: yaml.Node, repos: yaml.Node | None) -> Layout:
    import yaml

    # pre-commit's own style (`pre-commit sample-config`) when the file shows none
    dash = repos_key.start_mark.column
    layout = Layout(dash=dash, key=4, hooks_dash=0, hook_key=4)
    if not isinstance(repos, yaml.SequenceNode) or not repos.value:
        return layout
    dash = repos.start_mark.column
    first = repos.value[0]
    key = max(first.start_mark.column - dash, 2)
    layout = Layout(dash=dash, key=key, hooks_dash=dash - repos_key.start_mark.column, hook_key=key)
    for item in repos.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        for item_key, value in item.value:
            if (
                    item_key.value == 'hooks'
                    and isinstance(value, yaml.SequenceNode)
                    and not value.flow_style
                    and value.value
            ):
                return layout._replace(
                    hooks_dash=value.start_mark.column - item.start_mark.column,
                    hook_key=max(value.value[0].start_mark.column - value.start_mark.column, 2),
                )
    return layout


def add_hooks(
        text: str | None,
        *,
        rev: str | None,
        path: str = CONFIG_FILE,
        repo: str = REPO_URL,
        hook_ids: Sequence[str] = HOOK_IDS,
) -> Edit:
    """`text` (None: no file yet) with the vastai-guard hooks added, as text."""
    import yaml

    default = Layout(dash=0, key=4, hooks_dash=0, hook_key=4)
    if text is None:
        return Edit('repos:\n' + hooks_block(default, rev, '\n', repo, hook_ids), 'created')

    from vastai_guard import yamlcheck

    yamlcheck.check(text, path, FatalError)
    try:
        data = yamlcheck.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise FatalError(yamlcheck.invalid(error, text, path)) from None
    if data is not None and not isinstance(data, dict):
        raise FatalError(f'{path}: expected a mapping with a `repos:` list at the top level')
    repos_data = (data or {}).get('repos')
    if isinstance(repos_data, list) and any(_is_ours(repo) for repo in repos_data):
        return Edit(text, 'unchanged')

    newline = '\r\n' if '\r\n' in text else '\n'
    lines = _LINE.findall(text)
    if lines and lines[-1] == '':
        lines.pop()
    if lines and not lines[-1].endswith(('\n', '\r')):
        lines[-1] += newline  # the file's last line gets its end; no text changes

    entries = root.value if isinstance(root, yaml.MappingNode) else []
    if isinstance(root, yaml.MappingNode) and root.flow_style:
        raise FatalError(f'{path}: written in flow style ({{...}}); add the hooks by hand')
    found = [(i, key, value) for i, (key, value) in enumerate(entries) if key.value == 'repos']
    if not found:
        column = root.start_mark.column if isinstance(root, yaml.MappingNode) else 0
        block = ' ' * column + 'repos:' + newline + hooks_block(
            default._replace(dash=column), rev, newline, repo, hook_ids,
        )
        new_text = ''.join(lines) + block
    else:
        index, repos_key, repos = found[0]
        if isinstance(repos, yaml.ScalarNode) and repos.value == '' and repos.style is None:
            pass  # `repos:` with nothing under it yet
        elif not isinstance(repos, yaml.SequenceNode):
            raise FatalError(f'{_where(path, repos.start_mark)}: `repos:` is not a list')
        elif repos.flow_style:
            raise FatalError(
                f'{_where(path, repos.start_mark)}: `repos:` is written in flow style ([...]); '
                'write it as a block list, or add the vastai-guard hooks by hand',
            )
        block = hooks_block(_layout(repos_key, repos), rev, newline, repo, hook_ids)
        # After the last repos item's own text; at the end of the file when repos is the
        # last setting, so trailing comments stay above the new item as they were.
        at = len(lines) if index == len(entries) - 1 else _past_item_comments(
            lines, _line_after(repos), _layout(repos_key, repos).dash,
        )
        new_text = ''.join(lines[:at]) + block + ''.join(lines[at:])

    expected = {**(data or {}), 'repos': [*(repos_data or []), entry(repo, rev, hook_ids)]}
    try:
        added_ok = yaml.safe_load(new_text) == expected
    except yaml.YAMLError:
        added_ok = False
    if not added_ok:
        raise FatalError(
            f'{path}: cannot add the hooks to this layout safely; add the vastai-guard entry '
            'under `repos:` by hand (README: "vastai-guard init")',
        )
    return Edit(new_text, 'added')


def entry(
        repo: str, rev: str | None, hook_ids: Sequence[str] = HOOK_IDS,
) -> dict[str, object]:
    """The entry init adds, as pre-commit reads it."""
    if repo == LOCAL:
        return {
            'repo': LOCAL,
            'hooks': [{'id': hook_id, **LOCAL_HOOKS[hook_id]} for hook_id in hook_ids],
        }
    return {'repo': repo, 'rev': rev, 'hooks': [{'id': hook_id} for hook_id in hook_ids]}


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
    result = git.run(('config', 'core.hooksPath'), cwd=root)
    if result.stdout.strip():
        raise FatalError(
            '`core.hooksPath` is set, and pre-commit will not install its hook beside it: '
            '`git config --unset-all core.hooksPath` (or add the vastai-guard hooks to the '
            f'hooks in that folder), then run `vastai-guard init` again; {CONFIG_FILE} was '
            'not changed',
        )


def _decoded(data: bytes | None) -> str | None:
    try:
        return None if data is None else data.decode('utf-8')
    except UnicodeDecodeError as error:
        raise FatalError(f'{CONFIG_FILE}: cannot read: {error}') from None


def _write(
        path: str, root: str, hooks_added: Callable[[str | None], Edit],
) -> tuple[Edit, bytes | None]:
    """The hooks added to the config at `path`, under fileedit's lock: the edit, the old bytes."""
    from vastai_guard.fileedit import edit_user_file

    done: list[tuple[Edit, bytes | None]] = []

    def change(data: bytes | None) -> bytes | None:
        edit = hooks_added(_decoded(data))
        done.append((edit, data))
        return None if edit.action == 'unchanged' else edit.text.encode('utf-8')

    edit_user_file(path, change, root=root)
    return done[-1]


def _gitignore(root: str) -> None:
    """What the `vastai-gitignore` hook demands, done now: else the first commit fails on it."""
    from vastai_guard import ignorecheck
    from vastai_guard.commands.gitignore import fix_gitignore

    facts = ignorecheck.gather(root)
    added = fix_gitignore(root, facts)
    if added:
        print(f'vastai-guard: added to .gitignore (the vastai-gitignore hook demands it): '
              f'{" ".join(added)}')
        facts = ignorecheck.gather(root)
    for problem in ignorecheck.problems(facts):
        # tracked or staged env files: only the user can untrack them
        print(f'vastai-guard: warning: {problem.path}: {problem.message}', file=sys.stderr)


def init(
        *,
        repo: str | None = None,
        rev: str | None = None,
        local: bool = False,
        pre_push: bool = False,
) -> int:
    tree = git.work_tree()
    if tree is None:
        raise FatalError('not inside a git repository: `git init` first, or run it in one')
    if local and (repo is not None or rev is not None):
        raise FatalError('--local runs the installed vastai-guard: it takes no --repo or --rev')
    pre_commit = _pre_commit()  # before any change: a missing pre-commit changes nothing
    _refuse_hooks_path(tree.root)
    path = os.path.join(tree.root, CONFIG_FILE)
    hook_ids = (*HOOK_IDS, PUSH_HOOK_ID) if pre_push else HOOK_IDS

    def hooks_added(text: str | None) -> Edit:
        if local:
            return add_hooks(text, rev=None, path=CONFIG_FILE, repo=LOCAL, hook_ids=hook_ids)
        return add_hooks(
            text, rev=rev or f'v{tool_version()}', path=CONFIG_FILE, repo=repo or REPO_URL,
            hook_ids=hook_ids,
        )

    edit, before = _write(path, tree.root, hooks_added)
    hooks = ', '.join(hook_ids)
    if edit.action == 'unchanged':
        print(f'vastai-guard: {CONFIG_FILE} already has the vastai-guard hooks; left unchanged')
    else:
        done = 'created' if edit.action == 'created' else 'added the hooks to'
        print(f'vastai-guard: {done} {CONFIG_FILE} ({hooks})')
    _gitignore(tree.root)
    sys.stdout.flush()  # our lines before pre-commit's, which writes to the same terminal
    # git runs a pre-push hook only if one is installed: ask for both kinds
    kinds = ('--hook-type', 'pre-commit', '--hook-type', 'pre-push') if pre_push else ()
    result = subprocess.run((*pre_commit, 'install', *kinds), cwd=tree.root, check=False)
    if result.returncode != 0:
        if edit.action != 'unchanged':
            # a refusal not foreseen by the check above: the promise is "exit 2, config untouched"
            from vastai_guard.fileedit import undo_edit

            undo_edit(path, before=before, written=edit.text.encode('utf-8'), root=tree.root)
        raise FatalError(
            f'`pre-commit install` failed (exit {result.returncode}); fix what it said above '
            f'and run `vastai-guard init` again ({CONFIG_FILE} was left as it was)',
        )
    print('vastai-guard: done; to check every tracked file now: pre-commit run --all-files')
    return EXIT_CLEAN
