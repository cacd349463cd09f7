"""`scan --all-files --update-baseline FILE`: a detect-secrets baseline of the keys found now.

The file is detect-secrets' own format (version, plugins_used, filters_used, results keyed by
file, each entry with `hashed_secret` = SHA-1 of the secret, as detect-secrets computes it),
so `detect-secrets audit` and `vastai-guard --baseline` both read it; no detect-secrets
install or configuration is needed to make it. It never holds a key: only hashes.

Updating keeps what is not ours: results of other detect-secrets plugins, their plugins and
filters, and the audit fields (`is_secret`, ...) of entries that are found again.
"""
from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.errors import FatalError
from vastai_guard.findings import Finding

# the detect-secrets release whose format this is (the plugin API we need is as of 1.5)
DETECT_SECRETS_VERSION = '1.5.0'

# detect-secrets (1.5) loads a custom plugin only from a file (`"path": "file://..."`, read
# relative to where it runs), never from an installed module. The file of the installed
# package is in one person's virtualenv (`file:///home/a/.venv/.../plugins.py`): a teammate's
# `detect-secrets scan --baseline` then fails on a path it does not have. So the baseline names
# this small file beside it instead, which imports the plugins from whatever vastai-guard is
# installed where detect-secrets runs: the same for everyone who commits it.
PLUGIN_FILE = 'vastai_guard_plugins.py'
PLUGIN_FILE_TEXT = '''\
"""vastai-guard's detect-secrets plugins, for the baseline beside this file.

detect-secrets loads custom plugins from a file path only; this file takes them from the
installed vastai-guard (`pip install vastai-guard`), so the baseline works on every machine.
Written by `vastai-guard scan --all-files --update-baseline`; commit it with the baseline.
"""
try:
    from vastai_guard.detect.plugins import *  # noqa: F401,F403
except ImportError as error:  # say what to do, not only where it failed
    raise ImportError(
        'the baseline uses the detect-secrets plugins of vastai-guard: pip install vastai-guard',
    ) from error
'''


def plugin_file(baseline_path: str) -> str:
    """Where the plugin file goes: beside the baseline."""
    import os

    return os.path.join(os.path.dirname(baseline_path), PLUGIN_FILE)


def _plugin_classes(baseline_path: str) -> list[dict[str, str]]:
    """Our detectors as detect-secrets names custom plugins: class name and the plugin file,
    relative to here (detect-secrets reads it relative to where it runs: the same place)."""
    import os

    from vastai_guard.detect import plugins

    url = 'file://' + os.path.relpath(plugin_file(baseline_path)).replace(os.sep, '/')
    names = sorted(detector.__name__ for detector in plugins.DETECTORS)
    return [{'name': name, 'path': url} for name in names]


def _load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FatalError(f'{path}: not a detect-secrets baseline: {error}') from None
    if not isinstance(data, dict) or not isinstance(data.get('results', {}), dict):
        raise FatalError(f'{path}: not a detect-secrets baseline: no "results" mapping')
    return data


def render(findings: Sequence[Finding], existing_path: str) -> str:
    """The baseline text: `existing_path`'s baseline (if any) with our results replaced."""
    existing = _load(existing_path)
    ours = {rule.secret_type for rule in ALL_RULES}
    old_entries = {
        (filename, entry.get('type'), entry.get('hashed_secret')): entry
        for filename, entries in existing.get('results', {}).items()
        if isinstance(entries, list)
        for entry in entries if isinstance(entry, dict)
    }
    results: dict[str, list[dict[str, Any]]] = {}
    for (filename, secret_type, _), entry in old_entries.items():
        if secret_type not in ours:
            results.setdefault(filename, []).append(entry)
    seen = set()
    for finding in findings:
        key = (finding.path, finding.rule.secret_type, finding.hashed_secret)
        if key in seen:  # detect-secrets lists a secret once per file and type
            continue
        seen.add(key)
        entry = {
            **old_entries.get(key, {}),
            'type': finding.rule.secret_type,
            'filename': finding.path,
            'hashed_secret': finding.hashed_secret,
            'is_verified': False,
            'line_number': finding.line,
        }
        results.setdefault(finding.path, []).append(entry)
    for entries in results.values():
        entries.sort(key=lambda e: (e.get('line_number', 0), e.get('hashed_secret', '')))

    ours_plugins = _plugin_classes(existing_path)
    plugins = [
        plugin for plugin in existing.get('plugins_used', [])
        if isinstance(plugin, dict) and plugin.get('name') not in
        {ours_plugin['name'] for ours_plugin in ours_plugins}
    ]
    baseline = {
        'version': existing.get('version', DETECT_SECRETS_VERSION),
        'plugins_used': sorted([*plugins, *ours_plugins], key=lambda p: str(p.get('name'))),
        'filters_used': existing.get('filters_used', []),
        'results': dict(sorted(results.items())),
        'generated_at': datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%dT%H:%M:%SZ',
        ),
    }
    return json.dumps(baseline, indent=2) + '\n'
