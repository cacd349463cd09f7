"""One item appended to a top-level block list of a YAML file, as text (`init`, the ledger).

The files are the user's: comments, order, quoting and line endings are theirs. So the item is
added by inserting lines, never by re-dumping the YAML: indented like the file's own items,
after the list's last item, in the file's line ending. Then the result is parsed again and must
read as the old data plus exactly that item, or nothing is returned: YAML anchors, aliases and
merge keys can make text and data disagree (lines added to an anchored list change every alias
of it), and so can a layout the edit did not foresee.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from typing import NamedTuple

if TYPE_CHECKING:
    import yaml

# What PyYAML counts as a line break, so its marks and our line numbers agree.
_LINE = re.compile(r'[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)')
_BREAKS = '\r\n\x85\u2028\u2029'


class Layout(NamedTuple):
    """How a block list is indented, in columns: the file's own where it shows one."""
    dash: int  # from the list's key to its `-` (`key:\n- a` 0, `key:\n  - a` 2)
    key: int  # from `-` to the item's keys (`- repo` 2, `-   repo` 4)
    nested_dash: int  # from the item's keys to the `-` of a list inside the item
    nested_key: int  # from that `-` to its keys


def load(text: str, key: str, *, path: str, error: type[Exception]) -> dict[object, object]:
    """The mapping `text` holds (empty for an empty file), or `error` with one line.

    Bounded first (yamlcheck: size, depth, alias expansion), then loaded safely.
    """
    import yaml

    from vastai_guard.files import yamlcheck

    yamlcheck.check(text, path, error)
    try:
        data = yamlcheck.safe_load(text)
    except yaml.YAMLError as problem:
        raise error(yamlcheck.invalid(problem, text, path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f'{path}: expected a mapping with a `{key}:` list at the top level')
    return data


def _reads_plain(text: str, *, flow: bool) -> bool:
    """Whether `text` written unquoted reads back as that same string (not a number, a date,
    a comment, a mapping...): asked of PyYAML rather than re-implementing its resolvers."""
    import yaml

    from vastai_guard.files.yamlcheck import safe_load

    if not text or text != text.strip() or not text.isprintable():
        return False
    try:  # a tag (`!!int x`) fails in a constructor: a YAMLError from safe_load too
        if flow:
            return bool(safe_load(f'[{text}]') == [text])
        return bool(safe_load(f'k: {text}') == {'k': text})
    except yaml.YAMLError:
        return False


def _escaped(char: str) -> str:
    if char in '"\\':
        return '\\' + char
    if char.isprintable():
        return char
    code = ord(char)
    # not json.dumps: it writes a character past U+FFFF as two surrogates, read back as two
    return f'\\x{code:02x}' if code <= 0xFF else (
        f'\\u{code:04x}' if code <= 0xFFFF else f'\\U{code:08x}'
    )


def _string(text: str, *, flow: bool = False) -> str:
    if _reads_plain(text, flow=flow):
        return text
    if text.isprintable():  # no line breaks or control characters: nothing to escape
        return "'" + text.replace("'", "''") + "'"
    # double-quoted, everything but printable characters escaped: any text reads back
    return '"' + ''.join(_escaped(char) for char in text) + '"'


def _scalar(value: object, *, flow: bool = False) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return 'null'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value, flow=flow)
    if isinstance(value, list):
        return f'[{", ".join(_scalar(item, flow=True) for item in value)}]'
    raise TypeError(f'cannot write a {type(value).__name__} as a YAML scalar')


def render(item: dict[str, object], column: int, layout: Layout) -> list[str]:
    """`item` as the lines of a block list item whose `-` is at `column`.

    Strings are plain when they read back as themselves, else quoted; a list of mappings is a
    nested block list (indented as `layout` says), any other list a flow list (`[a, b]`).
    """
    keys = column + layout.key
    lines = []
    for index, (name, value) in enumerate(item.items()):
        lead = f'{" " * column}-{" " * (layout.key - 1)}' if index == 0 else ' ' * keys
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f'{lead}{_string(name)}:')
            nested = layout._replace(key=layout.nested_key)
            for part in value:
                lines.extend(render(part, keys + layout.nested_dash, nested))
        else:
            lines.append(f'{lead}{_string(name)}: {_scalar(value)}')
    return lines


class End(NamedTuple):
    offset: int
    line: int
    column: int


