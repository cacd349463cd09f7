"""The documentation as the tests read it: README.md and the MkDocs pages under docs/."""
from __future__ import annotations

import re
from pathlib import Path

from testing.util import REPO_ROOT

DOCS = REPO_ROOT / 'docs'
README = REPO_ROOT / 'README.md'


def path_of(name: str) -> Path:
    """A docs page (`ci.md`), or README.md."""
    return README if name == 'README.md' else DOCS / name


def page(name: str) -> str:
    """A docs page's Markdown (`page('ci.md')`), or the README's (`page('README.md')`)."""
    return path_of(name).read_text(encoding='utf-8')


def section(text: str, heading: str) -> str:
    """From the heading line (`## Output formats`) to the next heading of its level or above.

    Lines in fenced code blocks are not headings (`# .gitlab-ci.yml` in a YAML block).
    """
    level = len(heading) - len(heading.lstrip('#'))
    lines = text.split('\n')
    start = lines.index(heading)
    in_fence = False
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if line.startswith('```'):
            in_fence = not in_fence
        elif not in_fence and re.match(rf'#{{1,{level}}} ', line):
            return '\n'.join(lines[start:number]) + '\n'
    return '\n'.join(lines[start:])


def fenced(text: str) -> list[str]:
    """The lines of every fenced code block in a Markdown text, headings in YAML included."""
    return re.findall(r'^```[a-z]*\n(.*?)^```$', text, re.M | re.S)
