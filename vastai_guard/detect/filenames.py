"""Which file names hold secrets (env files, the Vast.ai CLI's key files) and which are templates.

Names only: what a file holds is the scanner's job. Paths are repo-relative, '/'-separated.
"""
from __future__ import annotations

import posixpath
from typing import NamedTuple

from vastai_guard.detect.rules import KEY_FILE_NAMES
from vastai_guard.detect.rules import KEY_FILE_PATH_SUFFIXES

ENV_NAME = '.env'
# `.env.example` and friends document the variables and are meant to be committed; so is an
# environment's template (`.env.production.example`). `.env.example.local` is a real file.
TEMPLATE_SUFFIXES = ('example', 'sample', 'template', 'dist')
# ls-files pathspecs (glob magic) that cover every name below; Python filters the rest.
PATHSPECS = (
    f'**/{ENV_NAME}', f'**/{ENV_NAME}.*', *(f'**/{name}' for name in sorted(KEY_FILE_NAMES)),
    *(f'**/{suffix}' for suffix in KEY_FILE_PATH_SUFFIXES),
)


def is_template(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith(ENV_NAME + '.') and name.rsplit('.', 1)[-1] in TEMPLATE_SUFFIXES


def is_env_file(path: str) -> bool:
    """A real env file: `.env`, `.env.local`, `.env.production`, `.env.staging.local` ..."""
    name = posixpath.basename(path)
    return name == ENV_NAME or (name.startswith(ENV_NAME + '.') and not is_template(path))


def is_key_file(path: str) -> bool:
    """A Vast.ai key file: the CLI's (`.vast_api_key`) or the host daemon's
    (`vastai_kaalia/api_key`). Its content is the key, whatever the detector makes of it."""
    return posixpath.basename(path) in KEY_FILE_NAMES or any(
        path == suffix or path.endswith('/' + suffix) for suffix in KEY_FILE_PATH_SUFFIXES
    )


def is_secret_file(path: str) -> bool:
    """A file that must never be committed: a real env file or a CLI key file."""
    return is_env_file(path) or is_key_file(path)


# Spellings of one environment, so `.env.prod` and `.env.production` count as one. A plain
# `.env` and `.env.local` are the development machine's files by dotenv convention.
_ENVIRONMENT_ALIASES = {
    '': 'development', 'local': 'development', 'dev': 'development', 'develop': 'development',
    'prod': 'production', 'live': 'production',
    'stage': 'staging', 'stg': 'staging',
    'testing': 'test',
}


def environment(path: str) -> str:
    """The environment an env file configures: `.env.production.local` -> 'production'."""
    name = posixpath.basename(path).lower()
    middle = name[len(ENV_NAME) + 1:] if name.startswith(ENV_NAME + '.') else ''
    if middle.endswith('.local'):
        middle = middle[:-len('.local')]
    return _ENVIRONMENT_ALIASES.get(middle, middle)


class Requirement(NamedTuple):
    """A name the repository must ignore before any such file exists."""
    pattern: str  # as a person reads it: '.env.<environment>'
    probes: tuple[str, ...]  # root-relative paths that must all be ignored
    fix: tuple[str, ...]  # .gitignore lines that ignore every probe


# A folder no repository has: a probe in it shows whether a pattern also works below the root
# (`/.env` only ignores the root's file, and `services/api/.env` leaks).
PROBE_FOLDER = 'vastai-guard-probe/nested'
# One pattern covers every `.env.<something>`; the template negations follow it.
_ENV_VARIANTS = f'{ENV_NAME}.*'


def _probes(*names: str) -> tuple[str, ...]:
    return (*names, *(f'{PROBE_FOLDER}/{name}' for name in names))


REQUIREMENTS = (
    Requirement(ENV_NAME, _probes(ENV_NAME), (ENV_NAME,)),
    Requirement('.env.local', _probes('.env.local'), (_ENV_VARIANTS,)),
    Requirement(
        '.env.*.local', _probes('.env.development.local', '.env.production.local'),
        (_ENV_VARIANTS,),
    ),
    Requirement(
        '.env.<environment>',
        _probes('.env.production', '.env.staging', '.env.development', '.env.test'),
        (_ENV_VARIANTS,),
    ),
    *(Requirement(name, _probes(name), (name,)) for name in sorted(KEY_FILE_NAMES)),
)

# Root-level template names, probed to see whether the user's rules leave them committable.
TEMPLATE_PROBES = tuple(f'{ENV_NAME}.{suffix}' for suffix in TEMPLATE_SUFFIXES)


def template_negation(template: str) -> str:
    """The line that keeps a template (and its per-environment variants) committable after
    `.env.*`: `.env.example` -> `!.env*.example`."""
    return f'!{ENV_NAME}*.{template.rsplit(".", 1)[-1]}'


def needs_template_negations(fix_lines: tuple[str, ...] | list[str]) -> bool:
    return _ENV_VARIANTS in fix_lines
