"""Refuse YAML that would cost more to load than any real config: before anything is composed.

PyYAML's parser streams events without recursion; its composer and constructor recurse once per
nesting level and expand nothing, but everything that walks the result afterwards (comparing,
hashing, our own checks) follows each alias again: ten levels of ten aliases ("billion laughs")
is a few hundred bytes of text and 10**10 nodes to walk. Walking the events once, counting what
each anchor stands for, bounds both before any of that starts. Anchors themselves stay allowed:
a config that shares one list twice is fine.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    import yaml

# Far beyond any real .vastai-guard.yaml or .pre-commit-config.yaml, far below what hurts.
MAX_BYTES = 1 << 20
# .vastai-guard.yaml also holds the rotation ledger, which `rotated` grows by ~100 bytes an
# entry: 16 MiB is some 150,000 rotations, and parses in ~6 s with libyaml. `rotated` never
# writes a ledger past it (ledger.record_rotation), so no command is ever locked out by one.
MAX_CONFIG_BYTES = 16 << 20
MAX_DEPTH = 64
MAX_NODES = 100_000


class _Open:
    """A collection being parsed: what it expands to so far."""

    def __init__(self, anchor: str | None) -> None:
        self.anchor = anchor
        self.nodes = 1
        self.depth = 1


def loader() -> type[yaml.SafeLoader]:
    """libyaml's safe loader when PyYAML has it (ten times faster on a long ledger), else
    PyYAML's own: the same events and nodes, with marks, either way."""
    import yaml

    return getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def check(text: str, path: str, error: type[Exception], *, max_bytes: int = MAX_BYTES) -> None:
    """Raise `error` (one line naming `path` and the line) when `text` is too big, too deep or
    expands too far through aliases. YAML syntax errors are left for the loader to report.

    The values bound counts what aliases add beyond the values written out: a long ledger is
    bounded by its size, an alias bomb by what it expands to."""
    import yaml

    if len(text) > max_bytes:
        raise error(f'{path}: larger than {max_bytes // 1024} KiB; not read')
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (expanded nodes, expanded depth)
    stack: list[_Open] = []
    total = 0
    written = 0

    def add(nodes: int, depth: int, event: yaml.Event) -> None:
        nonlocal total
        total += nodes
        too_deep = len(stack) + depth > MAX_DEPTH
        if too_deep or total - written > MAX_NODES:
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            problem = (
                f'nested more than {MAX_DEPTH} levels deep' if too_deep
                else f'more than {MAX_NODES} values once aliases are expanded'
            )
            raise error(f'{path}:{line}: {problem}; not read')
        if stack:
            stack[-1].nodes += nodes
            stack[-1].depth = max(stack[-1].depth, depth + 1)

    try:
        for event in yaml.parse(text, Loader=loader()):
            if isinstance(event, yaml.AliasEvent):
                add(*anchors.get(str(event.anchor), (1, 1)), event)
            elif isinstance(event, yaml.ScalarEvent):
                written += 1
                add(1, 1, event)
                if event.anchor is not None:
                    anchors[event.anchor] = (1, 1)
            elif isinstance(event, yaml.CollectionStartEvent):
                add(0, 1, event)  # checks the depth it opens at
                stack.append(_Open(event.anchor))
                total += 1
                written += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                if done.anchor is not None:
                    anchors[done.anchor] = (done.nodes, done.depth)
                if stack:
                    # its nodes are in `total` already: only the parent's tallies grow
                    stack[-1].nodes += done.nodes
                    stack[-1].depth = max(stack[-1].depth, done.depth + 1)
    except yaml.YAMLError as problem:
        # libyaml stops at its own nesting bound before ours is reached: the same refusal
        if 'nesting depth' in str(getattr(problem, 'problem', '')):
            mark = getattr(problem, 'problem_mark', None)
            line = mark.line + 1 if mark is not None else 0
            raise error(f'{path}:{line}: nested more than {MAX_DEPTH} levels deep; not read') \
                from None
        return  # the loader reports it, with its line


def invalid(error: Exception, text: str, path: str) -> str:
    """One line for a PyYAML error: `path:line: invalid YAML: problem`.

    A reader error (a control character, bad UTF-8) has no mark and a two-line message; the
    others have a mark and a short `problem`.
    """
    mark = getattr(error, 'problem_mark', None)
    position = getattr(error, 'position', None)
    if mark is not None:
        where = f'{path}:{mark.line + 1}'
    elif isinstance(position, int):
        where = f'{path}:{text.count(chr(10), 0, position) + 1}'
    else:
        where = path
    problem = getattr(error, 'problem', None) or str(error).split('\n', 1)[0]
    return f'{where}: invalid YAML: {problem[:200]}'


def safe_load(text: str) -> object:
    """yaml.safe_load, with a bad tagged value (`!!int abc`, `!!timestamp abc`) as a
    ConstructorError at its line: SafeLoader's constructors raise ValueError and friends,
    which carry no line and are not YAMLErrors."""
    import yaml

    return yaml.load(text, Loader=_loader())


@functools.lru_cache(maxsize=None)
def _loader() -> type[yaml.SafeLoader]:
    import yaml

    class Loader(loader()):  # type: ignore[misc]
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, AttributeError, OverflowError, LookupError):
                tag = str(node.tag).replace('tag:yaml.org,2002:', '!!')
                raise yaml.constructor.ConstructorError(
                    None, None, f'not a valid {tag} value', node.start_mark,
                ) from None

    return Loader