def _value_ends(text: str) -> list[End]:
    """Where the text of each top-level value ends: its last scalar, alias or flow bracket.

    A block collection's own end mark runs on past the comments after it, to the next token;
    an alias (`- *entry`) is the alias's text here, not the text of what it refers to.
    """
    import yaml

    ends: list[End] = []
    flows: list[bool] = []  # the open collections: flow style or not
    nodes = 0  # complete nodes directly in the root mapping: keys and values alternate

    def reached(event: yaml.Event) -> None:
        mark = event.end_mark
        if nodes % 2 and mark is not None:  # inside a value
            del ends[nodes // 2:]
            ends.append(End(mark.index, mark.line, mark.column))

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            flows.append(bool(event.flow_style))
        elif isinstance(event, yaml.CollectionEndEvent):
            flow = flows.pop()
            if flows and flow:
                reached(event)
            if len(flows) == 1:
                nodes += 1
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)) and flows:
            reached(event)
            if len(flows) == 1:
                nodes += 1
    return ends


def _dash_column(text: str, node: yaml.Node) -> int | None:
    """The column of the `-` before the list item `node`, if only blanks stand between."""
    at = node.start_mark.index - 1
    while at >= 0 and text[at] in _BREAKS + ' \t':
        at -= 1
    if at < 0 or text[at] != '-':
        return None
    # back to the line's start one character at a time: an rfind of a break the file never
    # uses would read the whole text before it
    start = at
    while start > 0 and text[start - 1] not in _BREAKS:
        start -= 1
    return at - start


def _keys_column(node: yaml.Node) -> int:
    """The column of a list item's keys (of the item itself when it is not a mapping)."""
    import yaml

    if isinstance(node, yaml.MappingNode) and node.value:
        return int(node.value[0][0].start_mark.column)
    return int(node.start_mark.column)


def _list_layout(
        text: str, key_column: int, items: list[yaml.Node], span: tuple[int, int],
) -> Layout | None:
    """The layout of a block list with `items`, from those whose text is in `span` (an alias
    elsewhere in the file says nothing of this list's indentation)."""
    import yaml

    own = [item for item in items if span[0] <= item.start_mark.index <= span[1]]
    for item in reversed(own):  # the last item first: nearest to where the new one goes
        dash = _dash_column(text, item)
        if dash is None:
            continue
        keys = _keys_column(item)
        layout = Layout(
            dash=dash - key_column, key=max(keys - dash, 2),
            nested_dash=dash - key_column, nested_key=max(keys - dash, 2),
        )
        for candidate in reversed(own):
            if not isinstance(candidate, yaml.MappingNode):
                continue
            for _, value in candidate.value:
                if not isinstance(value, yaml.SequenceNode) or value.flow_style or not value.value:
                    continue
                first = value.value[0]
                nested = _dash_column(text, first)
                if nested is not None and span[0] <= first.start_mark.index <= span[1]:
                    return layout._replace(
                        nested_dash=nested - _keys_column(candidate),
                        nested_key=max(_keys_column(first) - nested, 2),
                    )
        return layout
    return None


def _file_layout(
        text: str, entries: list[tuple[yaml.Node, yaml.Node]], ends: list[End],
        index: int | None, default: Layout,
) -> Layout:
    """The target list's own layout; else that of another top-level block list; else `default`.

    Another list shows the file's habit for `-` and keys; lists inside items follow it too.
    """
    import yaml

    order = [index] if index is not None else []
    order.extend(i for i in range(len(entries)) if i != index)
    for i in order:
        key, value = entries[i]
        if isinstance(value, yaml.SequenceNode) and not value.flow_style and i < len(ends):
            span = (key.start_mark.index, ends[i].offset)
            found = _list_layout(text, key.start_mark.column, value.value, span)
            if found is not None:
                if i != index:
                    found = found._replace(nested_dash=found.dash, nested_key=found.key)
                return found
    return default


def _line_after(end: End) -> int:
    """The index of the first line after the text that ends at `end`."""
    return end.line if end.column == 0 else end.line + 1


def _past_item_comments(lines: list[str], at: int, column: int) -> int:
    """Past comments indented deeper than `column` (a commented-out hook belongs to its item)."""
    for index in range(at, len(lines)):
        stripped = lines[index].strip()
        if not stripped:
            continue
        indent = len(lines[index]) - len(lines[index].lstrip(' '))
        if not stripped.startswith('#') or indent <= column:
            break
        at = index + 1
    return at


def _where(path: str, node: yaml.Node) -> str:
    return f'{path}:{node.start_mark.line + 1}'


