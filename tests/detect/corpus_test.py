"""The detector against the corpus of real-world leak shapes and look-alikes (testing/corpus.py)."""
from __future__ import annotations

import pytest

from testing.corpus import LOOK_ALIKES
from testing.corpus import POSITIVES
from testing.corpus import Case
from testing.corpus import render
from testing.util import new_key
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.detector import is_key_file
from vastai_guard.detect.detector import may_hold_secret


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(POSITIVES) + len(LOOK_ALIKES) >= 120
    assert len({case.id for case in POSITIVES + LOOK_ALIKES}) == len(POSITIVES + LOOK_ALIKES)


@pytest.mark.parametrize('case', POSITIVES, ids=lambda case: case.id)
def test_leak_is_found_with_its_context(case: Case) -> None:
    key = new_key()
    matches = find_secrets(render(case.template, key), case.path)
    assert [(m.rule, m.line, m.secret) for m in matches] == [(case.rule, case.line, key)]
    assert case.context.lower() in matches[0].context.lower()
    assert key not in matches[0].context


@pytest.mark.parametrize('case', LOOK_ALIKES, ids=lambda case: case.id)
def test_look_alike_is_quiet(case: Case) -> None:
    assert find_secrets(render(case.template, new_key()), case.path) == []


@pytest.mark.parametrize('case', POSITIVES, ids=lambda case: case.id)
def test_the_line_prefilter_passes_every_leak(case: Case) -> None:
    """History skips a file version when no line passes may_hold_secret: none may hide a leak."""
    if is_key_file(case.path):
        return  # judged by their name, never prefiltered
    text = render(case.template, new_key())
    assert any(may_hold_secret(line.encode()) for line in text.split('\n'))
