"""`.vastai-guard.yaml`: load and validate, with the file and line of any problem.

    exclude_paths:            # globs, repo-relative; `**` spans folders; no `/` = any depth
      - tests/fixtures/**
    allow_fingerprints:       # findings to ignore, by fingerprint (or its first 12+ hex)
      - fingerprint: <64 hex>
        note: documentation example key
    rotated:                  # the rotation ledger, written by `vastai-guard rotated`
      - fingerprint: <64 hex>
        date: '2026-11-27'
        note: reset on the Keys page
    max_key_age_days: 90      # `vastai-guard audit` flags account keys older than this

PyYAML is imported only when the file exists: the hook's start-up stays light.
"""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING
from typing import NamedTuple

from vastai_guard.errors import FatalError
from vastai_guard.findings import FINGERPRINT_PREFIX_SHAPE
from vastai_guard.findings import FINGERPRINT_SHAPE
from vastai_guard.findings import Rotation
from vastai_guard.findings import redact_runs
from vastai_guard.vocabulary import SHORT_FINGERPRINT

if TYPE_CHECKING:
    import yaml

CONFIG_FILE = '.vastai-guard.yaml'
CONFIG_ENV = 'VASTAI_GUARD_CONFIG'
DEFAULT_MAX_FILE_MB = 50
DEFAULT_MAX_KEY_AGE_DAYS = 90


class Config(NamedTuple):
    exclude_paths: tuple[str, ...] = ()
    allow_fingerprints: frozenset[str] = frozenset()
    rotated: tuple[Rotation, ...] = ()
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    # `vastai-guard audit` flags keys older than this (the Vast.ai docs: 90-day rotation)
    max_key_age_days: int = DEFAULT_MAX_KEY_AGE_DAYS
    # where it was read from, for messages; None when there was no file
    path: str | None = None


class InvalidConfigError(FatalError):
    pass


def load_config(path: str) -> Config:
    """The config at `path`; defaults when the file does not exist."""
    from vastai_guard.files import yamlcheck
    from vastai_guard.files.reading import read_regular

    try:
        text = read_regular(path, max_bytes=yamlcheck.MAX_CONFIG_BYTES).decode('utf-8')
    except FileNotFoundError:
        return Config()
    except UnicodeDecodeError as error:
        raise InvalidConfigError(f'{path}: cannot read: not UTF-8 ({error.reason})') from None
    except OSError as error:
        raise InvalidConfigError(f'cannot read {error}') from None
    return parse_config(text, path)


def parse_config(text: str, path: str) -> Config:
    """The settings in `text`; InvalidConfigError for anything else, whatever the text."""
    import yaml

    from vastai_guard.files import yamlcheck

    yamlcheck.check(text, path, InvalidConfigError, max_bytes=yamlcheck.MAX_CONFIG_BYTES)
    try:
        # composed, never constructed: tags (`!!python/object`, `!!int abc`) are never run
        root = yaml.compose(text, Loader=yamlcheck.loader())
    except yaml.YAMLError as error:
        raise InvalidConfigError(yamlcheck.invalid(error, text, path)) from None
    if root is None:
        return Config(path=path)
    _expect(root, yaml.MappingNode, 'a mapping of settings', path)
    settings: dict[str, object] = {}
    for key_node, value_node in root.value:
        key = _scalar(key_node, path, 'a setting name')
        if key == 'exclude_paths':
            settings[key] = tuple(_strings(value_node, path))
        elif key == 'allow_fingerprints':
            settings[key] = frozenset(
                entry.fingerprint for entry in _entries(value_node, path, dated=False)
            )
        elif key == 'rotated':
            settings[key] = tuple(_entries(value_node, path, dated=True))
        elif key == 'max_file_mb':
            settings[key] = _whole_number(value_node, path)
        elif key == 'max_key_age_days':
            settings[key] = _whole_number(value_node, path, 'days')
        else:
            raise InvalidConfigError(
                f'{_where(path, key_node)}: unknown setting {_echo(key)} (expected one of: '
                'exclude_paths, allow_fingerprints, rotated, max_file_mb, max_key_age_days)',
            )
    return Config(path=path, **settings)  # type: ignore[arg-type]


