"""README.md: short, its fresh-machine commands true and the ones CI runs, its links live."""
from __future__ import annotations

import re
import shlex

from testing.docs import README
from testing.docs import page
from testing.docs import path_of
from testing.util import REPO_ROOT
from testing.util import git
from testing.util import run_cli_on_terminal

CI_RUN = REPO_ROOT / '.ci' / 'run'


def _fresh_machine_commands() -> list[str]:
    text = page('README.md')
    start = text.index('\n## On a fresh machine\n')
    return re.findall(r'^```sh\n(python3 -m venv .*)\n```$', text[start:], re.M)


def test_the_readme_is_read_in_five_minutes() -> None:
    assert len(README.read_bytes()) <= 12 * 1024


def test_the_readme_has_the_two_fresh_machine_commands() -> None:
    setup, tests = _fresh_machine_commands()
    assert setup.endswith('&& vastai-guard scan --all-files')
    assert "pip install -e '.[test]'" in tests
    assert tests.endswith('&& python -m pytest -q -n auto')


def test_ci_runs_the_readme_commands() -> None:
    """.ci/run installs what both commands install and runs what both run, line for line."""
    ci = CI_RUN.read_text(encoding='utf-8').splitlines()
    for command in _fresh_machine_commands():
        steps = [step.strip() for step in command.split('&&')]
        assert steps[0] in ci  # python3 -m venv .venv
        assert steps[-1] in ci
        extras = re.search(r"-e '?\.(?:\[([a-z,]+)\])?'?", steps[2])
        assert extras is not None
        wanted = set((extras.group(1) or '').split(',')) - {''}
        (install,) = [line for line in ci if 'pip install' in line and ' -e ' in line]
        installed = re.search(r"-e '\.\[([a-z,]+)\]'", install)
        assert installed is not None
        assert wanted <= set(installed.group(1).split(','))
    assert 'pre-commit run --all-files --show-diff-on-failure' in ci
    assert any(shlex.split(line)[:3] == ['mkdocs', 'build', '--strict'] for line in ci if line and not line.startswith('#'))


def test_the_first_command_prints_what_the_readme_says() -> None:
    """`vastai-guard scan --all-files` on this checkout: clean, counting every tracked file."""
    text = page('README.md')
    said = re.search(r'it prints `(vastai-guard: no Vast\.ai keys in) N files`', text)
    assert said is not None
    tracked = len(git(REPO_ROOT, 'ls-files', '-z').split('\0')) - 1
    result = run_cli_on_terminal(['scan', '--all-files'], REPO_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f'{said.group(1)} {tracked} files'


def _anchors(markdown: str) -> set[str]:
    """The ids MkDocs (Python-Markdown's toc) gives the headings of a page."""
    anchors = set()
    in_fence = False
    for line in markdown.splitlines():
        if line.startswith('```'):
            in_fence = not in_fence
        elif not in_fence and (heading := re.match(r'#+ (.*)', line)):
            words = re.sub(r'[^\w\s-]', '', heading.group(1).replace('`', '')).strip().lower()
            anchors.add(re.sub(r'[-\s]+', '-', words))
    return anchors


def test_the_readme_links_lead_to_pages_and_headings_that_exist() -> None:
    links = re.findall(r'\]\(((?:docs/)?[\w.-]+\.md)(?:#([\w-]+))?\)', page('README.md'))
    assert len(links) >= 10
    for target, anchor in links:
        name = target.removeprefix('docs/') if target.startswith('docs/') else target
        path = path_of(name) if target.startswith('docs/') else REPO_ROOT / target
        assert path.is_file(), target
        if anchor:
            assert anchor in _anchors(path.read_text(encoding='utf-8')), f'{target}#{anchor}'


def test_the_anchor_rule_is_mkdocs_rule() -> None:
    assert _anchors('## `vastai-guard scan [PATH ...]`\n```\n# not a heading\n```\n') == {
        'vastai-guard-scan-path',
    }
