"""The red-team table: what a careless user or an attacker can put in front of vastai-guard.

Each case is one line: the files to create, the command line, the exit code and a fragment of
stderr. Every case runs the real entry point in a real repository, in a process with a time
limit: a hang is a failure, not a stuck suite. `{key}` in a file becomes a fresh key.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.util import REPO_ROOT
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import remove_deep_tree
from testing.util import write

# generous: every case takes well under a second; the bound only tells a hang from slowness
HANG_LIMIT_SECONDS = 60

FIFO = object()  # a named pipe in place of the file
DEEP = '[' * 100_000
# ten levels of nine aliases: a few hundred bytes, 9**9 values once expanded
BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + ''.join(
    f'{name}: &{name} [{", ".join([f"*{prev}"] * 9)}]\n'
    for prev, name in zip('abcdefgh', 'bcdefghi', strict=True)
)
BOMB_AS_KEYS = BOMB + '? *i\n: 1\n'
BASELINE = '{{"version": "1.5.0", "results": {{"a.txt": {entries}}}}}'


class Link(NamedTuple):
    target: str


class Encoded(NamedTuple):
    """`text` (with `{key}`) written in `encoding`, between raw `before` and `after` bytes."""
    text: str
    encoding: str
    before: bytes = b''
    after: bytes = b''


class Locked(NamedTuple):
    """A file (or, with `folder`, a folder holding one) that `chmod 000` makes unreadable."""
    text: str
    folder: bool = False


# as the user says it: 1,100 folders deep (os.walk recursed, and failed, on Python < 3.12)
DEEP_PATH = 'd/' * 1100
# the start of a PNG: NULs, controls and compressed bytes no text holds
PNG = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(range(256)) * 4
# no Vast.ai API answers here: every --verify verdict is "unknown (could not connect)"
NO_API = ('--api-url', 'http://127.0.0.1:9')


class Case(NamedTuple):
    files: Mapping[str, str | bytes | Link | object]
    argv: tuple[str, ...]
    exit: int
    # a fragment of stderr (of stdout too for exit 0 and 1; '' when only the exit code matters)
    stderr: str
    staged: tuple[str, ...] = ()  # `git add`ed after the files are written
    then: Mapping[str, str | bytes | Link | object] = {}  # written after staging
    cwd: str = '.'
    commits: tuple[Mapping[str, str], ...] = ()  # committed one after the other, first
    git_steps: tuple[tuple[str, ...], ...] = ()  # git commands run after the commits
    repo_dir: str = 'repo'  # the repository's folder, under the test's tmp_path
    # lines on stderr for exit 2: one error line, after the warnings that explain it
    lines: int = 1


KEY_FILE = {'a.env': 'VAST_API_KEY={key}\n'}
PLAIN = {'a.txt': 'nothing to see\n'}

CASES = {
    # --- hangs: never open a FIFO -----------------------------------------------------------
    'fifo in a scanned folder': Case(
        # in a repository a folder means what git would take, and git takes no FIFO: read the
        # folder from disk to meet it
        {'dir/pipe': FIFO, 'dir/a.env': 'VAST_API_KEY={key}\n'}, ('scan', '--from-disk', 'dir'),
        1, 'skipped dir/pipe: a named pipe (FIFO): not read',
    ),
    'fifo named as a file': Case({'pipe': FIFO}, ('scan', 'pipe'), 0, 'skipped pipe: a named pipe'),
    'tracked file became a fifo (--all-files reads the index)': Case(
        KEY_FILE, ('scan', '--all-files'), 1, '', staged=('a.env',), then={'a.env': FIFO},
    ),
    'config file is a fifo': Case(
        {**PLAIN, '.vastai-guard.yaml': FIFO}, ('scan', 'a.txt'), 2,
        '.vastai-guard.yaml: a named pipe (FIFO), not a regular file',
    ),
    'config file is a fifo (history)': Case(
        {'.vastai-guard.yaml': FIFO}, ('history',), 2, 'a named pipe (FIFO)',
    ),
    'config file is a folder': Case(
        {**PLAIN, '.vastai-guard.yaml/x': ''}, ('scan', 'a.txt'), 2, 'a folder, not a regular',
    ),
    'baseline is a fifo': Case(
        {**PLAIN, 'b.json': FIFO}, ('scan', 'a.txt', '--baseline', 'b.json'), 2,
        'b.json: a named pipe',
    ),
    '.pre-commit-config.yaml is a fifo': Case(
        {'.pre-commit-config.yaml': FIFO}, ('init',), 2, 'not a regular file: not edited',
    ),
    '.gitignore is a fifo (git itself would hang)': Case(
        {'.gitignore': FIFO}, ('gitignore',), 2, '.gitignore: a named pipe (FIFO)',
    ),
    'tracked nested .gitignore became a fifo': Case(
        {'sub/.gitignore': '*.log\n'}, ('gitignore',), 2, 'sub/.gitignore: a named pipe',
        staged=('sub/.gitignore',), then={'sub/.gitignore': FIFO},
    ),
    'the hook never asks git to read a fifo .gitignore': Case(
        KEY_FILE, ('scan',), 1, '', staged=('a.env',), then={'.gitignore': FIFO},
    ),
    # --- YAML that costs too much ------------------------------------------------------------
    'alias bomb in config': Case(
        {**PLAIN, '.vastai-guard.yaml': BOMB}, ('scan', 'a.txt'), 2,
        '.vastai-guard.yaml:6: more than 100000 values once aliases are expanded',
    ),
    'alias bomb used as a mapping key': Case(
        {**PLAIN, '.vastai-guard.yaml': BOMB_AS_KEYS}, ('scan', 'a.txt'), 2,
        'more than 100000 values',
    ),
    'deep nesting in config': Case(
        {**PLAIN, '.vastai-guard.yaml': f'exclude_paths: {DEEP}'}, ('scan', 'a.txt'), 2,
        '.vastai-guard.yaml:1: nested more than 64 levels deep',
    ),
    'config larger than 16 MiB': Case(
        {**PLAIN, '.vastai-guard.yaml': '#' * (17 << 20)}, ('scan', 'a.txt'), 2,
        'larger than 16777216 bytes',
    ),
    'alias bomb in .pre-commit-config.yaml': Case(
        {'.pre-commit-config.yaml': BOMB}, ('init',), 2, 'more than 100000 values',
    ),
    'deep nesting in .pre-commit-config.yaml': Case(
        {'.pre-commit-config.yaml': f'repos: {DEEP}'}, ('init',), 2, 'nested more than 64',
    ),
    'deep nesting in a baseline': Case(
        {**PLAIN, 'b.json': DEEP}, ('scan', 'a.txt', '--baseline', 'b.json'), 2,
        'b.json: not a detect-secrets baseline: nested too deeply',
    ),
    # --- crashes where exit 2 is promised: config -------------------------------------------
    'max_file_mb: superscript two': Case(
        {**PLAIN, '.vastai-guard.yaml': 'max_file_mb: ²\n'}, ('scan', 'a.txt'), 2,
        '.vastai-guard.yaml:1: expected a whole number of megabytes',
    ),
    'max_file_mb: 5000 digits': Case(
        {**PLAIN, '.vastai-guard.yaml': f'max_file_mb: {"9" * 5000}\n'}, ('scan', 'a.txt'), 2,
        'expected a whole number of megabytes',
    ),
    'unhashable entry key': Case(
        {**PLAIN, '.vastai-guard.yaml': 'allow_fingerprints: [{[a]: b}]\n'}, ('scan', 'a.txt'),
        2, '.vastai-guard.yaml:1: expected a field name',
    ),
    'unhashable setting name': Case(
        {**PLAIN, '.vastai-guard.yaml': '[a]: b\n'}, ('scan', 'a.txt'), 2,
        'expected a setting name',
    ),
    'a key pasted as a setting name is not echoed': Case(
        {**PLAIN, '.vastai-guard.yaml': '{key}: 1\n'}, ('scan', 'a.txt'), 2,
        ".vastai-guard.yaml:1: unknown setting '<hex>'",
    ),
    '!!int abc in config': Case(
        {**PLAIN, '.vastai-guard.yaml': 'max_file_mb: !!int abc\n'}, ('scan', 'a.txt'), 2,
        'expected a whole number',
    ),
    '!!timestamp abc in config': Case(
        {**PLAIN, '.vastai-guard.yaml': 'rotated:\n  - fingerprint: !!timestamp abc\n'},
        ('scan', 'a.txt'), 2, ".vastai-guard.yaml:2: 'abc' is not a fingerprint",
    ),
    '!!python/object in config is never constructed': Case(
        {**PLAIN, '.vastai-guard.yaml': 'exclude_paths: [!!python/object/apply:os.system [x]]\n'},
        ('scan', 'a.txt'), 2, 'expected a path glob',
    ),
    # --- crashes where exit 2 is promised: init ---------------------------------------------
    'init: hooks: 5': Case(
        {'.pre-commit-config.yaml': 'repos:\n- repo: local\n  hooks: 5\n'}, ('init',), 0,
        'added the hooks',
    ),
    'init: - id: [a]': Case(
        {'.pre-commit-config.yaml': 'repos:\n- repo: local\n  hooks:\n  - id: [a]\n'},
        ('init',), 0, 'added the hooks',
    ),
    'init: !!int abc': Case(
        {'.pre-commit-config.yaml': 'repos: []\nx: !!int abc\n'}, ('init',), 2,
        '.pre-commit-config.yaml:2: invalid YAML: not a valid !!int value',
    ),
    'init: !!timestamp abc': Case(
        {'.pre-commit-config.yaml': 'x: !!timestamp abc\n'}, ('init',), 2,
        '.pre-commit-config.yaml:1: invalid YAML: not a valid !!timestamp value',
    ),
    'init: an empty !!int or !!bool': Case(
        {'.pre-commit-config.yaml': 'x: !!bool\ny: !!int\n'}, ('init',), 2,
        '.pre-commit-config.yaml:1: invalid YAML: not a valid !!bool value',
    ),
    'init: repos is a mapping key list': Case(
        {'.pre-commit-config.yaml': '? [a]\n: b\n'}, ('init',), 2, '.pre-commit-config.yaml:',
    ),
    # --- crashes where exit 2 is promised: baselines ----------------------------------------
    'baseline hashed_secret is a list': Case(
        {**PLAIN, 'b.json': BASELINE.format(entries='[{"hashed_secret": ["x"]}]')},
        ('scan', 'a.txt', '--baseline', 'b.json'), 2, 'b.json: not a detect-secrets baseline',
    ),
    'baseline entry is not an object': Case(
        {**PLAIN, 'b.json': BASELINE.format(entries='["x", 5]')},
        ('scan', 'a.txt', '--baseline', 'b.json'), 2, 'must be lists of objects',
    ),
    'baseline is not UTF-8': Case(
        {**PLAIN, 'b.json': b'{"results": "\xff"}'}, ('scan', 'a.txt', '--baseline', 'b.json'),
        2, 'b.json: not a detect-secrets baseline',
    ),
    # --- wrong "clean" answers ---------------------------------------------------------------
    'staged key elsewhere, scan from a subfolder': Case(
        {'other/a.env': 'VAST_API_KEY={key}\n', 'sub/x.txt': ''}, ('scan',), 1, '',
        staged=('other/a.env', 'sub/x.txt'), cwd='sub',
    ),
    'tracked key elsewhere, --all-files from a subfolder': Case(
        {'other/a.env': 'VAST_API_KEY={key}\n', 'sub/x.txt': ''}, ('scan', '--all-files'), 1, '',
        staged=('other/a.env', 'sub/x.txt'), cwd='sub',
    ),
    'named path does not exist': Case(
        PLAIN, ('scan', 'a.txt', 'nope.txt'), 2, 'nope.txt: no such file or folder',
    ),
    'named path does not exist, outside git': Case(
        PLAIN, ('scan', 'nope.txt'), 2, 'nope.txt: no such file or folder', cwd='/',
    ),
    'named symlink to a key file, not staged': Case(
        {**KEY_FILE, 'link': Link('a.env')}, ('scan', 'link'), 0,
        'skipped link: symbolic link: target not followed',
    ),
    'named symlink, staged: its content (the target name) is judged': Case(
        {**KEY_FILE, 'link': Link('a.env')}, ('scan', 'link'), 0,
        "its staged content, the target's name, was scanned", staged=('link',),
    ),
    'named symlink to a folder, staged': Case(
        {'dir/a.env': 'VAST_API_KEY={key}\n', 'link': Link('dir')}, ('scan', 'link'), 0,
        "skipped link: symbolic link: target not followed (its staged content", staged=('link',),
    ),
    'named symlink whose target name is a key, staged': Case(
        {'.vast_api_key': Link('{key}')}, ('scan', '.vast_api_key'), 1,
        'symbolic link', staged=('.vast_api_key',),
    ),
    'symlink inside a scanned folder': Case(
        {'dir/a.txt': '', 'dir/link': Link('../a.env'), **KEY_FILE}, ('scan', 'dir'), 0,
        'skipped dir/link: symbolic link: not followed',
    ),
    # --- writes never go where they should not (files/writing.py, the one writer) -----------
    '--update-baseline through a committed link out of the repository': Case(
        {**PLAIN, 'b.json': Link('/tmp/vastai-guard-never-written.json')},
        ('scan', '--all-files', '--update-baseline', 'b.json'), 2, 'outside the work tree',
        staged=('a.txt',),
    ),
    '--update-baseline of a JSON without "results"': Case(
        {**PLAIN, 'b.json': '{"mine": 1}'}, ('scan', '--all-files', '--update-baseline', 'b.json'),
        2, 'no "results" mapping; not overwritten', staged=('a.txt',),
    ),
    '--update-baseline of a fifo': Case(
        {**PLAIN, 'b.json': FIFO}, ('scan', '--all-files', '--update-baseline', 'b.json'), 2,
        'not a regular file', staged=('a.txt',),
    ),
    '--update-baseline of a deeply nested baseline': Case(
        {**PLAIN, 'b.json': DEEP}, ('scan', '--all-files', '--update-baseline', 'b.json'), 2,
        'nested too deeply', staged=('a.txt',),
    ),
    '.gitignore linked to .git/config': Case(
        {'.gitignore': Link('.git/config')}, ('gitignore', '--fix'), 2,
        "inside the repository's .git folder: not edited",
    ),
    '--output a fifo no process reads': Case(
        {**PLAIN, 'out': FIFO}, ('scan', 'a.txt', '--output', 'out'), 2,
        'a named pipe that no process reads',
    ),
    '--output a committed link to a file out of the repository': Case(
        {**PLAIN, '../victim': 'kept\n', 'out': Link('../victim')},
        ('scan', 'a.txt', '--output', 'out'), 2, 'out of the work tree',
    ),
    '--output a link into .git': Case(
        {**PLAIN, 'out': Link('.git/config')}, ('scan', 'a.txt', '--output', 'out'), 2,
        'or into its .git: not followed',
    ),
    'a ledger over 1 MiB is read': Case(
        {**PLAIN, '.vastai-guard.yaml': 'rotated:\n' + (
            "  - fingerprint: " + 'a' * 64 + "\n    date: '2026-01-01'\n    note: " + 'n' * 40
            + "\n") * 9000}, ('scan', 'a.txt'), 0, '',
    ),
    # --- no program of the repository runs (tests/git/runner_test.py has one row per key) --
    'core.fsmonitor in the repository config never runs': Case(
        KEY_FILE, ('scan', '--all-files'), 1, '', staged=('a.env',),
        then={'.git/config': '[core]\n\tfsmonitor = touch fsmonitor-ran\n'},
    ),
    'a repository whose path holds a newline': Case(
        KEY_FILE, ('scan',), 1, '', staged=('a.env',), repo_dir='a\nb/repo',
    ),
    'a repository whose path holds a newline (history)': Case(
        {}, ('history',), 1, 'needs-rotation', commits=(KEY_FILE,), repo_dir='a\nb/repo',
    ),
    # --- policy from the base (tests/policy/base_test.py) -----------------------------------
    'a range that allows its own key': Case(
        {}, ('history', '--range', 'HEAD~1..HEAD'), 1, 'this change allows key',
        commits=(
            {'README.md': 'x\n'},
            {**KEY_FILE, '.vastai-guard.yaml': 'allow_fingerprints:\n  - {fingerprint}\n'},
        ),
    ),
    'a range that records its own key as rotated': Case(
        {}, ('history', '--range', 'HEAD~1..HEAD'), 1, 'with a rotated: ledger entry it adds',
        commits=(
            {'README.md': 'x\n'},
            {**KEY_FILE, '.vastai-guard.yaml': 'rotated:\n  - fingerprint: {fingerprint}\n'},
        ),
    ),
    'a pushed annotated tag message holds a key': Case(
        {}, ('history', '--pre-push'), 1, 'refs/tags/v1', commits=(PLAIN,),
        git_steps=(('tag', '-a', 'v1', '-m', 'vastai set api-key {key}'),),
    ),
    # --- coverage decides the exit code: nothing that could hold a key passes unread -------
    '.secrets.baseline in a subfolder is read like any file': Case(
        {'sub/.secrets.baseline': 'VAST_API_KEY={key}\n'}, ('scan', '--all-files'), 1,
        'sub/.secrets.baseline:1', staged=('sub/.secrets.baseline',),
    ),
    'the configured baseline is still checked for raw keys': Case(
        {'.secrets.baseline': '{"results": {}, "note": "VAST_API_KEY={key}"}\n'},
        ('scan', '--all-files', '--baseline', '.secrets.baseline'), 1, '.secrets.baseline:1',
        staged=('.secrets.baseline',),
    ),
    'UTF-16 with a BOM and an odd trailing byte': Case(
        {'a.ps1': Encoded('$env:VAST_API_KEY = "{key}"\n', 'utf-16', after=b'x')},
        ('scan', 'a.ps1'), 1, 'a.ps1:1',
    ),
    'UTF-16 with a BOM and a lone surrogate': Case(
        {'a.ps1': Encoded(
            '$env:VAST_API_KEY = "{key}"\n', 'utf-16-le', before=b'\xff\xfe', after=b'\x00\xd8',
        )},
        ('scan', 'a.ps1'), 1, 'a.ps1:1',
    ),
    'UTF-32 without a BOM': Case(
        {'a.ps1': Encoded('$env:VAST_API_KEY = "{key}"\n', 'utf-32-le')}, ('scan', 'a.ps1'), 1,
        'a.ps1:1',
    ),
    'a NUL in the first 8,000 bytes of a text file': Case(
        {'a.log': Encoded('VAST_API_KEY={key}\n', 'utf-8', before=b'start\x00\n')},
        ('scan', 'a.log'), 1, 'a.log:2',
    ),
    'a real binary is skipped, and counted on stderr': Case(
        {'logo.png': PNG}, ('scan', 'logo.png'), 0, '1 binary file not scanned',
    ),
    'chmod 000 file named': Case(
        {'a.env': Locked('VAST_API_KEY={key}\n')}, ('scan', 'a.env'), 2,
        'a.env: cannot be read (Permission denied): not scanned', lines=2,
    ),
    'chmod 000 file inside a scanned folder': Case(
        {'dir/a.env': Locked('VAST_API_KEY={key}\n')}, ('scan', '--from-disk', 'dir'), 2,
        'dir/a.env: cannot be read', lines=2,
    ),
    'unreadable folder': Case(
        {'dir/sub/a.env': Locked('VAST_API_KEY={key}\n', folder=True)},
        ('scan', '--from-disk', 'dir'), 2, 'dir/sub: folder cannot be listed', lines=2,
    ),
    'scan SUB where SUB is a submodule': Case(
        {'sub/.git': 'gitdir: ../.git/modules/sub\n', 'sub/a.env': 'VAST_API_KEY={key}\n'},
        ('scan', 'sub'), 2, 'sub: a submodule or repository of its own: scan it from inside',
        lines=2,
    ),
    '--fail-on active: an API that cannot be reached is not "inactive"': Case(
        KEY_FILE, ('scan', 'a.env', '--fail-on', 'active', *NO_API), 1, 'unknown: network error',
    ),
    '--fail-on confirmed-active: unknown passes, said by name': Case(
        KEY_FILE, ('scan', 'a.env', '--fail-on', 'confirmed-active', *NO_API), 0,
        'unknown: network error',
    ),
    # --- names are data ------------------------------------------------------------------
    'a key in a file name is found, and redacted': Case(
        {'VAST_API_KEY={key}': 'nothing\n'}, ('scan', '--all-files'), 1, '(file name) VAST_API_KEY=',
        staged=('VAST_API_KEY={key}',),
    ),
    'ESC and U+202E in a file name are escaped': Case(
        {'evil\x1b[2J\u202egpj.env': 'VAST_API_KEY={key}\n'}, ('scan', '--all-files'), 1,
        'evil\\x1b[2J\\u202egpj.env:1', staged=('evil\x1b[2J\u202egpj.env',),
    ),
    # --- hangs and crashes ----------------------------------------------------------------
    'untracked nested .gitignore is a fifo: gitignore': Case(
        {'sub/.gitignore': FIFO, 'sub/a.txt': ''}, ('gitignore',), 2,
        'sub/.gitignore: a named pipe (FIFO)',
    ),
    'untracked nested .gitignore is a fifo: scan .': Case(
        {'sub/.gitignore': FIFO, 'sub/a.txt': ''}, ('scan', '.'), 2,
        'sub/.gitignore: a named pipe (FIFO)',
    ),
    'untracked nested .gitignore is a fifo: scan sub': Case(
        {'sub/.gitignore': FIFO, 'sub/a.txt': ''}, ('scan', 'sub'), 2,
        'sub/.gitignore: a named pipe (FIFO)',
    ),
    'untracked nested .gitignore is a fifo: init': Case(
        {'sub/.gitignore': FIFO, 'sub/a.txt': ''}, ('init', '--local'), 2,
        'sub/.gitignore: a named pipe (FIFO)',
    ),
    'root .gitignore is a fifo: scan sub': Case(
        {'.gitignore': FIFO, 'sub/a.txt': ''}, ('scan', 'sub'), 2, '.gitignore: a named pipe',
    ),
    'a folder nested 1,100 deep, from disk': Case(
        {f'{DEEP_PATH}a.env': 'VAST_API_KEY={key}\n'}, ('scan', '--from-disk', 'd'), 1,
        'a.env:1',
    ),
    'a folder nested 1,100 deep, untracked in a repository': Case(
        {f'{DEEP_PATH}a.env': 'VAST_API_KEY={key}\n'}, ('scan', 'd'), 1, 'a.env:1',
    ),
}


def _make_folders(repo: Path, folder: str) -> None:
    """mkdir -p, one level at a time: pathlib and os.makedirs recurse per level, and fail
    1,100 levels down as os.walk did."""
    at = str(repo)
    for part in folder.split('/') if folder else ():
        at = os.path.join(at, part)
        if not os.path.isdir(at):
            os.mkdir(at)


def _create(repo: Path, files: Mapping[str, str | bytes | Link | object], key: str) -> None:
    for name, content in files.items():
        name = name.replace('{key}', key)
        path = repo / name
        if path.is_symlink() or path.exists():
            path.unlink()
        _make_folders(repo, posixpath.dirname(name))
        if content is FIFO:
            os.mkfifo(path)
        elif isinstance(content, Link):
            path.symlink_to(content.target.replace('{key}', key))
        elif isinstance(content, Encoded):
            encoded = content.text.replace('{key}', key).encode(content.encoding)
            write(repo, name, content.before + encoded + content.after)
        elif isinstance(content, Locked):
            write(repo, name, content.text.replace('{key}', key))
            (path.parent if content.folder else path).chmod(0)
        elif isinstance(content, (str, bytes)):
            text = content.replace('{key}', key) if isinstance(content, str) else content
            write(repo, name, text)


def _run(argv: tuple[str, ...], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        (sys.executable, '-m', 'vastai_guard', *argv),
        cwd=cwd, capture_output=True, text=True, timeout=HANG_LIMIT_SECONDS,
        env={**os.environ, 'PYTHONPATH': str(REPO_ROOT)},
    )


@pytest.mark.parametrize('case', CASES.values(), ids=CASES.keys())
def test_hostile_input(tmp_path: Path, case: Case) -> None:
    repo = init_repo(tmp_path / case.repo_dir)
    key = new_key()
    for files in case.commits:
        _create(repo, {
            name: text.replace('{fingerprint}', hashlib.sha256(key.encode()).hexdigest())
            for name, text in files.items()
        }, key)
        git(repo, 'add', '-A')
        git(repo, 'commit', '-q', '-m', 'commit')
    for step in case.git_steps:
        git(repo, *(arg.replace('{key}', key) for arg in step))
    _create(repo, case.files, key)
    if any(isinstance(content, Locked) for content in case.files.values()) and (
            os.geteuid() == 0
    ):
        pytest.skip('root reads a chmod 000 file (tests/cli/coverage_test.py fakes it)')
    if case.staged:
        git(repo, 'add', '--', *(name.replace('{key}', key) for name in case.staged))
    _create(repo, case.then, key)
    cwd = tmp_path if case.cwd == '/' else repo / case.cwd

    try:
        result = _run(case.argv, cwd)
    finally:
        if (repo / DEEP_PATH).exists():
            # pytest's clean-up of old tmp_path folders recurses, and would fail on it
            remove_deep_tree(repo / 'd')

    said = result.stderr if case.exit == 2 else result.stdout + result.stderr
    assert (result.returncode, case.stderr in said) == (case.exit, True), result.stderr
    # exit 2 is one line: no traceback, no YAML node dumped
    if case.exit == 2:
        assert len(result.stderr.strip().splitlines()) == case.lines, result.stderr
        assert len(result.stderr) < 400 * case.lines, result.stderr
    assert key not in result.stdout + result.stderr
    assert not (tmp_path / 'fsmonitor-ran').exists() and not (repo / 'fsmonitor-ran').exists()
    assert not os.path.exists('/tmp/vastai-guard-never-written.json')
    # a name is data: no ESC sequence or bidi override reaches the terminal
    assert not {'\x1b', '\u202e'} & set(result.stdout + result.stderr)


# A name git hands over as bytes that are not UTF-8 (a Latin-1 name from an old system).
NOT_UTF8 = os.fsdecode(b'\xff.env')
STRICT_ASCII = {'PYTHONIOENCODING': 'ascii:strict'}
STRICT_UTF8 = {'PYTHONIOENCODING': 'utf-8:strict'}


@pytest.mark.parametrize(
    ('argv', 'env', 'shown'),
    (
        pytest.param(('scan',), STRICT_ASCII, '\\xff.env:1:', id='scan-staged-text-ascii'),
        pytest.param(('scan', '--all-files'), STRICT_UTF8, '\\xff.env:1:', id='scan-text-utf8'),
        pytest.param(('scan', '--format', 'json'), {}, '"\\\\xff.env"', id='scan-json'),
        pytest.param(('scan', '--format', 'sarif'), {}, '"uri": "%5Cxff.env"', id='scan-sarif'),
        pytest.param(
            ('scan', '--format', 'github'), STRICT_ASCII, 'file=\\xff.env,', id='scan-github',
        ),
        pytest.param(('scan', '--output', 'out'), {}, '\\xff.env:1:', id='scan-output'),
        pytest.param(('history',), STRICT_ASCII, '\\xff.env', id='history-text'),
        pytest.param(('history', '--format', 'json'), {}, '"\\\\xff.env"', id='history-json'),
        pytest.param(('history', '--format', 'sarif'), {}, '%5Cxff.env', id='history-sarif'),
        pytest.param(
            ('history', '--format', 'github'), STRICT_ASCII, 'file=\\xff.env,', id='history-github',
        ),
        pytest.param(
            ('history', '--format', 'markdown'), STRICT_ASCII, '`\\xff.env`', id='history-markdown',
        ),
        pytest.param(
            ('history', '--format', 'markdown', '--output', 'out'), STRICT_ASCII, '`\\xff.env`',
            id='history-markdown-output',
        ),
    ),
)
def test_file_names_that_are_not_utf8(
        tmp_path: Path, argv: tuple[str, ...], env: dict[str, str], shown: str,
) -> None:
    repo = init_repo(tmp_path / 'repo')
    key = new_key()
    write(repo, NOT_UTF8, f'VAST_API_KEY={key}\n')
    git(repo, 'add', '-A')
    if argv[0] == 'history':
        git(repo, 'commit', '-q', '-m', 'a name from an old system')

    result = subprocess.run(
        (sys.executable, '-m', 'vastai_guard', *argv),
        cwd=repo, capture_output=True, text=True, timeout=HANG_LIMIT_SECONDS,
        env={**os.environ, **env, 'PYTHONPATH': str(REPO_ROOT)},
    )

    assert result.returncode == 1, result.stderr
    report = (repo / 'out').read_text('utf-8') if '--output' in argv else result.stdout
    # the same escaped name in every format, never the raw byte nor a lone surrogate
    assert shown in report
    assert key not in report + result.stdout + result.stderr
