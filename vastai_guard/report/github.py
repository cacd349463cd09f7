"""GitHub Actions workflow commands: each result becomes an annotation on the pull request.

    ::error file=app/.env,line=3,title=vast-api-key::Vast.ai API key ... 5c48...79a7 ...

Escaping follows the runner's own rules (actions/toolkit `command.ts`): in the message
`%`, CR and LF; in property values also `:` and `,`, which would end the value.
"""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import shown_path
from vastai_guard.report.results import ERROR
from vastai_guard.report.results import NOTE
from vastai_guard.report.results import Result

_COMMANDS = {ERROR: 'error', NOTE: 'notice'}  # anything else is a warning


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title): also ':' and ','."""
    return escape_data(text).replace(':', '%3A').replace(',', '%2C')


def annotation(result: Result) -> str:
    """One `::error ...::message` line for a result."""
    properties = [('file', shown_path(result.path))]
    if result.line is not None:
        properties.append(('line', str(result.line)))
    properties.append(('title', result.rule_id))
    props = ','.join(f'{name}={escape_property(value)}' for name, value in properties)
    command = _COMMANDS.get(result.level, 'warning')
    return f'::{command} {props}::{escape_data(result.message)}'


def render(results: Sequence[Result]) -> str:
    """Every result as one annotation line."""
    return ''.join(annotation(result) + '\n' for result in results)
