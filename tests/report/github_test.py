"""`--format github`: workflow commands that GitHub Actions turns into annotations."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.findings import redact
from vastai_guard.main import main
from vastai_guard.report import github
from vastai_guard.report.results import Result

_COMMAND = re.compile(r'::(?P<command>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)')


def _unescape(text: str) -> str:
    # The runner's order: %25 last, so an escaped '%3A' in the text stays '%3A'.
    for code, char in (('%0D', '\r'), ('%0A', '\n'), ('%3A', ':'), ('%2C', ','), ('%25', '%')):
        text = text.replace(code, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read back the way the Actions runner reads it."""
    match = _COMMAND.fullmatch(line)
    assert match is not None, line
    props = dict(part.split('=', 1) for part in match['props'].split(','))
    return (
        match['command'],
        {name: _unescape(value) for name, value in props.items()},
        _unescape(match['message']),
    )


def test_scan_findings_become_error_annotations(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'app/.env', f'X=1\nVAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'github']) == 1
    out = capsys.readouterr()
    assert key not in out.out + out.err
    (line,) = out.out.splitlines()
    command, props, message = parse(line)
    assert command == 'error'
    assert props == {'file': 'app/.env', 'line': '2', 'title': 'vast-api-key'}
    assert redact(key) in message and 'Rotate' in message


@pytest.mark.parametrize(
    ('path', 'message'),
    (
        pytest.param('a,b:c.env', 'plain', id='comma-colon-in-path'),
        pytest.param('100%.env', 'line one\nline two\r\n50% done', id='newlines-percent'),
        pytest.param('x.env', 'key::value, and %0A literally', id='command-lookalikes'),
    ),
)
def test_properties_and_messages_survive_escaping(path: str, message: str) -> None:
    text = github.render([
        Result('vast-api-key', 'error', message, path, 4, None),
        Result('gitignore-env', 'warning', message, path, None, None),
        Result('vast-api-key', 'note', message, path, 1, None),
    ])
    lines = text.splitlines()
    assert len(lines) == 3  # a newline in a message never starts a new command
    parsed = [parse(line) for line in lines]
    assert [p[0] for p in parsed] == ['error', 'warning', 'notice']
    assert parsed[0][1] == {'file': path, 'line': '4', 'title': 'vast-api-key'}
    assert parsed[1][1] == {'file': path, 'title': 'gitignore-env'}  # no line: whole file
    assert {p[2] for p in parsed} == {message}


@pytest.mark.parametrize(
    ('env', 'args', 'looks_like'),
    (
        pytest.param({'GITHUB_ACTIONS': 'true'}, [], 'github', id='actions-default'),
        pytest.param({'GITHUB_ACTIONS': 'true'}, ['--format', 'text'], 'text', id='asked-wins'),
        pytest.param({'GITHUB_ACTIONS': 'false'}, [], 'text', id='not-actions'),
        pytest.param({}, [], 'text', id='laptop'),
    ),
)
def test_default_format_is_github_inside_actions(
        repo: Path, env: dict[str, str], args: list[str], looks_like: str,
) -> None:
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    result = run_cli(['scan', '--all-files', *args], repo, env=env)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith('::error ') == (looks_like == 'github')
    assert first.startswith('.env:1: vast-api-key: ') == (looks_like == 'text')
