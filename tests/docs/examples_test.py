"""The example output in README.md and docs/ is what a real run prints today."""
from __future__ import annotations

import pytest

from testing import docs_examples
from testing.docs import page


def _documented() -> list[tuple[str, str, str]]:
    return [
        (name, example, block)
        for name in docs_examples.DOCUMENTS
        for example, block in docs_examples.blocks(page(name))
    ]


@pytest.fixture(scope='module')
def fresh() -> dict[str, str]:
    return {name: docs_examples.run(name) for name in docs_examples.EXAMPLES}


def test_the_readme_shows_its_three_recipes_from_real_runs() -> None:
    shown = [example for example, _ in docs_examples.blocks(page('README.md'))]
    assert shown == ['protect', 'audit', 'ci-action']


def test_every_example_is_shown_somewhere() -> None:
    assert {example for _, example, _ in _documented()} == set(docs_examples.EXAMPLES)


@pytest.mark.parametrize(
    ('name', 'example', 'block'),
    [pytest.param(*entry, id=f'{entry[0]}:{entry[1]}') for entry in _documented()],
)
def test_a_documented_example_is_what_a_real_run_prints(
        fresh: dict[str, str], name: str, example: str, block: str,
) -> None:
    assert block == fresh[example], (
        f'{name}: the {example!r} example is stale; run `python -m testing.docs_examples`'
    )


def test_the_examples_show_what_they_are_there_to_show(fresh: dict[str, str]) -> None:
    """Positive controls: a stale-but-equal pair of empty runs would not pass."""
    protect = fresh['protect']
    assert 'pre-commit installed at .git/hooks/pre-push' in protect
    assert 'train.py:3: vast-api-key:' in protect
    assert 'Failed' in protect
    audit = fresh['audit']
    assert audit.count('needs-rotation: vast-api-key') == 1
    assert '1 needs rotation' in audit
    assert 'rotated: vast-api-key' in audit.split('$ vastai-guard history -q')[1]
    assert fresh['ci-action'].startswith('vastai-guard: 1 Vast.ai key in history')
    assert '::error file=scripts/launch.sh,line=1,title=vast-cli-api-key::' in fresh['ci-action']
    recorded, rescanned = fresh['baseline'].split('$ git add train.py')
    assert '2 Vast.ai keys in 2 files recorded as known' in recorded
    assert 'train.py:1: vast-api-key:' in rescanned
    assert 'deploy/.env.prod' not in rescanned and 'notes/setup.md' not in rescanned
    assert '(already committed)' in fresh['scan-committed']
    assert 'not in any commit yet' in fresh['scan-staged']


def test_no_example_holds_a_key(fresh: dict[str, str]) -> None:
    keys = [docs_examples.example_key(n) for n in range(1, 9)]
    shown = ''.join(fresh.values()) + ''.join(page(name) for name in docs_examples.DOCUMENTS)
    assert [key for key in keys if key in shown] == []
    # the audit example names its key by fingerprint, as history does
    assert docs_examples.fingerprint(keys[1]) in shown


def test_refreshing_writes_a_fresh_run_into_its_block() -> None:
    stale = 'intro\n<!-- example: audit -->\n```console\n$ old\n```\nafter\n'
    assert docs_examples.refreshed(stale, {'audit': '$ new\nout\n'}) == (
        'intro\n<!-- example: audit -->\n```console\n$ new\nout\n```\nafter\n'
    )
