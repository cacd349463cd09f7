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
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import NamedTuple

from vastai_guard import git
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import FatalError
from vastai_guard.report.output import write_atomically

if TYPE_CHECKING:
    import yaml

CONFIG_FILE = '.pre-commit-config.yaml'
REPO_URL = 'https://github.com/vastai-guard/vastai-guard'
# The hooks every commit runs; `vastai-history` (a full history scan) is left out: it is a
# CI or manual step, not something to pay for on each commit.
HOOK_IDS = ('vastai-secrets', 'vastai-gitignore')
# Any of these in a config means vastai-guard is already set up there (maybe by hand).
_OUR_HOOK_IDS = frozenset((*HOOK_IDS, 'vastai-history'))
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version

    try:
        return version('vastai-guard')
    except PackageNotFoundError:
        raise FatalError('vastai-guard is not installed (pip install it), so its version is unknown') from None


def hooks_block(layout: Layout, rev: str, newline: str) -> str:
    item = ' ' * layout.dash
    key = ' ' * (layout.dash + layout.key)
    hook = ' ' * (layout.dash + layout.key + layout.hooks_dash)
    lines = [
        f'{item}# Vast.ai API keys (added by `vastai-guard init`)',
        f'{item}-{" " * (layout.key - 1)}repo: {REPO_URL}',
        f'{key}rev: {rev}',
        f'{key}hooks:',
        *(f'{hook}-{" " * (layout.hook_key - 1)}id: {hook_id}' for hook_id in HOOK_IDS),
    ]
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


def add_hooks(text: str | None, *, rev: str, path: str = CONFIG_FILE) -> Edit:
    """`text` (None: no file yet) with the vastai-guard hooks added, as text."""
    import yaml

    default = Layout(dash=0, key=4, hooks_dash=0, hook_key=4)
    if text is None:
        return Edit('repos:\n' + hooks_block(default, rev, '\n'), 'created')

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
            default._replace(dash=column), rev, newline,
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
        block = hooks_block(_layout(repos_key, repos), rev, newline)
        # After the last repos item's own text; at the end of the file when repos is the
        # last setting, so trailing comments stay above the new item as they were.
        at = len(lines) if index == len(entries) - 1 else _past_item_comments(
            lines, _line_after(repos), _layout(repos_key, repos).dash,
        )
        new_text = ''.join(lines[:at]) + block + ''.join(lines[at:])

    expected = {**(data or {}), 'repos': [*(repos_data or []), _entry(rev)]}
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


def _entry(rev: str) -> dict[str, object]:
    return {'repo': REPO_URL, 'rev': rev, 'hooks': [{'id': hook_id} for hook_id in HOOK_IDS]}


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


def _read(path: str) -> str | None:
    from vastai_guard.safefile import read_regular
    from vastai_guard.yamlcheck import MAX_BYTES

    try:
        return read_regular(path, max_bytes=MAX_BYTES).decode('utf-8')
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise FatalError(f'{path}: cannot read: not UTF-8 ({error.reason})') from None
    except OSError as error:
        raise FatalError(f'cannot read {error}') from None


def init() -> int:
    tree = git.work_tree()
    if tree is None:
        raise FatalError('not inside a git repository: `git init` first, or run it in one')
    pre_commit = _pre_commit()  # before any change: a missing pre-commit changes nothing
    path = os.path.join(tree.root, CONFIG_FILE)
    text = _read(path)
    edit = add_hooks(text, rev=f'v{_version()}', path=CONFIG_FILE)
    hooks = ', '.join(HOOK_IDS)
    if edit.action == 'unchanged':
        print(f'vastai-guard: {CONFIG_FILE} already has the vastai-guard hooks; left unchanged')
    else:
        write_atomically(path, edit.text)
        done = 'created' if edit.action == 'created' else 'added the hooks to'
        print(f'vastai-guard: {done} {CONFIG_FILE} ({hooks})')
    sys.stdout.flush()  # our lines before pre-commit's, which writes to the same terminal
    result = subprocess.run((*pre_commit, 'install'), cwd=tree.root, check=False)
    if result.returncode != 0:
        raise FatalError(
            f'`pre-commit install` failed (exit {result.returncode}); fix what it said above '
            'and run `vastai-guard init` again',
        )
    print('vastai-guard: done; to check every tracked file now: pre-commit run --all-files')
    return EXIT_CLEAN