def _digest(value: object, memo: dict[int, bytes]) -> bytes:
    """A digest of a loaded YAML value, each shared object (an alias) digested once.

    Plain `==` walks an alias bomb's every path (billions of them); this walks each node once.
    A node met again while it is being digested is a cycle (`&a [*a]`): digested as such.
    """
    import hashlib

    key = id(value)
    if key in memo:
        return memo[key]
    memo[key] = b'cycle'
    parts: list[bytes]
    if isinstance(value, dict):
        parts = sorted(_digest(k, memo) + _digest(v, memo) for k, v in value.items())
    elif isinstance(value, list):
        parts = [_digest(item, memo) for item in value]
    else:
        parts = [repr(value).encode('utf-8', 'surrogatepass')]
    memo[key] = hashlib.sha256(type(value).__name__.encode() + b''.join(parts)).digest()
    return memo[key]


def _only_added(old: dict[object, object], new_text: str, key: str, item: object) -> bool:
    """Whether `new_text` reads as `old` plus `item` at the end of its `key` list."""
    import yaml

    from vastai_guard.files import yamlcheck

    try:
        new = yamlcheck.safe_load(new_text)
    except (yaml.YAMLError, RecursionError):
        return False
    if not isinstance(new, dict) or set(new) != {*old, key}:
        return False
    memo: dict[int, bytes] = {}
    if any(_digest(old[name], memo) != _digest(new[name], memo) for name in old if name != key):
        return False
    before, after = old.get(key) or [], new[key]
    return (
        isinstance(before, list)
        and isinstance(after, list)
        and len(after) == len(before) + 1
        and all(
            _digest(a, memo) == _digest(b, memo)
            for a, b in zip(before, after[:-1], strict=True)
        )
        and _digest(after[-1], memo) == _digest(item, memo)
    )


def append_item(
        text: str,
        key: str,
        item: dict[str, object],
        *,
        path: str,
        error: type[Exception],
        default: Layout,
        comment: str | None = None,
        what: str = 'the entry',
) -> str:
    """`text` with `item` appended to the top-level block list `key` (created when missing).

    Every other byte stays; a last line without a newline gets one. `default` is the layout
    when the file shows none; `comment` a line put above the item. Anything that cannot be
    edited so (flow style, `key` not a list, a result that reads differently) raises `error`
    with one line naming `path` and `what`.
    """
    import yaml

    from vastai_guard.files.writing import newline_of

    old = load(text, key, path=path, error=error)
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # loaded above: composes too
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise error(f'{path}: expected a mapping with a `{key}:` list at the top level')
    if root is not None and root.flow_style:
        raise error(f'{path}: written in flow style ({{...}}); add {what} by hand')
    entries: list[tuple[yaml.Node, yaml.Node]] = root.value if root is not None else []
    found = [
        i for i, (name, _) in enumerate(entries)
        if isinstance(name, yaml.ScalarNode) and name.value == key
    ]
    index = found[-1] if found else None  # a repeated key: the last one is what is read
    if index is not None:
        value = entries[index][1]
        empty = (
            isinstance(value, yaml.ScalarNode) and value.value == '' and value.style is None
            and old.get(key) is None
        )
        if not empty and not isinstance(value, yaml.SequenceNode):
            raise error(f'{_where(path, value)}: `{key}:` is not a list; add {what} by hand')
        if isinstance(value, yaml.SequenceNode) and value.flow_style:
            raise error(
                f'{_where(path, value)}: `{key}:` is written in flow style ([...]); write it as '
                f'a block list (one `- ` item per line), or add {what} by hand',
            )

    newline = newline_of(text.encode('utf-8', 'surrogatepass')).decode()
    lines = _LINE.findall(text)
    if lines and lines[-1] == '':
        lines.pop()
    if lines and not lines[-1].endswith(('\n', '\r', '\x85', '\u2028', '\u2029')):
        lines[-1] += newline  # the file's last line gets its end; no text changes
    ends = _value_ends(text)
    layout = _file_layout(text, entries, ends, index, default)
    if index is None:
        column = root.start_mark.column if root is not None else 0
        head = [' ' * column + f'{_string(key)}:']
        at = len(lines)
    else:
        column = entries[index][0].start_mark.column
        head = []
        # After the last item's own text and the comments indented under it; at the end of
        # the file when the list is the last setting, so trailing comments stay above it.
        at = len(lines) if index == len(entries) - 1 else _past_item_comments(
            lines, _line_after(ends[index]), column + layout.dash,
        )
    dash = column + layout.dash
    block = [*head, *([' ' * dash + comment] if comment else []), *render(item, dash, layout)]
    new_text = ''.join(lines[:at]) + ''.join(line + newline for line in block) + ''.join(
        lines[at:],
    )
    if not _only_added(old, new_text, key, item):
        raise error(
            f'{path}: adding {what} as text would change other settings or entries (YAML '
            'anchors, aliases or merge keys?): nothing written; add it by hand',
        )
    return new_text


