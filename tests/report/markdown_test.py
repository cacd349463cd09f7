"""The markdown rotation plan (`history --format markdown`), from hand-built keys."""
from __future__ import annotations

import datetime
import itertools
import re

import pytest

from testing.util import new_key
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import Rotation
from vastai_guard.findings import Verification
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.report.markdown import render_rotation_plan
from vastai_guard.vocabulary import State
from vastai_guard.vocabulary import Status

TODAY = datetime.date(2026, 11, 27)
COMMIT = 'c0ffee' + '0' * 34
CHECKED = '2026-11-27T09:00:00Z'


class Key:
    """A raw key and the ExposedKey history would build for it."""

    def __init__(
            self,
            status: Status,
            state: State | None = None,
            *,
            in_head: bool = True,
            paths: tuple[str, ...] = ('.env',),
            author: str = 'Ann Lee',
            date: str = '2024-01-02T10:00:00+00:00',
            account: str = '',
    ) -> None:
        self.secret = new_key()
        verification = Verification(state, 'HTTP 200: key accepted' if state == 'active'
                                    else 'timed out after 5s', CHECKED, account) if state else None
        self.exposed = ExposedKey(
            fingerprint=fingerprint(self.secret),
            rule=ASSIGNMENT,
            redacted=redact(self.secret),
            status=status,
            in_head=in_head,
            first_seen=FirstSeen(COMMIT, author, date, paths[0], 3),
            occurrences=tuple(Occurrence(COMMIT, path, 3) for path in paths),
            verification=verification,
        )


def _plan(
        keys: list[Key],
        *,
        rotated: tuple[Rotation, ...] = (),
        since_rotation_days: int | None = None,
) -> str:
    text = render_rotation_plan(
        [key.exposed for key in keys],
        commits_scanned=42,
        since_rotation_days=since_rotation_days,
        rotated=rotated,
        today=TODAY,
    )
    for key in keys:
        assert key.secret not in text
    return text


def _table_rows(text: str, header: str) -> list[list[str]]:
    """The body cells of the first table under `header`, split at unescaped pipes."""
    lines = text.split(header, 1)[1].splitlines()
    after = itertools.dropwhile(lambda line: not line.startswith('|'), lines)
    table = list(itertools.takewhile(lambda line: line.startswith('|'), after))
    return [
        [cell.strip() for cell in re.split(r'(?<!\\)\|', line)[1:-1]]
        for line in table[2:]
    ]


def test_table_lists_keys_to_rotate_first_active_before_unknown() -> None:
    inactive = Key('inactive', 'invalid')
    rotated = Key('rotated', in_head=False)
    unknown = Key('needs-rotation', 'unknown', date='2023-01-01T00:00:00Z')
    active = Key('needs-rotation', 'active', date='2025-01-01T00:00:00Z')

    text = _plan([inactive, rotated, unknown, active],
                 rotated=(Rotation(rotated.exposed.fingerprint, '2026-10-01', ''),))

    rows = _table_rows(text, '## Keys')
    assert [row[0] for row in rows] == [
        f'`{k.exposed.redacted}`' for k in (active, unknown, rotated, inactive)
    ]
    assert [row[4:] for row in rows] == [
        ['yes', '**active**', '**needs rotation**'],
        ['yes', 'unknown: timed out after 5s', '**needs rotation**'],
        ['no', 'not checked', 'rotated 2026-10-01'],
        ['yes', 'invalid', 'inactive (key rejected by Vast.ai)'],
    ]
    assert rows[0][2] == '2025-01-01, `c0ffee000000`, Ann Lee'
    assert '4 Vast.ai keys found in 42 commits: **2 need rotating**, 1 rotated, ' \
           '1 no longer working.' in text


