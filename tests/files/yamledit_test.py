"""yamledit: one item appended to a top-level block list, as text (`init` and the ledger)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given

from testing.properties import CONFIG_TOKENS
from testing.properties import YAML_TOKENS
from testing.properties import examples
from testing.properties import is_subsequence
from testing.properties import texts
from testing.properties import timed
from vastai_guard.commands.init import add_hooks
from vastai_guard.files import yamledit
from vastai_guard.findings import Rotation
from vastai_guard.policy import ledger
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.ledger import record_rotation

ITEM: dict[str, object] = {'name': 'new', 'tags': ['a', 'b'], 'steps': [{'id': 'one'}]}
PRE_COMMIT_STYLE = yamledit.Layout(dash=0, key=4, nested_dash=0, nested_key=4)


class EditError(Exception):
    """The caller's own error type: what append_item must raise."""


def _append(text: str, item: dict[str, object] = ITEM, **options: object) -> str:
    kwargs: dict[str, object] = {
        'path': 'f.yaml', 'error': EditError, 'default': PRE_COMMIT_STYLE, **options,
    }
    return yamledit.append_item(text, 'items', item, **kwargs)  # type: ignore[arg-type]


def _added(before: str, after: str) -> str:
    """The lines `after` has that `before` lacks, checking that nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), len(old))
    end = start + len(new) - len(old)
    assert new[:start] + new[end:] == old, (before, after)
    return ''.join(new[start:end])


def _reads_as_old_plus_item(before: str, after: str) -> None:
    old = yaml.safe_load(before) or {}
    assert yaml.safe_load(after) == {**old, 'items': [*(old.get('items') or []), ITEM]}


@pytest.mark.parametrize(
    ('before', 'added'),
    (
        pytest.param(
            'items:\n- name: a\n  steps:\n  - id: x\n',
            '- name: new\n  tags: [a, b]\n  steps:\n  - id: one\n',
            id='dash-at-the-key-column',
        ),
        pytest.param(
            'items:\n-   name: a\n    steps:\n    -   id: x\n',
            '-   name: new\n    tags: [a, b]\n    steps:\n    -   id: one\n',
            id='pre-commit-style',
        ),
        pytest.param(
            'items:\n  - name: a\n    steps:\n      - id: x\n',
            '  - name: new\n    tags: [a, b]\n    steps:\n      - id: one\n',
            id='indented-list',
        ),
        pytest.param(
            'items:\n    -  name: a\n',
            # a list inside the item is indented under its key as this list is under `items:`
            '    -  name: new\n       tags: [a, b]\n       steps:\n           -  id: one\n',
            id='odd-but-consistent-no-nested-list-to-copy',
        ),
        pytest.param(
            'items:\n  - &a\n    name: a\n  -\n    name: b\n',
            '  - name: new\n    tags: [a, b]\n    steps:\n      - id: one\n',
            id='keys-on-the-line-after-the-dash',
        ),
    ),
)
def test_the_new_item_is_indented_like_the_files_own(before: str, added: str) -> None:
    after = _append(before)
    assert _added(before, after) == added
    _reads_as_old_plus_item(before, after)


def test_without_a_list_to_copy_the_callers_style_is_used() -> None:
    assert _append('other: 1\n') == (
        'other: 1\nitems:\n-   name: new\n    tags: [a, b]\n    steps:\n    -   id: one\n'
    )


def test_a_missing_list_copies_another_lists_indentation() -> None:
    before = 'exclude:\n  - docs/**\n'
    after = _append(before)
    assert _added(before, after) == (
        'items:\n  - name: new\n    tags: [a, b]\n    steps:\n      - id: one\n'
    )


@pytest.mark.parametrize(
    'before',
    (
        pytest.param('', id='empty-file'),
        pytest.param('# only a comment\n', id='only-a-comment'),
        pytest.param('items:\n', id='empty-key-last'),
        pytest.param('items:\nother: 1\n', id='empty-key-then-a-setting'),
        pytest.param('other: 1\nitems:   # none yet\n', id='empty-key-with-a-comment'),
    ),
)
def test_a_missing_or_empty_list_is_made(before: str) -> None:
    after = _append(before)
    _reads_as_old_plus_item(before, after)
    assert _added(before, after).count('items:') == (0 if 'items:' in before else 1)


def test_an_empty_key_gets_the_item_right_under_it() -> None:
    before = 'items:\n# later\nother: 1\n'
    assert _append(before, {'a': 1}) == 'items:\n-   a: 1\n# later\nother: 1\n'


def test_crlf_files_stay_crlf() -> None:
    before = '# settings\r\nitems:\r\n- name: a\r\nother: 1\r\n'
    after = _append(before)
    assert after.count('\n') == after.count('\r\n')
    assert _added(before, after).startswith('- name: new\r\n')
    _reads_as_old_plus_item(before, after)


def test_the_files_own_newline_is_the_one_most_of_its_lines_use() -> None:
    before = 'a: 1\r\nitems:\n- name: x\nb: 2\n'  # one CRLF among LFs
    after = _append(before, {'n': 1})
    assert after == 'a: 1\r\nitems:\n- name: x\n- n: 1\nb: 2\n'


@pytest.mark.parametrize(
    ('before', 'after'),
    (
        pytest.param('items:\n- n: 0', 'items:\n- n: 0\n- n: 1\n', id='list-last'),
        pytest.param(
            'items:\n- n: 0\nother: 1', 'items:\n- n: 0\n- n: 1\nother: 1\n', id='list-first',
        ),
        pytest.param('other: 1', 'other: 1\nitems:\n-   n: 1\n', id='no-list'),
    ),
)
def test_a_missing_final_newline_gets_one(before: str, after: str) -> None:
    assert _append(before, {'n': 1}) == after


def test_comments_under_the_last_item_stay_with_it() -> None:
    before = (
        'items:\n'
        '- name: a\n'
        '  # - id: disabled    (a commented-out step of item a)\n'
        '\n'
        '# the next section\n'
        'other: 1\n'
    )
    after = _append(before, {'name': 'b'})
    assert after == (
        'items:\n'
        '- name: a\n'
        '  # - id: disabled    (a commented-out step of item a)\n'
        '- name: b\n'
        '\n'
        '# the next section\n'
        'other: 1\n'
    )


def test_trailing_comments_of_the_file_stay_above_the_new_item() -> None:
    before = 'items:\n- name: a\n# the end\n'
    assert _append(before, {'name': 'b'}) == 'items:\n- name: a\n# the end\n- name: b\n'


def test_the_comment_line_goes_above_the_item_at_its_dash() -> None:
    before = 'items:\n  - name: a\nother: 1\n'
    after = _append(before, {'name': 'b'}, comment='# added by us')
    assert after == 'items:\n  - name: a\n  # added by us\n  - name: b\nother: 1\n'


@pytest.mark.parametrize(
    'value',
    (
        '2026-11-27', '1234567', '1.0', 'yes', 'null', '', ' padded ', 'a: b', 'x # y', '#x',
        "it's", '- x', '&a', '*a', '!tag', '{a}', '[a]', 'line\nbreak', 'tab\there', 'é',
        '\u2028', '"quoted"', '!!timestamp 0', '\U0001f600', '\U000e0001', '\x7f',
    ),
)
def test_every_string_reads_back_as_itself(value: str) -> None:
    after = _append('', {'note': value, 'list': [value]})
    assert yaml.safe_load(after) == {'items': [{'note': value, 'list': [value]}]}


@pytest.mark.parametrize(
    ('before', 'message'),
    (
        pytest.param('items: []\n', '`items:` is written in flow style', id='flow-list'),
        pytest.param('{items: [a]}\n', 'written in flow style ({...})', id='flow-mapping'),
        pytest.param('items: 5\n', '`items:` is not a list', id='a-number'),
        pytest.param('items:\n  a: 1\n', '`items:` is not a list', id='a-mapping'),
        pytest.param('- a\n- b\n', 'expected a mapping with a `items:` list', id='a-list-file'),
        pytest.param('items: [\n', 'invalid YAML', id='broken'),
    ),
)
def test_what_it_cannot_edit_is_one_line_of_the_callers_error(before: str, message: str) -> None:
    with pytest.raises(EditError) as raised:
        _append(before)
    assert message in str(raised.value) and '\n' not in str(raised.value)
    assert str(raised.value).startswith('f.yaml')


@pytest.mark.parametrize(
    'before',
    (
        pytest.param('items: &r\n- name: a\nother: *r\n', id='the-list-is-aliased'),
        pytest.param('other: &r\n- name: a\nitems: *r\n', id='the-list-is-an-alias'),
        pytest.param(
            'base: &b\n  items:\n  - name: a\n<<: *b\n', id='a-merge-key-brings-the-list',
        ),
    ),
)
def test_anchors_aliases_and_merge_keys_that_would_change_the_data_are_refused(
        before: str,
) -> None:
    with pytest.raises(EditError, match='nothing written; add it by hand'):
        _append(before)


def test_anchors_elsewhere_and_cycles_do_not_stop_the_edit() -> None:
    """Each shared value is compared once: a cycle (`&a [*a]`) neither hangs nor is refused."""
    before = 'loop: &a [*a]\ndefaults: &d {x: 1}\nitems:\n- <<: *d\n  name: a\n- *d\n'
    after = _append(before, {'name': 'b'})
    assert _added(before, after) == '- name: b\n'
    assert yaml.safe_load(after)['items'] == [{'x': 1, 'name': 'a'}, {'x': 1}, {'name': 'b'}]


def test_an_alias_bomb_is_refused_before_it_is_expanded() -> None:
    levels = ''.join(f'l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n'
                     for i in range(1, 30))
    with pytest.raises(EditError, match='aliases are expanded'):
        _append(f'l0: &l0 [x]\n{levels}items:\n- name: a\n')


@pytest.mark.parametrize(
    'newline',
    (pytest.param('\n', id='lf'), pytest.param('\r\n', id='crlf')),
)
def test_init_and_the_ledger_agree_on_newlines(tmp_path: Path, newline: str) -> None:
    """The same file shape (the list, then a setting, no final newline) edited by both."""
    config = newline.join(('repos:', '- repo: local', '  hooks: []', 'fail_fast: true'))
    ledger = newline.join(('rotated:', f'- fingerprint: {"a1" * 32}', 'max_file_mb: 5'))
    path = tmp_path / '.vastai-guard.yaml'
    path.write_bytes(ledger.encode())

    hooks = add_hooks(config, rev='v1.0.0').text
    assert record_rotation(str(path), Rotation('b2' * 32, '2026-11-27', ''), root=str(tmp_path))
    entry = path.read_bytes().decode()

    for before, after, last in ((config, hooks, 'fail_fast: true'), (ledger, entry, 'max_file_mb: 5')):
        assert after.endswith(last + newline)  # the last line got its ending
        assert after.count('\n') == after.count(newline)  # every new line in the file's ending
        assert after.startswith(before.rsplit(newline, 1)[0] + newline)


# The hostile-input properties (as tests/properties_test.py draws them)
@examples(200)
@given(texts(YAML_TOKENS))
def test_any_string_is_written_so_that_it_reads_back(value: str) -> None:
    """A note or a rev is whatever the user typed: plain, quoted or escaped, never refused."""
    text = yamledit.append_item(
        '', 'rotated', {'note': value, 'list': [value]},
        path='f.yaml', error=InvalidConfigError, default=ledger.STYLE,
    )
    assert yaml.safe_load(text) == {'rotated': [{'note': value, 'list': [value]}]}


@examples(200)
@given(texts(CONFIG_TOKENS))
def test_any_file_gets_exactly_the_item_or_one_line_of_refusal(text: str) -> None:
    item: dict[str, object] = {'fingerprint': 'b2' * 32, 'date': '2026-11-27', 'note': 'x'}
    try:
        new_text = timed(lambda: yamledit.append_item(
            text, 'rotated', item, path='f.yaml', error=InvalidConfigError, default=ledger.STYLE,
        ))
    except InvalidConfigError as error:
        assert '\n' not in str(error).strip()
        return
    assert isinstance(new_text, str)
    original = [line.rstrip('\r\n') for line in text.splitlines()]
    edited = [line.rstrip('\r\n') for line in new_text.splitlines()]
    assert is_subsequence(original, edited)
    assert len(edited) > len(original)
