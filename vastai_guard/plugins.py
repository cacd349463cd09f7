"""detect-secrets plugins for Vast.ai keys: a thin adapter over vastai_guard's own detector.

    detect-secrets scan --plugin "$(python -c 'import vastai_guard.plugins as p; print(p.__file__)')"

Each rule in rules.py is one RegexBasedDetector with a stable `secret_type` (baselines key on
it). detect-secrets calls `analyze_line` with the file name and five lines of context either
side; the adapter runs the same detector as `vastai-guard scan` on that snippet, so the file
name (CLI key files) and nearby Vast hosts count here too.
"""
from __future__ import annotations

import re
from collections.abc import Generator
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.util.code_snippet import CodeSnippet

from vastai_guard import rules
from vastai_guard.detect import find_secrets
from vastai_guard.rules import Rule


class _VastAIDetector(RegexBasedDetector):
    """Shared behaviour; the leading underscore keeps detect-secrets from loading it."""

    rule: Rule
    denylist: Iterable[re.Pattern[str]] = ()

    def _secrets(self, text: str, filename: str, line_number: int) -> list[str]:
        return [
            match.secret for match in find_secrets(text, filename)
            if match.rule == self.rule and match.line == line_number
        ]

    def analyze_string(self, string: str) -> Generator[str, None, None]:
        yield from self._secrets(string, '', 1)

    def analyze_line(
            self,
            filename: str,
            line: str,
            line_number: int = 0,
            context: CodeSnippet | None = None,
            **kwargs: Any,
    ) -> set[PotentialSecret]:
        if context is None:
            text, target = line, 1
        else:
            # detect-secrets reads lines with their newlines (readlines)
            lines = (line.rstrip('\r\n') for line in context.lines)
            text, target = '\n'.join(lines), context.target_index + 1
        return {
            PotentialSecret(
                type=self.secret_type,
                filename=filename,
                secret=secret,
                line_number=line_number,
            )
            for secret in self._secrets(text, filename, target)
        }


class VastAIKeyDetector(_VastAIDetector):
    """VAST_API_KEY=..., vastApiKey: "...", os.environ["VAST_API_KEY"] = "..." and kin."""
    rule = rules.ASSIGNMENT
    secret_type = rules.ASSIGNMENT.secret_type
    denylist = (re.compile(rules.ASSIGNMENT_PATTERN),)


class VastAICLIKeyDetector(_VastAIDetector):
    """`vastai set api-key KEY`, `vastai ... --api-key KEY`."""
    rule = rules.CLI
    secret_type = rules.CLI.secret_type
    denylist = (re.compile(rules.CLI_PATTERN),)


class VastAIURLKeyDetector(_VastAIDetector):
    """`https://console.vast.ai/api/v0/...?api_key=KEY`."""
    rule = rules.URL
    secret_type = rules.URL.secret_type
    denylist = (re.compile(rules.URL_PATTERN),)


class VastAIHostKeyDetector(_VastAIDetector):
    """A Bearer token or api_key sent to a vast.ai host, the SDK, or a dstack vastai backend."""
    rule = rules.HOST_CONTEXT
    secret_type = rules.HOST_CONTEXT.secret_type
    denylist = (re.compile(rules.SLOT_PATTERN),)


class VastAIKeyFileDetector(_VastAIDetector):
    """A committed `.vast_api_key` / `.config/vastai/vast_api_key` holding a key."""
    rule = rules.KEY_FILE
    secret_type = rules.KEY_FILE.secret_type
    denylist = (re.compile(rules.KEY_FILE_PATTERN),)


class VastAIContainerKeyDetector(_VastAIDetector):
    """CONTAINER_API_KEY, the per-instance key."""
    rule = rules.CONTAINER
    secret_type = rules.CONTAINER.secret_type
    denylist = (re.compile(rules.CONTAINER_PATTERN),)


class VastAIBase64KeyDetector(_VastAIDetector):
    """A base64-encoded key under a Vast-named key (Kubernetes Secret `data:`)."""
    rule = rules.BASE64
    secret_type = rules.BASE64.secret_type
    denylist = (re.compile(rules.NAMED_VALUE_PATTERN),)


class VastAINamedSecretDetector(_VastAIDetector):
    """Any other high-entropy secret under a Vast-named secret variable (VASTAI_SECRET=...)."""
    rule = rules.NAMED_SECRET
    secret_type = rules.NAMED_SECRET.secret_type
    denylist = (re.compile(rules.NAMED_VALUE_PATTERN),)


DETECTORS = (
    VastAIKeyDetector,
    VastAICLIKeyDetector,
    VastAIURLKeyDetector,
    VastAIHostKeyDetector,
    VastAIKeyFileDetector,
    VastAIContainerKeyDetector,
    VastAIBase64KeyDetector,
    VastAINamedSecretDetector,
)


def main(argv: Sequence[str] | None = None) -> int:
    """`detect-secrets` itself, with these plugins registered up front.

    `detect-secrets audit` caches its secret-type-to-plugin map before it reads the baseline's
    custom plugin paths, so it fails on every custom plugin (Yelp/detect-secrets#611).
    `python -m vastai_guard.plugins audit .secrets.baseline` is the same command with the map
    completed first.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.main import main as detect_secrets_main

    # the cached dict is the one audit reads later
    mapping: dict[str, type[_VastAIDetector]] = get_mapping_from_secret_type_to_class()  # type: ignore[assignment]  # its value type is Plugin, a TypeVar
    mapping.update({detector.secret_type: detector for detector in DETECTORS})
    return int(detect_secrets_main(None if argv is None else list(argv)) or 0)


if __name__ == '__main__':
    raise SystemExit(main())
