"""The docs site: every page is in the nav and every nav entry is a page; one version, stated once."""
from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import yaml

from testing.docs import DOCS
from testing.docs import page
from testing.util import REPO_ROOT


def _pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _pages(value)


def _mkdocs() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO_ROOT / 'mkdocs.yml').read_text(encoding='utf-8'))
    return config


def test_every_page_is_in_the_nav_and_every_nav_entry_is_a_page() -> None:
    listed = list(_pages(_mkdocs()['nav']))
    assert len(listed) == len(set(listed))
    assert set(listed) == {path.name for path in DOCS.glob('*.md')}


def test_the_site_is_strict_material_and_built_where_git_ignores_it() -> None:
    config = _mkdocs()
    assert config['theme']['name'] == 'material'
    assert config['strict'] is True
    assert config['site_dir'] == 'site'
    assert 'site/' in (REPO_ROOT / '.gitignore').read_text(encoding='utf-8').splitlines()
    extras = (REPO_ROOT / 'pyproject.toml').read_text(encoding='utf-8')
    assert re.search(r'^docs = \["mkdocs-material>=9"\]$', extras, re.M)


def test_the_pages_the_issue_asks_for_exist() -> None:
    for name in ('commands.md', 'rules.md', 'config.md', 'baselines.md', 'verify.md', 'ci.md',
                 'guarantees.md', 'exit-codes.md', 'performance.md', 'design.md',
                 'vast-facts.md', 'leak-response.md', 'sweep.md'):
        assert (DOCS / name).is_file(), name


def _project_version() -> str:
    text = (REPO_ROOT / 'pyproject.toml').read_text(encoding='utf-8')
    found: list[str] = re.findall(r'^version = "([^"]+)"$', text, re.M)
    assert len(found) == 1
    return found[0]


def test_the_version_is_set_in_pyproject_alone() -> None:
    assert version('vastai-guard') == _project_version()
    # the Action installs "its own copy" or what the user asks: it names no release of its own
    action = (REPO_ROOT / 'action.yml').read_text(encoding='utf-8')
    assert re.findall(r'\d+\.\d+\.\d+', action) == []


def test_every_release_the_docs_pin_is_this_version() -> None:
    texts = {name: page(name) for name in ['README.md', *(p.name for p in DOCS.glob('*.md'))]}
    texts['CONTRIBUTING.md'] = (REPO_ROOT / 'CONTRIBUTING.md').read_text(encoding='utf-8')
    pinned = {
        (name, tag) for name, text in texts.items()
        for tag in re.findall(r'\bv\d+\.\d+\.\d+\b|vastai-guard==[\d.]+', text)
    }
    assert {name for name, _ in pinned} >= {'README.md', 'ci.md', 'commands.md'}
    assert {tag for _, tag in pinned} == {f'v{_project_version()}'}


def test_the_changelog_names_this_version_as_its_newest() -> None:
    changelog = (REPO_ROOT / 'CHANGELOG.md').read_text(encoding='utf-8')
    headings = re.findall(r'^## \[([^\]]+)\]', changelog, re.M)
    assert headings[0] == 'Unreleased'
    assert headings[1] == _project_version()


def test_every_file_of_this_repository_the_docs_name_exists() -> None:
    """`tests/detect/corpus_test.py`, `benchmarks/history_bench.py`...: moved files are followed."""
    texts = [page(name) for name in ['README.md', *(p.name for p in DOCS.glob('*.md'))]]
    texts += [(REPO_ROOT / name).read_text(encoding='utf-8')
              for name in ('CONTRIBUTING.md', 'CHANGELOG.md')]
    named = {
        path for text in texts
        for path in re.findall(
            r'(?<![\w/.-])((?:tests|testing|benchmarks|vastai_guard|action|docs|\.ci)/'
            r'[\w./-]*\w\.(?:py|json|md|yml|yaml)|\.ci/run)\b', text,
        )
    }
    assert {'tests/detect/corpus_test.py', 'benchmarks/history_bench.py', '.ci/run'} <= named
    assert sorted(path for path in named if not (REPO_ROOT / path).is_file()) == []
