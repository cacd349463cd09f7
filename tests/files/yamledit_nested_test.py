"""yamledit.append_nested_item: a hook appended to `repos[i].hooks` as text, every other byte
kept, or nothing written."""
from __future__ import annotations

import pytest
import yaml

from vastai_guard.files import yamledit

ITEM: dict[str, object] = {'id': 'vastai-secrets-push'}


class Refused(Exception):
    pass


def _append(text: str, index: int = 0) -> str:
    return yamledit.append_nested_item(
        text, 'repos', index, 'hooks', ITEM, path='c.yaml', error=Refused, what='the hook',
    )


@pytest.mark.parametrize(
    ('before', 'added'),
    (
        ('repos:\n-   repo: x\n    hooks:\n    -   id: a\n', '    -   id: vastai-secrets-push\n'),
        ('repos:\n  - repo: x\n    hooks:\n      - id: a\n', '      - id: vastai-secrets-push\n'),
        ('repos:\n- repo: x\n  hooks:\n  - id: a\n    args: [--x]\n',
         '  - id: vastai-secrets-push\n'),
    ),
)
def test_the_hook_is_indented_like_the_lists_own_items(before: str, added: str) -> None:
    assert _append(before) == before + added


def test_comments_and_the_next_entry_stay_where_they_were() -> None:
    before = (
        'repos:\n'
        '-   repo: x  # ours\n'
        '    hooks:\n'
        '    -   id: a\n'
        '        # args: [--old]\n'
        '    # -   id: b   (disabled)\n'
        '-   repo: y\n'
        '    hooks:\n'
        '    -   id: c\n'
        'ci:\n'
        '    autofix_prs: false\n'
    )
    after = _append(before)
    lines = after.splitlines(keepends=True)
    assert ''.join(line for line in lines if 'vastai-secrets-push' not in line) == before
    assert lines.index('    -   id: vastai-secrets-push\n') == 5  # after a's own comment
    assert yaml.safe_load(after)['repos'][0]['hooks'] == [{'id': 'a'}, ITEM]


def test_crlf_and_a_last_line_without_its_end_are_kept() -> None:
    assert _append('repos:\r\n- repo: x\r\n  hooks:\r\n  - id: a') == (
        'repos:\r\n- repo: x\r\n  hooks:\r\n  - id: a\r\n  - id: vastai-secrets-push\r\n'
    )


@pytest.mark.parametrize(
    'text',
    (
        pytest.param('repos:\n- repo: x\n  hooks: [{id: a}]\n', id='flow-hooks'),
        pytest.param('repos:\n- repo: x\n  hooks: []\n', id='empty-hooks'),
        pytest.param('h: &h\n- id: a\nrepos:\n- repo: x\n  hooks: *h\n', id='alias'),
        pytest.param('repos:\n- repo: x\n', id='no-hooks'),
    ),
)
def test_what_it_cannot_edit_as_text_is_refused(text: str) -> None:
    with pytest.raises(Refused):
        _append(text)
