"""Human-readable report of `scan` findings."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import Finding

KEYS_PAGE = 'https://cloud.vast.ai/manage-keys/'

ADVICE = f'''\
A Vast.ai key in git is exposed to everyone who can read the repository, for good:
  1. Rotate it now: Vast.ai Keys page ({KEYS_PAGE}) -> Reset, or `vastai reset api-key`.
  2. Remove it from the file: read it from VAST_API_KEY or an ignored .env file instead.
  3. Not a key? Add `vastai-guard:allow` in a comment on that line, or its fingerprint
     (`vastai-guard scan --format json`) to allow_fingerprints in .vastai-guard.yaml.'''


def render(findings: Sequence[Finding]) -> str:
    if not findings:
        return ''
    lines = [f'{f.path}:{f.line}: {f.rule.id}: {f.redacted}' for f in findings]
    files = len({f.path for f in findings})
    keys = len({f.fingerprint for f in findings})
    lines.append('')
    lines.append(
        f'Found {keys} Vast.ai secret{"s" if keys != 1 else ""} '
        f'in {files} file{"s" if files != 1 else ""}.',
    )
    lines.append(ADVICE)
    return '\n'.join(lines) + '\n'
