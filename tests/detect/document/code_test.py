"""A literal's call: its naming keywords, its first argument, its assignment target."""
from __future__ import annotations

from vastai_guard.detect.document.code import call_owners


def _owners(text: str) -> list[str]:
    return call_owners(text, text.index('KEY'))


def test_keyword_and_target_name_the_literal() -> None:
    assert _owners('VAST = create_config(\n  env_name="VAST_API_KEY",\n  default_value="KEY",\n)') == [
        'VAST_API_KEY', 'VAST']
    assert _owners('vast_api_key: str = Field(default="KEY", alias="VAST_API_KEY")') == [
        'VAST_API_KEY', 'vast_api_key']
    assert _owners('x = cfg.get("vast_api_key", fallback="KEY")') == ['vast_api_key', 'x']


def test_nested_calls_are_stepped_over() -> None:
    assert _owners('k = make(name="A", inner=wrap(1, (2)), default="KEY")') == ['A', 'k']


def test_no_call_no_owner() -> None:
    assert _owners('default = "KEY"') == []
    assert _owners(')' * 5000 + ' default="KEY"') == []


def test_callee_and_fallback_owner() -> None:
    from vastai_guard.detect.document.code import callee
    from vastai_guard.detect.document.code import fallback_owner

    text = 'c = VastClient(\n  region="x",\n  api_key="KEY",\n)'
    assert callee(text, text.index('KEY')) == 'VastClient'
    text = 'let k = env::var("VAST_API_KEY").unwrap_or("KEY".into());'
    assert fallback_owner(text, text.rindex('KEY'), frozenset({'unwrap_or'})) == 'VAST_API_KEY'
    assert fallback_owner(text, text.rindex('KEY'), frozenset({'or_else'})) is None
