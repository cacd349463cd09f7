"""What a sweep's SOURCEs name, and the mirror clones of the ones that are URLs.

A SOURCE is a work tree or a bare repository on disk (scanned where it is), or a git URL
(`file://`, `https://`, `ssh://`, `git://`, scp-style `user@host:path`), cloned once as a
mirror into a cache folder and fetched again on later runs. Clone and fetch go through
GitPython with settings that let nothing of the remote or of this machine's templates run:
no hooks, no fsmonitor, no `ext::` transport, no prompt for credentials (a credential helper
the user configured still answers: credentials stay git's business).
"""
from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from vastai_guard.errors import FatalError

# `scheme://...`: what git takes as a URL (its own list, plus what a transport helper takes)
_URL = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')
# git's scp-like syntax: `[user@]host:path`, no slash before the first colon
_SCP = re.compile(r'^(?:[^@/:\s]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!//)')
# Settings for every git process a clone or fetch runs (GIT_CONFIG_COUNT, git >= 2.31):
# nothing the remote sends or this machine's templates hold may run.
_HARDENED = (
    ('core.hooksPath', os.devnull),
    ('core.fsmonitor', 'false'),
    ('protocol.ext.allow', 'never'),
    ('fetch.recurseSubmodules', 'false'),
    ('submodule.recurse', 'false'),
    ('credential.interactive', 'false'),
)
_CACHE_ENV = 'XDG_CACHE_HOME'
# `scheme://user:password@`, wherever git repeats a URL in its own words
_USERINFO_PASSWORD = re.compile(r'(://[^/:@\s]*:)[^@\s/]*@')


def read_source_file(path: str) -> list[str]:
    """`--from FILE`: one SOURCE a line; blank lines and `#` comments ignored."""
    from vastai_guard.files.reading import read_regular

    try:
        text = read_regular(path, max_bytes=64 << 20).decode('utf-8')
    except (OSError, UnicodeDecodeError) as error:
        raise FatalError(f'--from {path}: cannot read: {error}') from None
    sources = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            sources.append(line)
    return sources


def unique(sources: Iterable[str]) -> list[str]:
    """Each source once, in the order given: the same repository twice is one task."""
    return list(dict.fromkeys(sources))


def is_url(source: str) -> bool:
    """Whether git would take `source` as a URL rather than a path (a path that exists wins,
    as it does for git: `./host:x` is a folder)."""
    if _URL.match(source):
        return True
    return bool(_SCP.match(source)) and not os.path.exists(source)


def shown(source: str) -> str:
    """`source` as reports show it: a password in a URL replaced by `***`."""
    if not _URL.match(source):
        return source
    parts = urllib.parse.urlsplit(source)
    if parts.password is None:
        return source
    host = parts.hostname or ''
    if parts.port is not None:
        host = f'{host}:{parts.port}'
    user = f'{parts.username}:***@' if parts.username else '***@'
    return urllib.parse.urlunsplit(parts._replace(netloc=user + host))


def default_cache() -> str:
    base = os.environ.get(_CACHE_ENV) or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'vastai-guard', 'mirrors')


def mirror_path(cache: str, url: str) -> str:
    """Where `url`'s mirror lives: its last name, for people, and a hash, for uniqueness."""
    tail = re.sub(r'[^A-Za-z0-9._-]', '_', url.rstrip('/').rsplit('/', 1)[-1].rsplit(':', 1)[-1])
    tail = tail.removesuffix('.git')[:40] or 'repo'
    digest = hashlib.sha256(url.encode('utf-8', 'surrogateescape')).hexdigest()[:16]
    return os.path.join(cache, f'{tail}-{digest}.git')


