from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from vastai_guard.fileedit import append_lines
from vastai_guard.fileedit import appended


@pytest.mark.parametrize(
    ('before', 'after'),
    (
        pytest.param(b'', b'a\nb\n', id='empty'),
        pytest.param(b'x\n', b'x\n\na\nb\n', id='lf'),
        pytest.param(b'x', b'x\n\na\nb\n', id='no-final-newline'),
        pytest.param(b'x\n\n', b'x\n\na\nb\n', id='already-blank'),
        pytest.param(b'x\r\ny\r\n', b'x\r\ny\r\n\r\na\r\nb\r\n', id='crlf'),
        pytest.param(b'x\r\ny', b'x\r\ny\r\n\r\na\r\nb\r\n', id='crlf-no-final-newline'),
        pytest.param(b'\xef\xbb\xbfx\n', b'\xef\xbb\xbfx\n\na\nb\n', id='bom-kept'),
    ),
)
def test_appended_keeps_bytes_and_line_endings(before: bytes, after: bytes) -> None:
    assert appended(before, ['a', 'b']) == after


def test_append_lines_creates_missing_file(tmp_path: Path) -> None:
    target = tmp_path / '.gitignore'
    append_lines(str(target), ['.env'])
    assert target.read_bytes() == b'.env\n'
    assert [p.name for p in tmp_path.iterdir()] == ['.gitignore']  # no temp file left


def test_append_lines_keeps_mode_and_writes_through_symlink(tmp_path: Path) -> None:
    real = tmp_path / 'shared-ignore'
    real.write_bytes(b'*.log\n')
    os.chmod(real, 0o600)
    link = tmp_path / '.gitignore'
    link.symlink_to(real.name)
    append_lines(str(link), ['.env'])
    assert link.is_symlink()
    assert real.read_bytes() == b'*.log\n\n.env\n'
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