# A pasted key must not come back in an error message: long hex runs are not repeated
_HEX_RUN = re.compile(r'[0-9a-fA-F]{32,}')


def _echo(name: str) -> str:
    """A setting name as an error message repeats it: short, and without a key in it."""
    return repr(_HEX_RUN.sub('<hex>', name)[:80])


def _where(path: str, node: yaml.Node) -> str:
    return f'{path}:{node.start_mark.line + 1}'


def _expect(node: yaml.Node, kind: type[yaml.Node], what: str, path: str) -> None:
    if not isinstance(node, kind):
        raise InvalidConfigError(f'{_where(path, node)}: expected {what}')


def _scalar(node: yaml.Node, path: str, what: str) -> str:
    import yaml

    _expect(node, yaml.ScalarNode, what, path)
    return str(node.value)


def _strings(node: yaml.Node, path: str) -> list[str]:
    import yaml

    _expect(node, yaml.SequenceNode, 'a list of path globs', path)
    return [_scalar(item, path, 'a path glob') for item in node.value]


# ASCII digits only: str.isdigit() also accepts '²', which int() refuses; and a bound, since
# int() refuses more than 4300 digits and no file is a petabyte
_MEGABYTES = re.compile(r'[0-9]{1,9}')


def _whole_number(node: yaml.Node, path: str, unit: str = 'megabytes') -> int:
    value = _scalar(node, path, f'a whole number of {unit}')
    if not _MEGABYTES.fullmatch(value) or int(value) == 0:
        raise InvalidConfigError(
            f'{_where(path, node)}: expected a whole number of {unit} (1 to 999999999)',
        )
    return int(value)


def _fingerprint(node: yaml.Node, path: str, *, prefix_ok: bool) -> str:
    value = _scalar(node, path, 'a fingerprint')
    if not (FINGERPRINT_PREFIX_SHAPE if prefix_ok else FINGERPRINT_SHAPE).fullmatch(value):
        # the value may be a key pasted by mistake: never echoed whole
        raise InvalidConfigError(
            f'{_where(path, node)}: {redact_runs(value)!r} is not a fingerprint (64 lowercase '
            f'hex, as vastai-guard prints it'
            f'{f", or its first {SHORT_FINGERPRINT} or more" if prefix_ok else ""})',
        )
    return value


def _entries(node: yaml.Node, path: str, *, dated: bool) -> list[Rotation]:
    """A list of fingerprints, each a plain string or a mapping with note (and date)."""
    import yaml

    _expect(node, yaml.SequenceNode, 'a list of fingerprints', path)
    entries = []
    for item in node.value:
        if isinstance(item, yaml.ScalarNode) and not dated:
            entries.append(Rotation(_fingerprint(item, path, prefix_ok=not dated), '', ''))
            continue
        _expect(item, yaml.MappingNode, 'a mapping with a fingerprint', path)
        fields = {_scalar(key, path, 'a field name'): value for key, value in item.value}
        if 'fingerprint' not in fields:
            raise InvalidConfigError(f'{_where(path, item)}: entry has no fingerprint')
        entries.append(
            Rotation(
                fingerprint=_fingerprint(fields['fingerprint'], path, prefix_ok=not dated),
                date=_scalar(fields['date'], path, 'a date') if 'date' in fields else '',
                note=_scalar(fields['note'], path, 'a note') if 'note' in fields else '',
            ),
        )
    return entries


def config_path(root: str, explicit: str | None, *, must_exist: bool = False) -> str:
    """The config file to read; relative to the current folder, as messages show it.

    `--config FILE` (else $VASTAI_GUARD_CONFIG), else the one at the root. A file named on
    purpose that is not there is a mistake, not "no settings" (`must_exist`): silently using
    the defaults would drop its allow-list and rotation ledger.
    """
    named_by = '--config'
    if explicit is None and os.environ.get(CONFIG_ENV):
        explicit, named_by = os.environ[CONFIG_ENV], CONFIG_ENV
    if explicit is None:
        return os.path.relpath(os.path.join(root, CONFIG_FILE))
    if must_exist and not os.path.isfile(explicit):
        raise InvalidConfigError(f'{explicit}: config file not found (named by {named_by})')
    return explicit
