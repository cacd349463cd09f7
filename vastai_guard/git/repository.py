"""Opening a repository, by git and by GitPython, and the questions asked of it as a whole.

git resolves the repository once (so GIT_DIR, GIT_WORK_TREE and running inside `.git` mean what
they mean to git); every later call names that git dir explicitly (runner.run_in). GitPython,
the project's way into a repository, opens it too, in a forked process beside the walk
(GitPythonCheck): its import costs more than a small repository's whole scan.

What a push would send is what gets scanned: every call reads the real objects of one
repository, with replace refs and grafts ignored (`git replace` can hide a commit from `log`
while `push` still sends it), and with lazy fetching of a partial clone's missing objects
switched off: a scanner makes no network calls.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.errors import FatalError
from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import last_error_line
from vastai_guard.git.runner import run
from vastai_guard.git.runner import run_in


@contextlib.contextmanager
def open_repository(path: str, gitpython: GitPythonCheck | None = None) -> Iterator[Repository]:
    """The repository at or above `path` (or GIT_DIR's), opened by git and by GitPython;
    FatalError (exit 2) when there is none, or when GitPython cannot read it.

    git resolves it, once (so GIT_DIR, GIT_WORK_TREE and running inside `.git` mean what they
    mean to git); every later call names that git dir explicitly. GitPython opens it in a
    process of its own (`gitpython`, started as early as the caller could) while the caller
    works; leaving the block waits for GitPython's verdict, so nothing the caller built stands
    unless both read the repository.
    """
    with contextlib.ExitStack() as stack:
        if gitpython is None:
            gitpython = stack.enter_context(GitPythonCheck())
        repo = _resolve_history_repo(path)
        gitpython.ask(repo.git_dir)
        yield repo
        if not gitpython.passed():
            _open_with_gitpython(repo.git_dir, path)  # in this process: its own error


def _resolve_history_repo(path: str) -> Repository:
    if not os.path.isdir(path):
        raise FatalError(f'{path}: not a git repository')
    # `--repo OTHER` names the repository: GIT_DIR (set for the current one, in a hook say)
    # must not replace it; for the current folder, git's own rules decide
    elsewhere = os.path.realpath(path) != os.path.realpath(os.curdir)

    def resolve(args: Sequence[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
        return run(args, cwd=cwd, repository_from_cwd=elsewhere)

    facts = ('rev-parse', '--absolute-git-dir', '--is-bare-repository', '--is-inside-git-dir',
             '--is-shallow-repository')
    # in a work tree (nearly always) one call says it all; --show-toplevel fails elsewhere
    found = resolve((*facts, '--show-toplevel'), cwd=path)
    if found.returncode != 0:
        found = resolve(facts, cwd=path)
        if found.returncode != 0:
            raise FatalError(f'{path}: not a git repository')
    git_dir, bare, inside_git_dir, shallow, top = (
        found.stdout.decode('utf-8', 'surrogateescape').split('\n', 4) + [''] * 5
    )[:5]
    top = top.rstrip('\n')  # the rest: a work tree's name may hold a newline
    root = git_dir
    if bare != 'true':
        if top and inside_git_dir != 'true':
            root = top
        else:
            # run from inside `.git`, git names no work tree: GitPython's guess, or none
            tree_guess = _open_with_gitpython(git_dir, path)
            root = str(tree_guess) if tree_guess is not None else git_dir
    opened = Repository(root=root, git_dir=git_dir, shallow=shallow == 'true', partial=False)
    return opened._replace(partial=is_partial(opened))


def _open_with_gitpython(git_dir: str, path: str) -> str | None:
    """GitPython's reading of the repository: its work tree, or FatalError when it has none."""
    import git as gitpython

    try:
        with gitpython.Repo(git_dir) as repo:
            tree = repo.working_tree_dir
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError):
        raise FatalError(f'{path}: not a git repository') from None
    return None if tree is None else str(tree)


class GitPythonCheck:
    """GitPython's open of a repository (_open_with_gitpython), in a forked process of its own.

    Importing GitPython costs ~0.1 s of CPU, more than the whole scan of a small repository, so
    the process starts before the repository is resolved (`ask` names it later) and imports
    while this one still imports and resolves: on a core that is idle until the walk starts.
    On Linux; elsewhere (fork is unsafe on macOS, absent on Windows) `passed` is False and the
    caller opens the repository in process. Use as a context manager: an unasked or abandoned
    check is stopped.
    """

    def __init__(self, *, in_process: bool = False) -> None:
        self._pid: int | None = None
        self._asking: int | None = None  # the pipe's end that names the git dir
        # in_process: a sweep worker opens many repositories and imports GitPython once; a
        # process per repository would only add a fork each
        if in_process or not sys.platform.startswith('linux'):
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            read_end, self._asking = os.pipe()
            pid = os.fork()
        except OSError:  # no process to be had: the caller opens the repository in process
            if self._asking is not None:
                os.close(read_end)
            self._close_asking()
            return
        if pid == 0:  # pragma: no cover (the child ends in os._exit: coverage never sees it)
            os.close(self._asking)
            os._exit(_gitpython_child(read_end))
        os.close(read_end)
        self._pid = pid

    def __enter__(self) -> GitPythonCheck:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close_asking()
        if self._pid is not None:
            import signal

            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None

    def ask(self, git_dir: str) -> None:
        if self._asking is not None:
            try:
                os.write(self._asking, git_dir.encode('utf-8', 'surrogateescape'))
            except OSError:
                pass  # the child is gone: passed() says so
            self._close_asking()

    def passed(self) -> bool:
        """Whether GitPython read the repository asked of; False: the caller asks in process."""
        if self._pid is None:
            return False
        self._close_asking()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return os.waitstatus_to_exitcode(status) == 0

    def _close_asking(self) -> None:
        if self._asking is not None:
            os.close(self._asking)
            self._asking = None


