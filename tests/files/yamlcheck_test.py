"""yamlcheck: YAML that costs too much is refused before it is loaded; the rest is left alone."""
from __future__ import annotations

import pytest
import yaml

from vastai_guard.files import yamlcheck


class _Refused(Exception):
    pass


def _laughs(levels: int, width: int) -> str:
    lines = ['a0: &a0 [x]']
    for level in range(1, levels):
        refs = ', '.join(f'*a{level - 1}' for _ in range(width))
        lines.append(f'a{level}: &a{level} [{refs}]')
    return '\n'.join(lines) + '\n'


def test_billion_laughs_is_refused() -> None:
    text = _laughs(10, 10)
    assert len(text) < 1000  # a few hundred bytes of text ...
    with pytest.raises(_Refused, match=r'config\.yaml:\d+: more than 100000 values'):
        yamlcheck.check(text, 'config.yaml', _Refused)


def test_modest_aliases_are_fine() -> None:
    # a config that shares one list a few times stays allowed
    yamlcheck.check(_laughs(3, 3), 'config.yaml', _Refused)


def test_too_deep_is_refused_with_its_line() -> None:
    depth = yamlcheck.MAX_DEPTH + 1
    text = ''.join(f'{"  " * level}k{level}:\n' for level in range(depth)) + '  ' * depth + 'v\n'
    with pytest.raises(_Refused, match='nested more than 64 levels deep'):
        yamlcheck.check(text, 'deep.yaml', _Refused)
    flow = '[' * (yamlcheck.MAX_DEPTH + 1) + ']' * (yamlcheck.MAX_DEPTH + 1)
    with pytest.raises(_Refused, match=r'deep\.yaml:1: nested'):
        yamlcheck.check(flow, 'deep.yaml', _Refused)
    ok = '[' * yamlcheck.MAX_DEPTH + ']' * yamlcheck.MAX_DEPTH
    yamlcheck.check(ok, 'deep.yaml', _Refused)  # the limit itself is allowed


def test_too_big_is_refused() -> None:
    with pytest.raises(_Refused, match='larger than 1024 KiB'):
        yamlcheck.check('#' * (yamlcheck.MAX_BYTES + 1), 'big.yaml', _Refused)


def test_syntax_errors_are_left_to_the_loader() -> None:
    yamlcheck.check('a: [1, 2\n', 'bad.yaml', _Refused)  # no raise


def test_invalid_names_the_line() -> None:
    text = 'a: 1\nb: [1, 2\nc: 3\n'
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.safe_load(text)
    line = yamlcheck.invalid(raised.value, text, 'x.yaml')
    assert line.startswith('x.yaml:')
    assert ': invalid YAML: ' in line
    assert '\n' not in line


def test_invalid_for_a_reader_error_is_one_line() -> None:
    text = 'a: 1\nb: \x07\n'  # a control character: a reader error, no mark
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.safe_load(text)
    line = yamlcheck.invalid(raised.value, text, 'x.yaml')
    assert line.startswith('x.yaml:2: invalid YAML: ')
    assert '\n' not in line


def test_safe_load_bad_tagged_value_is_a_yaml_error_at_its_line() -> None:
    assert yamlcheck.safe_load('a: !!int 12\n') == {'a': 12}
    with pytest.raises(yaml.constructor.ConstructorError) as raised:
        yamlcheck.safe_load('a: 1\nb: !!int abc\n')
    assert raised.value.problem_mark is not None
    assert raised.value.problem_mark.line == 1
    with pytest.raises(yaml.constructor.ConstructorError):
        yamlcheck.safe_load('!!python/object:os.system {}\n')  # still safe