def git_env() -> dict[str, str]:
    """The environment of a clone or fetch: no prompt, hardened settings, this repo only."""
    env = dict(os.environ)
    for name in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
                 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'):
        env.pop(name, None)
    env['GIT_TERMINAL_PROMPT'] = '0'
    # nor a window: an askpass program is a prompt too (a credential helper still answers,
    # before git would ask anyone); `false` answers nothing, so git fails at once
    env['GIT_ASKPASS'] = 'false'
    env.pop('SSH_ASKPASS', None)
    env['SSH_ASKPASS_REQUIRE'] = 'never'
    # ssh must not ask either (host key, passphrase): a sweep runs unattended
    if 'GIT_SSH_COMMAND' not in env and 'GIT_SSH' not in env:
        env['GIT_SSH_COMMAND'] = 'ssh -o BatchMode=yes'
    # settings given this way come after every config file: a repository cannot undo them
    start = int(env.get('GIT_CONFIG_COUNT', '0') or '0')
    for offset, (name, value) in enumerate(_HARDENED):
        env[f'GIT_CONFIG_KEY_{start + offset}'] = name
        env[f'GIT_CONFIG_VALUE_{start + offset}'] = value
    env['GIT_CONFIG_COUNT'] = str(start + len(_HARDENED))
    return env


def mirror(url: str, cache: str, *, refresh: bool = True) -> str:
    """The git dir of `url`'s mirror in `cache`, cloned now, or fetched now (`refresh`) if it
    is there already; FatalError if neither can be done."""
    import git as gitpython

    path = mirror_path(cache, url)
    env = git_env()
    try:
        if os.path.isdir(path) and not refresh:
            return path
        if os.path.isdir(path):
            with gitpython.Repo(path) as repo:
                repo.git.update_environment(**env)
                # a mirror's refspec is +refs/*:refs/*: prune drops what the remote dropped
                repo.git.fetch('--prune', '--quiet', 'origin')
        else:
            os.makedirs(cache, exist_ok=True)
            partial = f'{path}.partial-{os.getpid()}'
            # a template's hooks are copied in (GitPython refuses `--template`), but never
            # run: core.hooksPath points nowhere in every git this module starts
            gitpython.Repo.clone_from(url, partial, env=env, mirror=True, quiet=True).close()
            # the finished clone only: an interrupted one is never taken for a mirror
            try:
                os.replace(partial, path)
            except OSError:
                if not os.path.isdir(path):
                    raise
                # another task (a part of the same repository) cloned it first
                import shutil

                shutil.rmtree(partial, ignore_errors=True)
    except gitpython.exc.UnsafeProtocolError:
        raise FatalError(f'{shown(url)}: clone refused: transport not allowed') from None
    except gitpython.exc.UnsafeOptionError:
        raise FatalError(f'{shown(url)}: clone refused: looks like a git option') from None
    except gitpython.exc.GitCommandError as error:
        raise FatalError(f'{shown(url)}: {_git_failure(error, url)}') from None
    except (gitpython.exc.InvalidGitRepositoryError, gitpython.exc.NoSuchPathError):
        raise FatalError(f'{shown(url)}: the cached mirror {path} is not a repository') from None
    except OSError as error:
        raise FatalError(f'{shown(url)}: cache {cache}: {error.strerror or error}') from None
    return path


def _git_failure(error: Any, url: str) -> str:
    """git's own last word, without the command line (it repeats the URL and any password)."""
    stderr = str(getattr(error, 'stderr', '') or '')
    lines = []
    for line in stderr.splitlines():
        line = line.strip().removeprefix('stderr:').strip().strip("'").strip()
        if line:
            lines.append(line)
    # git's own reason is its `fatal:` line; what follows is advice (access rights...)
    fatal = [line for line in lines if line.startswith('fatal:')]
    errors = [line for line in lines if line.startswith('error:')]
    last = (fatal or errors or lines or [f'git exited with {getattr(error, "status", "?")}'])[0]
    verb = 'fetch' if 'fetch' in ' '.join(map(str, getattr(error, 'command', ()))) else 'clone'
    said = _USERINFO_PASSWORD.sub(r'\1***@', last.replace(url, shown(url)))
    return f'{verb} failed: {said}'[:300]


def names_sources(sources: Sequence[str]) -> None:
    """FatalError when there is nothing to sweep."""
    if not sources:
        raise FatalError('no SOURCE given (name repositories, or --from FILE)')
