"""What encloses a line (parent keys, sections, headings): structure.enclosing, sibling_name."""
from __future__ import annotations

from vastai_guard.detect.structure import enclosing
from vastai_guard.detect.structure import is_markdown
from vastai_guard.detect.structure import sibling_name

MARK = 'api_key'


def _labels(text: str, *, markdown: bool = False) -> list[tuple[str, str]]:
    line_start = text.index(MARK)
    line_start = text.rfind('\n', 0, line_start) + 1
    return [(e.kind, e.label.strip().strip('"\'')) for e in enclosing(
        text, line_start, markdown=markdown,
    )]


def test_yaml_parents_nearest_first() -> None:
    text = 'providers:\n  vast:\n    other: 1\n    api_key: VALUE\n'
    assert _labels(text) == [('parent', 'vast'), ('parent', 'providers')]


def test_ini_section() -> None:
    text = '[vast]\nurl = x\n\n; comment\napi_key = VALUE\n'
    assert _labels(text) == [('section', 'vast')]


def test_toml_nested_table() -> None:
    text = '[[providers.vast]]\napi_key = "VALUE"\n'
    assert _labels(text) == [('section', 'providers.vast')]


def test_json_object() -> None:
    text = '{\n  "VastAi": {\n    "api_key": "VALUE"\n  }\n}\n'
    assert ('parent', 'VastAi') in _labels(text)


def test_markdown_heading_only_in_markdown() -> None:
    text = '## Vast.ai\n\napi_key: VALUE\n'
    assert _labels(text, markdown=True) == [('heading', 'Vast.ai')]
    # in a script the same line is a comment, not a heading
    assert _labels(text, markdown=False) == []


def test_a_sibling_section_does_not_enclose() -> None:
    # `other:` closed before `vast:`; api_key is under `vast`, not under `other`
    text = 'other:\n  x: 1\nvast:\n  api_key: VALUE\n'
    assert _labels(text) == [('parent', 'vast')]


def test_far_section_is_out_of_reach() -> None:
    # the walk is bounded: a header 100 lines up is not seen (costs the same for any file)
    text = '[vast]\n' + 'x = 1\n' * 100 + 'api_key = VALUE\n'
    assert _labels(text) == []


def test_sibling_name_of_a_value() -> None:
    text = 'env:\n  - name: VAST_API_KEY\n    value: VALUE\n'
    line_start = text.index('    value')
    assert sibling_name(text, line_start) == 'VAST_API_KEY'


def test_no_sibling_name_across_a_parent() -> None:
    text = '- name: VAST_API_KEY\nitems:\n  value: VALUE\n'
    line_start = text.index('  value')
    assert sibling_name(text, line_start) is None


def test_is_markdown() -> None:
    assert is_markdown('docs/README.MD')
    assert is_markdown('notes.txt')
    assert not is_markdown('config.yaml')


def test_crlf_files_read_like_lf_ones() -> None:
    # Windows line endings: no `\r` in a label, and indentation still counts
    text = 'providers:\r\n  vast:\r\n    api_key: VALUE\r\n'
    assert _labels(text) == [('parent', 'vast'), ('parent', 'providers')]
    listed = 'env:\r\n  - name: VAST_API_KEY\r\n    value: VALUE\r\n'
    assert sibling_name(listed, listed.index('    value')) == 'VAST_API_KEY'