def _gitpython_child(read_end: int) -> int:  # pragma: no cover (runs in the forked child)
    """0 when GitPython reads the repository named on `read_end`, 1 otherwise."""
    try:
        import signal

        # Ctrl-C reaches the whole process group: the parent decides what it means
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        import git as gitpython  # noqa: F401 (the slow part: while the parent resolves)

        chunks = []
        while chunk := os.read(read_end, 1 << 16):
            chunks.append(chunk)
        git_dir = b''.join(chunks).decode('utf-8', 'surrogateescape')
        if not git_dir:
            return 1
        _open_with_gitpython(git_dir, git_dir)
    except BaseException:
        return 1
    return 0


def is_partial(repo: Repository) -> bool:
    """A partial clone (`--filter`): it names its promisor remote (`remote.origin.promisor`, or
    the older `extensions.partialClone`)."""
    result = run_in(
        repo, ('config', '--get-regexp', r'^(remote\..*\.promisor|extensions\.partialclone)$'),
    )
    return any(
        value.lower() not in ('false', 'no', 'off', '0', '')
        for _, _, value in (
            line.partition(' ') for line in result.stdout.decode('utf-8', 'replace').splitlines()
        )
    )


def stash_commits(repo: Repository) -> list[str]:
    """Every stash entry, not only the newest one that `--all` sees through refs/stash."""
    result = run_in(repo, ('log', '--walk-reflogs', '--format=%H', 'refs/stash', '--'))
    if result.returncode != 0:
        return []
    return result.stdout.decode('ascii', 'replace').split()


def unreachable_commits(repo: Repository) -> tuple[list[str], str | None]:
    """Commits no ref or stash reaches (amended, reset away, dropped stashes), reflogs ignored.

    Also what went wrong, if anything: fsck fails on a repository with missing objects but
    still lists what it could reach, and a missing object is never fatal for `history`.
    """
    result = run_in(
        repo, ('fsck', '--unreachable', '--no-reflogs', '--connectivity-only', '--no-progress'),
    )
    shas = []
    for line in result.stdout.decode('ascii', 'replace').splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == 'unreachable' and parts[1] == 'commit':
            shas.append(parts[2])
    return shas, (last_error_line(result) if result.returncode != 0 else None)


def is_commit(repo: Repository, revision: str) -> bool:
    result = run_in(
        repo, ('rev-parse', '--verify', '--quiet', '--end-of-options', f'{revision}^{{commit}}'),
    )
    return result.returncode == 0


def check_range(repo: Repository, spec: str) -> None:
    """FatalError unless every end of a revision range (`BASE..HEAD`, `A...B`) is a commit."""
    if spec.startswith('-') or not spec.strip():
        raise FatalError(f'--range {spec!r}: expected a revision range such as origin/main..HEAD')
    separator = '...' if '...' in spec else '..'
    ends = [end or 'HEAD' for end in spec.split(separator, 1)]
    for end in ends:
        if end.startswith('-') or not is_commit(repo, end):
            raise FatalError(
                f'--range {spec}: {end!r} is not a commit in this repository; fetch it first '
                '(on GitHub Actions: actions/checkout with fetch-depth: 0)',
            )


def commit_authors(repo: Repository, shas: Iterable[str]) -> dict[str, str]:
    """`Name <email>` of each commit's author (as recorded: no mailmap)."""
    wanted_shas = sorted(shas)
    if not wanted_shas:
        return {}
    result = run_in(
        repo, ('log', '--no-walk=unsorted', '--stdin', '--format=%H%x00%an <%ae>%x00'),
        input=''.join(f'{sha}\n' for sha in wanted_shas).encode(),
    )
    fields = result.stdout.decode('utf-8', 'replace').split('\0')
    return {
        fields[i].strip(): fields[i + 1] for i in range(0, len(fields) - 1, 2)
    }


def count_commits(repo: Repository, revs: Sequence[str]) -> int | None:
    result = run_in(repo, ('rev-list', '--count', *revs, '--'))
    if result.returncode != 0:
        return None
    return int(result.stdout.strip() or 0)



def missing_objects(repo: Repository, revs: Sequence[str]) -> frozenset[str]:
    """Objects a partial clone does not hold, without fetching them (`--missing=print`)."""
    result = run_in(
        repo, ('rev-list', '--objects', '--missing=print', '--no-object-names', *revs, '--'),
    )
    return frozenset(
        line[1:] for line in result.stdout.decode('ascii', 'replace').splitlines()
        if line.startswith('?')
    )
