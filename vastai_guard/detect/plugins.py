"""detect-secrets plugins for Vast.ai keys: a thin adapter over vastai_guard's own detector.

    detect-secrets scan --plugin \
        "$(python -c 'import vastai_guard.detect.plugins as p; print(p.__file__)')"

Each rule in rules.py is one plugin class, generated from the rule, with a stable name and
`secret_type` (baselines record both). detect-secrets calls `analyze_line` with the file name
and five lines of context either side; the adapter runs the same detector as `vastai-guard
scan` on that snippet, so the file name (CLI key files) and nearby Vast hosts count here too.
"""
from __future__ import annotations

from collections.abc import Generator
from collections.abc import Sequence
from typing import Any

from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.plugins.base import BasePlugin
from detect_secrets.util.code_snippet import CodeSnippet

from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.rules import Rule


class _VastAIDetector(BasePlugin):
    """One rule's plugin; the leading underscore keeps detect-secrets from loading this base."""

    rule: Rule

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


def _plugin(rule: Rule) -> type[_VastAIDetector]:
    """The plugin class of one rule; its name and `secret_type` are what baselines record."""
    return type(
        rule.plugin,
        (_VastAIDetector,),
        {'rule': rule, 'secret_type': rule.secret_type, '__doc__': rule.title,
         '__module__': __name__},
    )


DETECTORS = tuple(_plugin(rule) for rule in rules.ALL_RULES)
# detect-secrets loads a plugin file by the public classes it finds in the module
globals().update({detector.__name__: detector for detector in DETECTORS})


def main(argv: Sequence[str] | None = None) -> int:
    """`detect-secrets` itself, with these plugins registered up front.

    `detect-secrets audit` caches its secret-type-to-plugin map before it reads the baseline's
    custom plugin paths, so it fails on every custom plugin (Yelp/detect-secrets#611).
    `python -m vastai_guard.detect.plugins audit .secrets.baseline` is the same command with the map
    completed first.
    """
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.main import main as detect_secrets_main

    # the cached dict is the one audit reads later
    mapping: dict[str, type[_VastAIDetector]] = get_mapping_from_secret_type_to_class()  # type: ignore[assignment]  # its value type is Plugin, a TypeVar
    mapping.update({detector.rule.secret_type: detector for detector in DETECTORS})
    return int(detect_secrets_main(None if argv is None else list(argv)) or 0)


if __name__ == '__main__':
    raise SystemExit(main())
