"""The document's structure: a candidate judged with its full path in the file's own format
(document/), for files that parse: `Secret vast-api-secret / data / api-key`,
`resource vastai_x / attributes / api_key`, `heading Vast.ai API Key / fenced block`,
`table row Vast.ai / column key`, `[tool.vast] ... api_key` at any distance; and a plain
credential path (`auth / bearer / token`) in a file that configures a Vast client.
"""
from __future__ import annotations

from vastai_guard.detect import rules
from vastai_guard.detect.context import Judged
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict


def judge(case: Judged) -> Answer:
    document = case.scope.document()
    if document is None:
        return None
    value = case.text[case.candidate.start:case.candidate.end]
    context = document.vast_context(case.candidate.start, value)
    if context is not None:
        return Verdict(rules.HOST_CONTEXT, context)
    generic = document.generic.get(value)
    if generic is not None:
        client = case.scope.client()
        if client is not None:
            return Verdict(rules.HOST_CONTEXT, f'{generic} ({client})')
    return None
