from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from vastai_guard.config import InvalidConfigError
from vastai_guard.config import Rotation
from vastai_guard.config import load_config
from vastai_guard.ledger import record_rotation

FIRST = 'a1' * 32
NEW = Rotation('b2' * 32, '2026-11-27', 'reset on the Keys page: "all" of them')
ENTRY = (
    f'  - fingerprint: {NEW.fingerprint}\n'
    "    date: '2026-11-27'\n"
    '    note: "reset on the Keys page: \\"all\\" of them"\n'
)


@pytest.mark.parametrize(
    ('before', 'after'),
    (
        pytest.param(None, f'rotated:\n{ENTRY}', id='no-file'),
        pytest.param('', f'rotated:\n{ENTRY}', id='empty-file'),
        pytest.param(
            '# team settings\nexclude_paths:\n  - docs/**  # examples\n',
            f'# team settings\nexclude_paths:\n  - docs/**  # examples\nrotated:\n{ENTRY}',
            id='no-rotated-section',
        ),
        pytest.param(
            'max_file_mb: 5',
            f'max_file_mb: 5\nrotated:\n{ENTRY}',
            id='no-trailing-newline',
        ),
        pytest.param(
            f'rotated:\n  - fingerprint: {FIRST}  # the 2025 leak\n    date: "2025-01-01"\n'
            '# keep this comment\nmax_file_mb: 5\n',
            f'rotated:\n  - fingerprint: {FIRST}  # the 2025 leak\n    date: "2025-01-01"\n'
            f'{ENTRY}# keep this comment\nmax_file_mb: 5\n',
            id='append-inside-section',
        ),
        pytest.param(
            f'rotated:\n-   fingerprint: {FIRST}\n    note: x\n',
            f'rotated:\n-   fingerprint: {FIRST}\n    note: x\n'
            + ENTRY.replace('  - ', '-   '),
            id='pre-commit-style-indent',
        ),
        pytest.param(
            f'# crlf\r\nrotated:\r\n  - fingerprint: {FIRST}\r\n    date: "2025-01-01"\r\n',
            f'# crlf\r\nrotated:\r\n  - fingerprint: {FIRST}\r\n    date: "2025-01-01"\r\n'
            + ENTRY.replace('\n', '\r\n'),
            id='crlf',
        ),
    ),
)
def test_entry_is_added_and_every_other_line_kept(
        tmp_path: Path, before: str | None, after: str,
) -> None:
    path = tmp_path / '.vastai-guard.yaml'
    if before is not None:
        path.write_bytes(before.encode())

    assert record_rotation(str(path), NEW, root=str(tmp_path)) is True

    assert path.read_bytes().decode() == after
    assert NEW in load_config(str(path)).rotated
    assert [p.name for p in tmp_path.iterdir()] == ['.vastai-guard.yaml']  # no temp file left


def test_recording_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / '.vastai-guard.yaml'
    record_rotation(str(path), NEW, root=str(tmp_path))
    text = path.read_text()

    assert record_rotation(str(path), NEW._replace(note='again'), root=str(tmp_path)) is False
    assert path.read_text() == text


@pytest.mark.parametrize(
    'content',
    (
        pytest.param('rotated: []\n', id='flow-list'),
        pytest.param('rotated: [\n', id='invalid-yaml'),
        pytest.param('rotated:\n  - fingerprint: nope\n', id='invalid-entry'),
    ),
)
def test_a_file_it_cannot_edit_safely_is_left_alone(tmp_path: Path, content: str) -> None:
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text(content)

    with pytest.raises(InvalidConfigError):
        record_rotation(str(path), NEW, root=str(tmp_path))
    assert path.read_text() == content


def test_ledger_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text('max_file_mb: 5\n')
    path.chmod(0o640)

    record_rotation(str(path), NEW, root=str(tmp_path))

    assert path.stat().st_mode & 0o777 == 0o640
    assert yaml.safe_load(path.read_text())['max_file_mb'] == 5


def test_a_new_ledger_file_gets_the_usual_file_mode(tmp_path: Path) -> None:
    """Created, not copied from a temporary file's 0600: the team must be able to read it."""
    path = tmp_path / '.vastai-guard.yaml'
    old_umask = os.umask(0o022)
    try:
        assert record_rotation(str(path), NEW, root=str(tmp_path))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
