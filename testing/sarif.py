"""Validate a SARIF log against the official OASIS SARIF 2.1.0 schema shipped in tests/.

tests/sarif-schema-2.1.0.json is the OASIS errata01 schema
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json),
kept byte for byte, so the tests need no network.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parent.parent / 'tests' / 'sarif-schema-2.1.0.json'


def _validator() -> Any:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    schema = json.loads(SCHEMA.read_text(encoding='utf-8'))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validated(text: str) -> dict[str, Any]:
    """The parsed log; raises jsonschema.ValidationError when it breaks the schema."""
    log: dict[str, Any] = json.loads(text)
    _validator().validate(log)
    return log
