from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from testing.util import commit_all
from testing.util import new_key
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.findings import Rotation
from vastai_guard.findings import fingerprint
from vastai_guard.policy.config import InvalidConfigError
from vastai_guard.policy.config import load_config
from vastai_guard.policy.ledger import record_rotation

FIRST = 'a1' * 32
NEW = Rotation('b2' * 32, '2026-11-27', 'reset on the Keys page: "all" of them')
ENTRY = (
    f'  - fingerprint: {NEW.fingerprint}\n'
    "    date: '2026-11-27'\n"
    """    note: 'reset on the Keys page: "all" of them'\n"""
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


# Ledgers whose anchors, aliases or merge keys sit where the new lines go: the entry goes after
# the last entry's own text (the alias `*e`, not what it refers to), so no user's field moves
# into the new entry and no entry changes.
OLD_A, OLD_B = 'a1' * 32, 'c3' * 32


@pytest.mark.parametrize(
    'content',
    (
        pytest.param(
            f"rotated:\n  - fingerprint: {OLD_A}\n    date: &d '2025-01-01'\n    owner: alice\n"
            f'  - fingerprint: {OLD_B}\n    date: *d\n',
            id='alias-as-last-value',
        ),
        pytest.param(
            f'rotated:\n  - &e\n    fingerprint: {OLD_A}\n    owner: alice\n'
            f'  - fingerprint: {OLD_B}\n    <<: *e\n',
            id='merge-key-last',
        ),
        pytest.param(
            f'rotated:\n  - &e\n    fingerprint: {OLD_A}\n    note: x\n    owner: alice\n  - *e\n',
            id='alias-entry-last',
        ),
        pytest.param(
            f"rotated:\n  - fingerprint: {OLD_A}\n    note: &n shared\n    date: '2025-01-01'\n"
            f'  - fingerprint: {OLD_B}\n    note: *n\n# team comment\nmax_file_mb: 5\n',
            id='alias-note-then-setting',
        ),
    ),
)
def test_anchors_and_aliases_never_move_a_users_field(tmp_path: Path, content: str) -> None:
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text(content)

    assert record_rotation(str(path), NEW, root=str(tmp_path))

    before, after = yaml.safe_load(content), yaml.safe_load(path.read_text())
    assert after == {**before, 'rotated': [*before['rotated'], dict(NEW._asdict())]}
    assert path.read_text().startswith(content.split('# team comment')[0])
    assert os.listdir(tmp_path) == ['.vastai-guard.yaml']


@pytest.mark.parametrize(
    'content',
    (
        pytest.param(
            f'rotated: &r\n  - fingerprint: {OLD_A}\nallow_fingerprints: *r\n',
            id='the-list-is-aliased-by-another-setting',
        ),
        pytest.param(
            f'allow_fingerprints: &r\n  - fingerprint: {OLD_A}\nrotated: *r\n',
            id='the-list-is-an-alias',
        ),
    ),
)
def test_an_entry_that_would_change_another_setting_is_refused(
        tmp_path: Path, content: str,
) -> None:
    """The new lines would also land in what an alias stands for: the allow list."""
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text(content)

    with pytest.raises(InvalidConfigError, match='nothing written; add it by hand'):
        record_rotation(str(path), NEW, root=str(tmp_path))

    assert path.read_text() == content
    assert os.listdir(tmp_path) == ['.vastai-guard.yaml']


def test_anchors_the_edit_cannot_disturb_are_kept(tmp_path: Path) -> None:
    """An anchor and a merge in earlier entries, the last one plain: the entry is added."""
    content = (
        f"rotated:\n  - &e\n    fingerprint: {OLD_A}\n    owner: alice\n"
        f"  - <<: *e\n    fingerprint: {OLD_B}\n    date: '2025-01-01'\n"
    )
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text(content)

    assert record_rotation(str(path), NEW, root=str(tmp_path))

    data = yaml.safe_load(path.read_text())
    assert data['rotated'][:2] == yaml.safe_load(content)['rotated']
    assert data['rotated'][2] == dict(NEW._asdict())


def test_an_alias_bomb_in_an_entry_is_refused_without_blowing_up(tmp_path: Path) -> None:
    """A ledger that expands to billions of values is refused before it is built, unchanged."""
    levels = ''.join(f'    l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]\n'
                     for i in range(1, 30))
    content = (
        f'rotated:\n  - fingerprint: {OLD_A}\n    l0: &l0 [x]\n{levels}'
        f'    note: plain\n'
    )
    path = tmp_path / '.vastai-guard.yaml'
    path.write_text(content)

    with pytest.raises(InvalidConfigError, match='aliases are expanded'):
        record_rotation(str(path), NEW, root=str(tmp_path))  # 4**29 values once expanded
    assert path.read_text() == content


@pytest.mark.parametrize(
    'target',
    (
        pytest.param(lambda outside: outside / 'shared.yaml', id='link-to-a-file-outside'),
        pytest.param(lambda outside: outside / 'missing.yaml', id='dangling-link-outside'),
    ),
)
def test_a_ledger_linked_outside_the_tree_is_refused(
        tmp_path: Path, target: Callable[[Path], Path],
) -> None:
    root, outside = tmp_path / 'repo', tmp_path / 'outside'
    root.mkdir()
    outside.mkdir()
    (outside / 'shared.yaml').write_text('max_file_mb: 5\n')
    (root / '.vastai-guard.yaml').symlink_to(target(outside))

    with pytest.raises(FatalError, match='outside the work tree'):
        record_rotation(str(root / '.vastai-guard.yaml'), NEW, root=str(root))

    assert sorted(os.listdir(outside)) == ['shared.yaml']
    assert (outside / 'shared.yaml').read_text() == 'max_file_mb: 5\n'


def test_thirty_rotated_at_once_keep_all_thirty_entries(repo: Path) -> None:
    """Real processes, each a full `vastai-guard rotated`: the ledger edit is locked."""
    write(repo, '.vastai-guard.yaml', '# the team ledger\nmax_file_mb: 5\n')
    commit_all(repo, 'config')
    prints = [fingerprint(new_key()) for _ in range(30)]
    runs = [
        subprocess.Popen(
            (sys.executable, '-m', 'vastai_guard', 'rotated', key_fingerprint, '--note', f'n{i}'),
            cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for i, key_fingerprint in enumerate(prints)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * 30, outputs

    text = (repo / '.vastai-guard.yaml').read_text()
    assert text.startswith('# the team ledger\nmax_file_mb: 5\n')
    rotated = load_config(str(repo / '.vastai-guard.yaml')).rotated
    assert sorted(entry.fingerprint for entry in rotated) == sorted(prints)
    assert sorted(os.listdir(repo)) == ['.git', '.vastai-guard.yaml']