def _text_end(node: yaml.Node) -> End:
    """Where the text of `node` ends: its last scalar, or the bracket closing a flow
    collection (a block collection's own end mark runs on past the comments after it)."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or (
            isinstance(node, yaml.CollectionNode) and node.flow_style
    ):
        mark = node.end_mark
        return End(mark.index, mark.line, mark.column)
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    ends = [_text_end(child) for child in children]
    if not ends:
        mark = node.start_mark
        return End(mark.index, mark.line, mark.column)
    return max(ends)


def append_nested_item(
        text: str,
        key: str,
        index: int,
        inner: str,
        item: dict[str, object],
        *,
        path: str,
        error: type[Exception],
        what: str = 'the entry',
) -> str:
    """`text` with `item` appended to the block list `inner` of the `index`th item of the
    top-level list `key` (`repos[index].hooks`), indented like that list's own items.

    Every other byte stays. Anchors and aliases, a flow-style or empty `inner` list, or a
    result that reads as anything but the old data plus `item` there raise `error` with one
    line naming `path` and `what`, and nothing is returned.
    """
    import copy

    import yaml

    from vastai_guard.files import yamlcheck
    from vastai_guard.files.writing import newline_of

    old = load(text, key, path=path, error=error)
    events = yaml.parse(text, Loader=yaml.SafeLoader)
    if any(isinstance(event, yaml.AliasEvent) for event in events):
        raise error(f'{path}: uses YAML anchors and aliases; add {what} by hand')
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    refused = f'{path}: cannot add {what} to `{key}` item {index + 1} as text; add it by hand'
    if not isinstance(root, yaml.MappingNode):
        raise error(refused)
    lists = [
        value for name, value in root.value
        if isinstance(name, yaml.ScalarNode) and name.value == key
    ]
    if not lists or not isinstance(lists[-1], yaml.SequenceNode) or lists[-1].flow_style:
        raise error(refused)
    items = lists[-1].value
    if index >= len(items) or not isinstance(items[index], yaml.MappingNode):
        raise error(refused)
    found = [
        value for name, value in items[index].value
        if isinstance(name, yaml.ScalarNode) and name.value == inner
    ]
    target = found[-1] if found else None
    if not isinstance(target, yaml.SequenceNode) or target.flow_style or not target.value:
        raise error(
            f'{_where(path, items[index])}: `{inner}:` is not a block list with items; '
            f'add {what} by hand',
        )
    last = target.value[-1]
    dash = _dash_column(text, last)
    if dash is None:
        raise error(refused)
    keys = _keys_column(last)
    layout = Layout(dash=0, key=max(keys - dash, 2), nested_dash=0, nested_key=max(keys - dash, 2))

    newline = newline_of(text.encode('utf-8', 'surrogatepass')).decode()
    lines = _LINE.findall(text)
    if lines and lines[-1] == '':
        lines.pop()
    if lines and not lines[-1].endswith(('\n', '\r', '\x85', '\u2028', '\u2029')):
        lines[-1] += newline
    # after the last item's own text and the comments indented under it
    at = _past_item_comments(lines, _line_after(_text_end(last)), dash)
    block = render(item, dash, layout)
    new_text = ''.join(lines[:at]) + ''.join(line + newline for line in block) + ''.join(
        lines[at:],
    )
    expected = copy.deepcopy(old)
    listed = expected[key]
    assert isinstance(listed, list) and isinstance(listed[index], dict)
    hooks = listed[index][inner]
    assert isinstance(hooks, list)
    hooks.append(item)
    try:
        new = yamlcheck.safe_load(new_text)
    except (yaml.YAMLError, RecursionError):
        new = None
    if new is None or _digest(new, {}) != _digest(expected, {}):
        raise error(
            f'{path}: adding {what} as text would change other settings or entries: nothing '
            'written; add it by hand',
        )
    return new_text
