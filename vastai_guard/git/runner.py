"""Every git process vastai-guard starts is started here, and none runs the repository's code.

A scanned repository is untrusted input: its `.git/config` can name programs that git runs on
its own (`core.fsmonitor` on every index read, `gpg.program` for a signed commit under
`log.showSignature`, `diff.external` and textconv drivers, a pager, credential helpers, hooks).
`-c` on the command line wins over every config file, so each git here starts with HARDENING,
and content is only ever read as raw objects (`cat-file`), never through filters.

Two ways to run git:
- in a work tree (`run`): the hook's own git, with the environment git gave the hook
  (GIT_INDEX_FILE and friends are right for the commit being made);
- in a Repository (`run_in`, `spawn_in`): history's way, the repository named explicitly and
  the environment's repository variables dropped, real objects only, nothing fetched.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import Any
from typing import BinaryIO
from typing import NamedTuple

from vastai_guard.errors import FatalError

# Each config key here names a program (or turns one on) that git would run for a command
# vastai-guard uses. `core.hooksPath` points at a folder with no hooks in it.
HARDENING = (
    '-c', 'core.fsmonitor=false',
    '-c', f'core.hooksPath={os.devnull}',
    '-c', 'log.showSignature=false',
    '-c', 'diff.external=',
    '-c', 'core.pager=cat',
    '-c', 'credential.helper=',
    '-c', 'core.askPass=',
    '-c', 'core.sshCommand=ssh',
    '-c', 'gpg.program=false',
    '-c', 'core.editor=false',
    '-c', 'sequence.editor=false',
    '-c', 'protocol.ext.allow=never',
)
# Neither git nor any protocol may fetch: a partial clone's missing blob stays missing.
_NO_FETCH = ('-c', 'protocol.allow=never', '-c', 'fetch.recurseSubmodules=false')
# git maps whole packs (1 GiB windows) and caches 96 MB of delta bases by default: each git a
# scan runs would hold ~500 MB resident on a 4 GB history, and there is one reader per job.
# These bounds cost no measurable speed on the benchmarks (benchmarks/history_bench.py).
_BOUNDED_PACK_MEMORY = (
    '-c', 'core.packedGitLimit=64m', '-c', 'core.packedGitWindowSize=16m',
    '-c', 'core.deltaBaseCacheLimit=32m',
)
# What names a repository other than the one asked for: dropped where the repository is named.
_REPOSITORY_VARIABLES = ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR')
_OBJECT_VARIABLES = (
    'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE',
)


class Repository(NamedTuple):
    """A repository read object by object (history, and the hook's blobs)."""
    root: str  # the work tree, or the git dir of a bare repository
    git_dir: str  # absolute
    shallow: bool
    partial: bool  # a partial clone (`--filter`): objects may be missing by design


def environment(*, named_repository: bool = False) -> dict[str, str]:
    """git's environment: no prompts, no pager; with `named_repository`, nothing but the
    repository named on the command line, its real objects, and no fetching."""
    env = dict(os.environ)
    env['GIT_TERMINAL_PROMPT'] = '0'
    env['GIT_PAGER'] = 'cat'
    for name in ('GIT_EXTERNAL_DIFF', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH', 'GIT_SSH_COMMAND',
                 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_PROXY_COMMAND'):
        env.pop(name, None)
    if named_repository:
        for name in (*_REPOSITORY_VARIABLES, *_OBJECT_VARIABLES):
            env.pop(name, None)
        env['GIT_NO_REPLACE_OBJECTS'] = '1'
        env['GIT_GRAFT_FILE'] = os.devnull  # grafts hide commits as replace refs do
        env['GIT_NO_LAZY_FETCH'] = '1'  # git >= 2.44; older ones are stopped by _NO_FETCH
    return env


def argv(args: Sequence[str]) -> tuple[str, ...]:
    return ('git', *HARDENING, *args)


def argv_in(repo: Repository, args: Sequence[str]) -> tuple[str, ...]:
    return (
        'git', *HARDENING, f'--git-dir={repo.git_dir}', '--no-replace-objects', *_NO_FETCH,
        *_BOUNDED_PACK_MEMORY, *args,
    )


def _not_started(cwd: str | None) -> FatalError:
    # subprocess says FileNotFoundError both for a missing program and a missing cwd
    if cwd is not None and not os.path.isdir(cwd):
        return FatalError(f'{cwd!r}: no such folder')
    return FatalError('git is not installed or not on PATH')


def run(
        args: Sequence[str],
        *,
        cwd: str | None = None,
        input: bytes | None = None,
        repository_from_cwd: bool = False,
        timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """git in a work tree. `repository_from_cwd`: the repository is the one around `cwd`,
    whatever GIT_DIR (set for another one, in a hook say) names. `timeout` (a network
    question): subprocess.TimeoutExpired once it has passed, git stopped."""
    env = environment()
    if repository_from_cwd:
        for name in _REPOSITORY_VARIABLES:
            env.pop(name, None)
    try:
        return subprocess.run(
            argv(args), cwd=cwd, input=input, capture_output=True, env=env, check=False,
            timeout=timeout,
        )
    except FileNotFoundError:
        raise _not_started(cwd) from None


def config_value(name: str, *, cwd: str) -> str:
    """The repository's own setting for `name` ('' when unset): reading a setting runs nothing,
    so the hardening's override of that one key is left out for the question."""
    pairs = [HARDENING[i:i + 2] for i in range(0, len(HARDENING), 2)]
    kept = [part for pair in pairs if not pair[1].startswith(f'{name}=') for part in pair]
    try:
        result = subprocess.run(
            ('git', *kept, 'config', '--get', name), cwd=cwd, capture_output=True,
            env=environment(), check=False,
        )
    except FileNotFoundError:
        raise _not_started(cwd) from None
    return result.stdout.decode('utf-8', 'surrogateescape').strip()


def run_in(
        repo: Repository,
        args: Sequence[str],
        *,
        input: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            argv_in(repo, args), cwd=repo.git_dir, env=environment(named_repository=True),
            input=input, capture_output=True, check=False,
        )
    except FileNotFoundError:
        raise _not_started(repo.git_dir) from None


def spawn_in(repo: Repository, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv_in(repo, args), cwd=repo.git_dir, env=environment(named_repository=True),
            **kwargs,
        )
    except FileNotFoundError:
        raise _not_started(repo.git_dir) from None


def copy_blob_in(repo: Repository, sha: str, into: BinaryIO) -> bool:
    """A blob's bytes written to `into`, unbounded in size (big files); False when git fails."""
    try:
        result = subprocess.run(
            argv_in(repo, ('cat-file', 'blob', sha)), cwd=repo.git_dir,
            env=environment(named_repository=True), stdout=into, stderr=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise _not_started(repo.git_dir) from None
    return result.returncode == 0


def zsplit(data: bytes) -> list[str]:
    return [part for part in data.decode('utf-8', 'surrogateescape').split('\0') if part]


def last_error_line(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode('utf-8', 'replace').strip().splitlines()
    return lines[-1] if lines else f'exit {result.returncode}'


# Linux's F_SETPIPE_SZ (fcntl.h): not exported by the fcntl module before Python 3.10's Linux builds
_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20


def widen_pipe(fd: int) -> None:
    """Let git run up to 1 MiB ahead of the reader (the default pipe holds 64 KiB).

    The reader judges each object before it reads the next; with a pipe smaller than a blob,
    git stalls until the judging is done, so reading and judging take turns instead of
    overlapping. Best effort: other systems, or a limit below 1 MiB
    (/proc/sys/fs/pipe-max-size), keep the default.
    """
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, 'F_SETPIPE_SZ', _F_SETPIPE_SZ), _PIPE_BYTES)
    except (ImportError, OSError):
        pass
