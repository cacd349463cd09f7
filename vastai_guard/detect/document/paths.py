"""Whether a path in a document says Vast.ai, and whether it is a credential's.

A path is a Vast key's when a step says Vast (`vast-api-secret`, `vastai_instance`,
`Vast.ai API Key`, `[tool.vast]`) and the leaf, or one of the two steps above it, names a
credential; unless the leaf or its nearest step names something else (a digest, another
vendor): the nearer context wins.
"""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect.context import says_vast_ai

# How many steps above the leaf may name the credential (`api_keys / vastai`, `bearer / token`).
_SECRET_REACH = 2


def _step_says_vast(step: str) -> bool:
    return says_vast_ai(step) or names.says_vast(step)


def is_credential(steps: Sequence[str]) -> bool:
    """The leaf or a near step names a credential, and neither the leaf nor its nearest step
    names something else."""
    if not steps:
        return False
    near = steps[-1 - _SECRET_REACH:]
    # the leaf, and a near step that is itself a credential's name (`ssh_keys / deploy`), may
    # name something else; a container (`data`, `stringData`, `attributes`) never does
    if names.is_excluded(steps[-1]) or any(
            names.is_secret_slot(step) and names.is_excluded(step) for step in near):
        return False
    return any(names.is_secret_slot(step) for step in near)


def says_vast(steps: Sequence[str]) -> bool:
    """A step says Vast, and a leaf that does not is a plain credential: under a job named
    `vast-deploy`, `API_TOKEN` is Vast's but `NPM_TOKEN` names its own vendor."""
    if not steps:
        return False
    if _step_says_vast(steps[-1]):
        return True
    return any(_step_says_vast(step) for step in steps[:-1]) and _is_plain(steps[-1])


def _is_plain(leaf: str) -> bool:
    return names.words(leaf) <= rules.GENERIC_SLOT_WORDS | _CONTAINER_WORDS


def is_generic_credential(steps: Sequence[str]) -> bool:
    """A plain credential (`auth / bearer / token`) naming no vendor: file-scope evidence may
    make it a Vast key."""
    return is_credential(steps) and all(
        names.words(step) <= rules.GENERIC_SLOT_WORDS | _CONTAINER_WORDS for step in steps[-2:])


# Words of the containers a generic credential sits in (Postman, HAR, OpenAPI exports).
_CONTAINER_WORDS = frozenset(('value', 'default', 'headers', 'header', 'variable', 'variables'))


def label(steps: Sequence[str]) -> str:
    return ' / '.join(names.label(step, 40) for step in steps)