def test_pipes_and_markdown_in_cells_are_escaped() -> None:
    key = Key('needs-rotation', 'active', paths=('ops/a|b.env', 'x`y.env'),
              author='Eve | <b>*bold*</b>', account='7 e|ve@example.invalid')

    text = _plan([key])

    [row] = _table_rows(text, '## Keys')
    assert len(row) == 7
    assert row[2] == '2024-01-02, `c0ffee000000`, Eve \\| \\<b\\>\\*bold\\*\\</b\\>'
    assert row[3] == '`ops/a\\|b.env`, ``x`y.env``'
    assert row[5] == '**active** (account 7 e\\|ve@example.invalid)'


def test_steps_for_each_key_that_needs_rotating() -> None:
    active = Key('needs-rotation', 'active', paths=('.env', 'ci/deploy.yml'))
    gone = Key('needs-rotation', None, in_head=False, paths=('old/notes.md',))
    inactive = Key('inactive', 'invalid')

    text = _plan([active, gone, inactive])

    steps = text.split('## Rotation steps', 1)[1]
    assert steps.count('### ') == 2
    assert inactive.exposed.redacted not in steps.split('## Dead keys')[0]
    first, second = steps.split('### ')[1:3]
    for number, key, block in ((1, active, first), (2, gone, second)):
        assert block.startswith(f'{number}. Key `{key.exposed.redacted}`')
        assert 'https://cloud.vast.ai/manage-keys/' in block
        assert '`vastai reset api-key`' in block
        assert '`vastai delete api-key ID`' in block
        assert f'- [ ] **Record the rotation:** `vastai-guard rotated {key.exposed.fingerprint}`' \
            in block
    assert '    - `.env`\n    - `ci/deploy.yml`\n' in first
    assert 'Verified active at 2026-11-27T09:00:00Z' in first
    assert '- [ ] **Remove it from the tree.** It is still in HEAD' in first
    assert 'Not verified (`--verify`): treat it as live.' in second
    assert 'It is no longer in HEAD' in second
    # a dead key still in HEAD is named for removal, without rotation steps
    assert f'- `{inactive.exposed.redacted}`' in text.split('## Dead keys still in the tree')[1]


@pytest.mark.parametrize(
    ('since', 'due'),
    (
        pytest.param(90, ['old'], id='90-days'),
        pytest.param(10, ['old', 'recent'], id='10-days'),
        pytest.param(400, [], id='none-due'),
    ),
)
def test_scheduled_rotation(since: int, due: list[str]) -> None:
    old = Key('rotated', in_head=False)
    ledger = {
        'old': Rotation(old.exposed.fingerprint, '2026-05-01', 'reset | on the Keys page'),
        'recent': Rotation('e' * 64, '2026-11-01', ''),
    }

    text = _plan([old], rotated=tuple(ledger.values()), since_rotation_days=since)

    header = f'## Scheduled rotation (every {since} days)'
    section = text.split(header, 1)[1]
    rows = _table_rows(text, header)
    assert [row[1].strip('`') for row in rows] == [ledger[name].fingerprint[:12] for name in due]
    if 'old' in due:
        assert rows[0] == [
            f'`{old.exposed.redacted}`', f'`{old.exposed.fingerprint[:12]}`', '2026-05-01', '210',
            'reset \\| on the Keys page',
        ]
    else:
        assert 'No key in the rotation ledger was rotated more than 400 days ago.' in section


def test_undated_rotations_are_named_not_guessed() -> None:
    text = _plan([], rotated=(Rotation('a' * 64, '', ''),), since_rotation_days=90)

    assert f'without a date (cannot tell when they are due):\n\n- `{"a" * 64}`' in text


def test_no_scheduled_section_without_the_option() -> None:
    old = Key('rotated', in_head=False)

    text = _plan([old], rotated=(Rotation(old.exposed.fingerprint, '2020-01-01', ''),))

    assert 'Scheduled rotation' not in text


def test_no_keys() -> None:
    assert 'No Vast.ai key found in 42 commits.' in _plan([])
