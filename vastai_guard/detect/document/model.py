"""A file's structure as the detector asks it: for a candidate at an offset (or a secret
value), the path that leads to it in the file's own format, and whether that path says Vast.ai.

    Secret `vast-api-secret` / data / api-key          (YAML, base64 under data:)
    resource `vastai_instance` / attributes / api_key  (tfstate JSON)
    heading `Vast.ai API Key` / fenced block           (Markdown)
    table row `Vast.ai` / column `Key`                 (Markdown table, CSV)
    section [tool.vast] / api_key                      (TOML, INI: at any distance)
    locals / api_keys / vastai                         (HCL)

One builder per format, chosen by the file's name; each reads the text once (a parser from the
standard library or PyYAML, or a line scanner), and a file that does not parse, or is bigger
than MAX_BYTES, has no document: the units then judge it by windows, as before.
"""
from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable
from typing import NamedTuple

# Bigger files are judged by windows only: a parse holds the whole tree in memory.
MAX_BYTES = 4 << 20


class Path(NamedTuple):
    """The steps that lead to a value, outermost first, each as a report shows it."""
    steps: tuple[str, ...]

    def label(self) -> str:
        return ' / '.join(self.steps)


class Span(NamedTuple):
    """A stretch of the text whose values have one context (a section, a fenced block)."""
    start: int
    end: int
    context: str


class Document:
    """Contexts that say Vast.ai: by stretch of text (line scanners) or by value (parsers,
    which know values, not offsets: a key is random, so its value names its place).

    `generic`: values in a plain credential slot (`auth / bearer / token`) that file-scope
    evidence may make Vast keys; `encoded`: base64 values that hold a key, by their context.
    """

    def __init__(
            self, spans: list[Span], by_value: dict[str, str], *,
            generic: dict[str, str] | None = None, encoded: dict[str, str] | None = None,
    ) -> None:
        self._spans = sorted(spans)
        self._starts = [span.start for span in self._spans]
        self._by_value = by_value
        self.generic = generic or {}
        self.encoded = encoded or {}

    def vast_context(self, offset: int, value: str) -> str | None:
        found = self._by_value.get(value)
        if found is not None:
            return found
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and self._spans[index].start <= offset < self._spans[index].end:
            return self._spans[index].context
        return None


Builder = Callable[[str], 'Document | None']

# The formats read, by file-name suffix.
_FORMATS = {
    'json': 'json', 'ipynb': 'json', 'tfstate': 'json', 'har': 'json',
    'yaml': 'yaml', 'yml': 'yaml',
    'md': 'markdown', 'markdown': 'markdown', 'mdx': 'markdown',
    'toml': 'sections', 'ini': 'sections', 'cfg': 'sections', 'conf': 'sections',
    'tf': 'hcl', 'hcl': 'hcl', 'tfvars': 'hcl',
    'csv': 'csv', 'tsv': 'csv',
}


def format_of(path: str) -> str:
    """The document format a file's name says ('' for none): part of what a path tells the
    detector (detector.PathKind), since the same content parses differently by format."""
    name = posixpath.basename(path).lower()
    return _FORMATS.get(name.rsplit('.', 1)[-1], '') if '.' in name else ''


def _builder(path: str) -> Builder | None:
    from vastai_guard.detect.document import lines
    from vastai_guard.detect.document import trees

    builders: dict[str, Builder] = {
        'json': trees.json_document, 'yaml': trees.yaml_document,
        'markdown': lines.markdown_document, 'sections': lines.section_document,
        'hcl': lines.hcl_document, 'csv': lines.csv_document,
    }
    return builders.get(format_of(path))


def is_tree_format(path: str) -> bool:
    """JSON or YAML by name: a format whose values the document knows (not only offsets)."""
    return format_of(path) in ('json', 'yaml')


def build(text: str, path: str) -> Document | None:
    """The document of `text`, or None (no format we read, too big, does not parse)."""
    if len(text) > MAX_BYTES:
        return None
    builder = _builder(path)
    return None if builder is None else builder(text)
