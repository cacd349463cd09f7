"""Every git call vastai-guard makes, and nothing else.

The hook path runs git plumbing directly (argv lists, `-z`, `--` before paths): importing
GitPython costs ~150 ms, more than the whole scan. History's repository is opened by GitPython
too, in a process of its own beside the walk (GitPythonCheck), and its objects never leave this
module.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import BinaryIO
from typing import NamedTuple

from vastai_guard.errors import FatalError

# Blobs in the index; submodules (160000) have no blob to read.
_GITLINK_MODE = '160000'


class IndexEntry(NamedTuple):
    path: str  # repo-relative, '/'-separated
    sha: str


class WorkTree(NamedTuple):
    root: str
    prefix: str  # the current folder relative to root, '' or ending in '/'
    git_dir: str  # absolute: where its objects are read (work_tree_repo)


def _git_env() -> dict[str, str]:
    # Inside a hook git exports GIT_INDEX_FILE and friends; they are right for this repo and
    # kept. Pager and prompts are not wanted from a scanner.
    env = dict(os.environ)
    env['GIT_TERMINAL_PROMPT'] = '0'
    env.setdefault('GIT_PAGER', 'cat')
    return env


def run(args: Sequence[str], *, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ('git', *args), cwd=cwd, capture_output=True, env=_git_env(), check=False,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None


def zsplit(data: bytes) -> list[str]:
    return [part for part in data.decode('utf-8', 'surrogateescape').split('\0') if part]


def work_tree(cwd: str | None = None) -> WorkTree | None:
    """The work tree around `cwd`, or None outside one (a bare repo or no repo at all)."""
    result = run(('rev-parse', '--show-toplevel', '--show-prefix', '--absolute-git-dir'), cwd=cwd)
    if result.returncode != 0:
        return None
    lines = result.stdout.decode('utf-8', 'surrogateescape').split('\n')
    if not lines[0] or len(lines) < 3:
        return None
    return WorkTree(root=lines[0], prefix=lines[1], git_dir=lines[2])


def work_tree_repo(tree: WorkTree) -> HistoryRepo:
    """The repository of a work tree, for reading its blobs as `history` reads objects.

    One reader for every command (ObjectReader): the real objects (replace refs ignored: a
    commit takes the staged blob, not its replacement), nothing fetched, and a damaged or
    missing object reported rather than fatal. Shallow and partial are history's questions.
    """
    return HistoryRepo(root=tree.root, git_dir=tree.git_dir, shallow=False, partial=False)


def _ls_files(args: Sequence[str], cwd: str | None) -> list[IndexEntry]:
    # literal: a file named `[x].py` is that file, not a glob
    result = run(
        ('--literal-pathspecs', 'ls-files', '--stage', '--full-name', '-z', *args), cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {_stderr(result)}')
    entries: dict[str, IndexEntry] = {}
    for record in zsplit(result.stdout):
        meta, path = record.split('\t', 1)
        mode, sha, stage = meta.split(' ')
        # during a merge conflict a path has stages 1-3 and no 0: judge "ours" (2)
        if mode == _GITLINK_MODE or (path in entries and stage != '2'):
            continue
        entries[path] = IndexEntry(path, sha)
    return list(entries.values())


def index_entries(paths: Sequence[str], *, cwd: str | None = None) -> list[IndexEntry]:
    """Staged blobs for `paths` (relative to `cwd`): what the next commit will hold."""
    if not paths:
        return []
    return _ls_files(('--', *paths), cwd)


def all_index_entries(*, cwd: str | None = None) -> list[IndexEntry]:
    return _ls_files((), cwd)


def staged_paths(*, cwd: str | None = None) -> list[str]:
    """Files added, copied, modified or renamed in the index against HEAD (cwd-relative)."""
    result = run(
        ('diff', '--cached', '--name-only', '--no-ext-diff', '--diff-filter=ACMRTUXB',
         '--relative', '-z'),
        cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git diff --cached failed: {_stderr(result)}')
    return zsplit(result.stdout)


def staged_deletions(paths: Sequence[str], *, cwd: str | None = None) -> list[str]:
    """Those of `paths` (relative to `cwd`) that the index deletes against HEAD, root-relative."""
    result = run(
        ('--literal-pathspecs', 'diff', '--cached', '--name-only', '--no-ext-diff',
         '--diff-filter=D', '-z', '--', *paths),
        cwd=cwd,
    )
    if result.returncode != 0:
        return []  # no HEAD yet: nothing can be deleted
    return zsplit(result.stdout)


def read_blobs(repo: HistoryRepo, shas: Sequence[str], *, max_size: int) -> Iterator[ReadObject]:
    """Blobs for `scan`, in the order asked, through ObjectReader; never fatal, never fetched.

    A blob a partial clone does not hold is MISSING. git before 2.44 cannot be told not to
    fetch it (GIT_NO_LAZY_FETCH): asked for it, git dies, and the reader calls it DAMAGED. So
    at the first damaged object of a partial clone the rest is checked against what the clone
    holds, listed once: a blob it lacks is MISSING without being asked (no git per object).
    """
    reader = ObjectReader(repo)
    pending = list(shas)
    first = reader.read(pending, max_size=max_size)
    partial: bool | None = None  # asked at the first damaged object: a clean run pays nothing
    try:
        done = 0
        for blob in first:
            if blob.size == DAMAGED:
                partial = _partial(repo) if partial is None else partial
                if partial:
                    break
            done += 1
            yield blob
        else:
            return
        # (`first` stays unfinished: the reader stopped its git before it said "damaged")
        rest = pending[done:]
        held = _held(repo, set(rest))
        yield blob if blob.sha in held else ReadObject(blob.sha, MISSING, None)
        read = reader.read([sha for sha in rest[1:] if sha in held], max_size=max_size)
        for sha in rest[1:]:
            yield next(read) if sha in held else ReadObject(sha, MISSING, None)
    finally:
        reader.close()


def _partial(repo: HistoryRepo) -> bool:
    """A partial clone (`--filter`): it names its promisor remote (`remote.origin.promisor`, or
    the older `extensions.partialClone`)."""
    result = history_run(
        repo, ('config', '--get-regexp', r'^(remote\..*\.promisor|extensions\.partialclone)$'),
    )
    return any(
        value.lower() not in ('false', 'no', 'off', '0', '')
        for _, _, value in (
            line.partition(' ') for line in result.stdout.decode('utf-8', 'replace').splitlines()
        )
    )


def _held(repo: HistoryRepo, wanted: set[str]) -> set[str]:
    """Those of `wanted` the object store holds: every object listed once, none fetched."""
    process = _spawn(
        repo, ('cat-file', '--batch-all-objects', '--unordered', '--batch-check=%(objectname)'),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    with process:
        return {sha for line in process.stdout if (sha := line.decode('ascii').strip()) in wanted}


def _copy_object(
        argv: Sequence[str], into: BinaryIO, *, cwd: str | None, env: dict[str, str],
) -> bool:
    try:
        result = subprocess.run(
            argv, cwd=cwd, env=env, stdout=into, stderr=subprocess.DEVNULL, check=False,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None
    return result.returncode == 0


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    lines = result.stderr.decode('utf-8', 'replace').strip().splitlines()
    return lines[-1] if lines else f'exit {result.returncode}'


# --- .gitignore checks (`vastai-guard gitignore`) ---


class IgnoreMatch(NamedTuple):
    """What git's ignore rules say about one path, from `git check-ignore -v`."""
    path: str  # as asked, relative to the work tree root
    source: str  # file holding the deciding pattern ('' when no pattern matches)
    line: int  # 1-based line of that pattern in `source` (0 when none)
    pattern: str  # the deciding pattern, '!'-prefixed for a negation ('' when none)

    @property
    def ignored(self) -> bool:
        return bool(self.pattern) and not self.pattern.startswith('!')


def check_ignore(paths: Sequence[str], *, root: str) -> list[IgnoreMatch]:
    """git's verdict on each root-relative path, whether or not it exists or is tracked.

    `--no-index` judges tracked files by the rules alone (without it git calls every tracked
    file "not ignored"); `-v -n` names the deciding pattern, negations included, and answers
    for every path, so one process answers the whole batch.
    """
    if not paths:
        return []
    result = subprocess.run(
        ('git', 'check-ignore', '--no-index', '--verbose', '--non-matching', '-z', '--stdin'),
        cwd=root, input=b''.join(p.encode('utf-8', 'surrogateescape') + b'\0' for p in paths),
        capture_output=True, env=_git_env(), check=False,
    )
    # 0: some path ignored, 1: none; anything else is git failing
    if result.returncode not in (0, 1):
        raise FatalError(f'git check-ignore failed: {_stderr(result)}')
    fields = result.stdout.decode('utf-8', 'surrogateescape').split('\0')
    return [
        IgnoreMatch(
            path=fields[i + 3], source=fields[i],
            line=int(fields[i + 1]) if fields[i + 1] else 0, pattern=fields[i + 2],
        )
        for i in range(0, len(fields) - 3, 4)
    ]


def matching_files(
        pathspecs: Sequence[str],
        *,
        root: str,
        tracked: bool = False,
        untracked: bool = False,
        ignored: bool = False,
) -> list[str]:
    """Root-relative files matching glob `pathspecs`: tracked (in the index), untracked and
    not ignored, or ignored (untracked and ignored), as git's own rules decide."""
    args = ['ls-files', '-z']
    if tracked:
        args.append('--cached')
    if untracked or ignored:
        args += ['--others', '--exclude-standard']
    if ignored:
        args.append('--ignored')
    result = run((*args, '--', *(f':(glob){spec}' for spec in pathspecs)), cwd=root)
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {_stderr(result)}')
    return sorted(set(zsplit(result.stdout)))


def staged_additions(*, root: str) -> list[str]:
    """Root-relative files the next commit adds (new in the index against HEAD).

    Renames count as additions (`--no-renames`): `git mv .env.example .env` adds `.env`.
    """
    result = run(
        ('diff', '--cached', '--name-only', '--no-ext-diff', '--no-renames', '--diff-filter=A',
         '-z'),
        cwd=root,
    )
    if result.returncode != 0:
        raise FatalError(f'git diff --cached failed: {_stderr(result)}')
    return zsplit(result.stdout)


# --- history (`vastai-guard history`) -----------------------------------------------------------
# Open with git and with GitPython (history_repo); stream the history itself through git plumbing
# (`log --raw`, `cat-file --batch`), which is what lets one pass read every blob once at pipe
# speed.
#
# What a push would send is what gets scanned: every history call reads the real objects of one
# repository, named explicitly (`--git-dir`, never GIT_DIR/GIT_WORK_TREE from the environment,
# which GitPython and git would each read their own way), with replace refs and grafts ignored
# (`git replace` can hide a commit from `log` while `push` still sends it), and with lazy
# fetching of a partial clone's missing objects switched off: a scanner makes no network calls.

# Marks the start of a commit in the `log --raw -z` stream; never in a sha, date or path token
# that follows a header (paths only come right after a `:mode ...` token).
_COMMIT_MARK = '\x01'
# Neither git nor any protocol may fetch: a partial clone's missing blob stays missing.
_NO_FETCH = ('-c', 'protocol.allow=never', '-c', 'fetch.recurseSubmodules=false')
# git maps whole packs (1 GiB windows) and caches 96 MB of delta bases by default: each git a
# scan runs would hold ~500 MB resident on a 4 GB history, and there is one reader per job.
# These bounds cost no measurable speed on the benchmarks (benchmarks/history_bench.py).
_BOUNDED_PACK_MEMORY = (
    '-c', 'core.packedGitLimit=64m', '-c', 'core.packedGitWindowSize=16m',
    '-c', 'core.deltaBaseCacheLimit=32m',
)
# The date of an object no commit holds (a blob or tree a ref names): it has none.
NO_DATE = '1970-01-01T00:00:00+00:00'


class HistoryRepo(NamedTuple):
    root: str  # the work tree, or the git dir of a bare repository
    git_dir: str  # absolute
    shallow: bool
    partial: bool  # a partial clone (`--filter`): objects may be missing by design


class Commit(NamedTuple):
    sha: str
    date: str  # committer date, ISO 8601
    message: str  # '' unless asked for


class Change(NamedTuple):
    """A path whose blob this commit sets: added, modified, or resolved in a merge."""
    path: str
    sha: str
    # the same path's blob in each parent (all zeros where the parent had none)
    parents: tuple[str, ...]


def is_null(sha: str) -> bool:
    """git's "no object" id, in either hash (40 zeros for SHA-1, 64 for SHA-256)."""
    return not sha.strip('0')


def _history_env() -> dict[str, str]:
    env = _git_env()
    for name in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
                 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_COMMON_DIR', 'GIT_NAMESPACE'):
        env.pop(name, None)
    env['GIT_NO_REPLACE_OBJECTS'] = '1'
    env['GIT_GRAFT_FILE'] = os.devnull  # grafts hide commits as replace refs do
    env['GIT_NO_LAZY_FETCH'] = '1'  # git >= 2.44; older ones are stopped by _NO_FETCH
    return env


def copy_history_blob(repo: HistoryRepo, sha: str, into: BinaryIO) -> bool:
    """copy_blob, in history's repository and with its settings (real objects only)."""
    return _copy_object(
        history_argv(repo, ('cat-file', 'blob', sha)), into, cwd=repo.git_dir, env=_history_env(),
    )


def history_argv(repo: HistoryRepo, args: Sequence[str]) -> tuple[str, ...]:
    return (
        'git', f'--git-dir={repo.git_dir}', '--no-replace-objects', *_NO_FETCH,
        *_BOUNDED_PACK_MEMORY, *args,
    )


def _spawn(repo: HistoryRepo, args: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            history_argv(repo, args), cwd=repo.git_dir, env=_history_env(), **kwargs,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None


def history_run(
        repo: HistoryRepo,
        args: Sequence[str],
        *,
        input: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            history_argv(repo, args), cwd=repo.git_dir, env=_history_env(), input=input,
            capture_output=True, check=False,
        )
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None


@contextlib.contextmanager
def history_repo(path: str, gitpython: GitPythonCheck | None = None) -> Iterator[HistoryRepo]:
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


def _resolve_history_repo(path: str) -> HistoryRepo:
    if not os.path.isdir(path):
        raise FatalError(f'{path}: not a git repository')
    # `--repo OTHER` names the repository: GIT_DIR (set for the current one, in a hook say)
    # must not replace it; for the current folder, git's own rules decide
    elsewhere = os.path.realpath(path) != os.path.realpath(os.curdir)

    def run(args: Sequence[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
        return _run_resolving(args, cwd, elsewhere=elsewhere)

    facts = ('rev-parse', '--absolute-git-dir', '--is-bare-repository', '--is-inside-git-dir',
             '--is-shallow-repository')
    # in a work tree (nearly always) one call says it all; --show-toplevel fails elsewhere
    found = run((*facts, '--show-toplevel'), cwd=path)
    if found.returncode != 0:
        found = run(facts, cwd=path)
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
    opened = HistoryRepo(root=root, git_dir=git_dir, shallow=shallow == 'true', partial=False)
    return opened._replace(partial=_partial(opened))


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


def _run_resolving(
        args: Sequence[str],
        cwd: str,
        *,
        elsewhere: bool,
) -> subprocess.CompletedProcess[bytes]:
    env = _git_env()
    if elsewhere:
        for name in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR'):
            env.pop(name, None)
    try:
        return subprocess.run(('git', *args), cwd=cwd, env=env, capture_output=True, check=False)
    except FileNotFoundError:
        raise FatalError('git is not installed or not on PATH') from None


def stash_commits(repo: HistoryRepo) -> list[str]:
    """Every stash entry, not only the newest one that `--all` sees through refs/stash."""
    result = history_run(repo, ('log', '--walk-reflogs', '--format=%H', 'refs/stash', '--'))
    if result.returncode != 0:
        return []
    return result.stdout.decode('ascii', 'replace').split()


def unreachable_commits(repo: HistoryRepo) -> tuple[list[str], str | None]:
    """Commits no ref or stash reaches (amended, reset away, dropped stashes), reflogs ignored.

    Also what went wrong, if anything: fsck fails on a repository with missing objects but
    still lists what it could reach, and a missing object is never fatal for `history`.
    """
    result = history_run(
        repo, ('fsck', '--unreachable', '--no-reflogs', '--connectivity-only', '--no-progress'),
    )
    shas = []
    for line in result.stdout.decode('ascii', 'replace').splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == 'unreachable' and parts[1] == 'commit':
            shas.append(parts[2])
    return shas, (_stderr(result) if result.returncode != 0 else None)


def is_commit(repo: HistoryRepo, revision: str) -> bool:
    result = history_run(
        repo, ('rev-parse', '--verify', '--quiet', '--end-of-options', f'{revision}^{{commit}}'),
    )
    return result.returncode == 0


def check_range(repo: HistoryRepo, spec: str) -> None:
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


def commit_authors(repo: HistoryRepo, shas: Iterable[str]) -> dict[str, str]:
    """`Name <email>` of each commit's author (as recorded: no mailmap)."""
    wanted_shas = sorted(shas)
    if not wanted_shas:
        return {}
    result = history_run(
        repo, ('log', '--no-walk=unsorted', '--stdin', '--format=%H%x00%an <%ae>%x00'),
        input=''.join(f'{sha}\n' for sha in wanted_shas).encode(),
    )
    fields = result.stdout.decode('utf-8', 'replace').split('\0')
    return {
        fields[i].strip(): fields[i + 1] for i in range(0, len(fields) - 1, 2)
    }


def count_commits(repo: HistoryRepo, revs: Sequence[str]) -> int | None:
    result = history_run(repo, ('rev-list', '--count', *revs, '--'))
    if result.returncode != 0:
        return None
    return int(result.stdout.strip() or 0)


def tree_blobs(repo: HistoryRepo, treeish: str) -> list[IndexEntry]:
    """Every blob in a tree, recursively (an empty list when there is no such tree)."""
    return _blobs_listed(history_run(repo, ('ls-tree', '-r', '-z', '--full-tree', treeish, '--')))


def head_blobs(*, cwd: str) -> list[IndexEntry]:
    """Every blob in HEAD's tree, for the hook: plumbing in the work tree, no history setup."""
    return _blobs_listed(run(('ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--'), cwd=cwd))


def _blobs_listed(result: subprocess.CompletedProcess[bytes]) -> list[IndexEntry]:
    if result.returncode != 0:
        return []
    entries = []
    for record in zsplit(result.stdout):
        meta, path = record.split('\t', 1)
        mode, kind, sha = meta.split(' ')
        if kind == 'blob':
            entries.append(IndexEntry(path, sha))
    return entries


def head_tree(repo: HistoryRepo) -> list[IndexEntry]:
    """Every blob in HEAD's tree (an empty list in an empty repository)."""
    return tree_blobs(repo, 'HEAD')


class RefTarget(NamedTuple):
    """A ref, and the object it names once annotated tags are peeled."""
    ref: str
    sha: str  # what the ref names (the outermost tag, for an annotated tag)
    kind: str  # the peeled object's type: 'commit' | 'tree' | 'blob'
    target: str  # the peeled object
    # each annotated tag on the way: (tag sha, tagger date ISO 8601, tagger, message)
    tags: tuple[tuple[str, str, str, str], ...]


def _parse_tag(data: bytes) -> tuple[str, str, str, str, str]:
    """(target sha, target type, tagger date, tagger, message) of a tag object."""
    import datetime

    head, _, message = data.partition(b'\n\n')
    target = kind = tagger = ''
    date = NO_DATE
    for line in head.decode('utf-8', 'replace').split('\n'):
        name, _, value = line.partition(' ')
        if name == 'object':
            target = value
        elif name == 'type':
            kind = value
        elif name == 'tagger':
            who, _, when = value.rpartition('> ')
            tagger = f'{who}>' if who else ''
            seconds, _, zone = when.partition(' ')
            try:
                sign = -1 if zone.startswith('-') else 1
                offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
                date = datetime.datetime.fromtimestamp(
                    int(seconds), datetime.timezone(sign * offset),
                ).isoformat()
            except (ValueError, IndexError):
                pass
    return target, kind, date, tagger, message.decode('utf-8', 'replace')


def ref_targets(repo: HistoryRepo) -> tuple[list[RefTarget], list[str]]:
    """Every ref with annotated tags peeled, and the objects that could not be read.

    `log --all` walks the commits refs name, and silently passes over a ref naming a blob or a
    tree (`git tag k $(git hash-object -w .env)`): those, and tag messages, are read here. Tag
    objects are read in one cat-file per level of tags-of-tags, not one git per tag.
    """
    listed = history_run(repo, ('for-each-ref', '--format=%(objectname) %(objecttype) %(refname)'))
    problems: list[str] = []
    # ref -> (what it names, the peeled object so far, its type, the tags on the way)
    walks: dict[str, tuple[str, str, str, list[tuple[str, str, str, str]]]] = {}
    for line in listed.stdout.decode('utf-8', 'surrogateescape').splitlines():
        sha, kind, ref = line.split(' ', 2)
        walks[ref] = (sha, sha, kind, [])
    for _ in range(_MAX_TAG_DEPTH):
        tag_shas = sorted({target for _, target, kind, _ in walks.values() if kind == 'tag'})
        if not tag_shas:
            break
        read = {obj.sha: obj for obj in read_objects(repo, tag_shas, max_size=1 << 20)}
        for ref, (sha, target, kind, tags) in list(walks.items()):
            if kind != 'tag':
                continue
            data = read[target].data
            if data is None:
                problems.append(f'tag object {target} ({ref}) cannot be read: skipped')
                walks[ref] = (sha, target, '', tags)
                continue
            next_target, next_kind, date, tagger, message = _parse_tag(data)
            walks[ref] = (sha, next_target, next_kind, [*tags, (target, date, tagger, message)])
    targets = [
        RefTarget(ref, sha, kind, target, tuple(tags))
        for ref, (sha, target, kind, tags) in walks.items()
        if kind in ('commit', 'tree', 'blob')
    ]
    return targets, problems


# Tags of tags of tags...: git allows chains; a loop is impossible (ids are hashes of content)
_MAX_TAG_DEPTH = 32


def missing_objects(repo: HistoryRepo, revs: Sequence[str]) -> frozenset[str]:
    """Objects a partial clone does not hold, without fetching them (`--missing=print`)."""
    result = history_run(
        repo, ('rev-list', '--objects', '--missing=print', '--no-object-names', *revs, '--'),
    )
    return frozenset(
        line[1:] for line in result.stdout.decode('ascii', 'replace').splitlines()
        if line.startswith('?')
    )


class HistoryStreamError(RuntimeError):
    """`git log` stopped before the end of history (a missing tree or commit)."""


def history_changes(
        repo: HistoryRepo,
        revs: Sequence[str],
        *,
        messages: bool,
) -> Iterator[Commit | Change]:
    """Each commit reachable from `revs`, newest first, followed by the blobs it sets.

    `log --raw` compares trees only (no content diff): cheap next to `log -p`. Merges use the
    combined form (`-c`), which lists only paths whose result differs from every parent: a key
    written while resolving a merge is there, a key merged in from a branch is not (the branch
    commit that added it is). Renames are not followed: a renamed file is a new path.
    """
    body = '%x00%B' if messages else ''
    args = (
        '-c', 'log.showSignature=false', '-c', 'core.quotePath=false',
        'log', '--raw', '-c', '--root', '--no-abbrev', '--no-renames', '-z',
        '--no-ext-diff', '--no-textconv',
        f'--format={_COMMIT_MARK}%H%x00%cI{body}', *revs, '--',
    )
    header_fields = 3 if messages else 2
    process = _spawn(
        repo, args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    _widen_pipe(process.stdout.fileno())
    try:
        tokens = _tokens(process.stdout)
        for token in tokens:
            token = token.lstrip('\n')
            if token.startswith(_COMMIT_MARK):
                fields = [token[1:]]
                for _ in range(header_fields - 1):
                    fields.append(next(tokens))
                yield Commit(fields[0], fields[1], fields[2] if messages else '')
            elif token.startswith(':'):
                path = next(tokens)
                change = _change(token, path)
                if change is not None:
                    yield change
        error = process.stderr.read()
        if process.wait() != 0:
            lines = error.decode('utf-8', 'replace').strip().splitlines()
            raise HistoryStreamError(lines[-1] if lines else f'git log exit {process.returncode}')
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()


def _tokens(stream: Any) -> Iterator[str]:
    tail = b''
    while True:
        chunk = stream.read1(1 << 16)
        if not chunk:
            break
        parts = (tail + chunk).split(b'\0')
        tail = parts.pop()
        for part in parts:
            yield part.decode('utf-8', 'surrogateescape')
    if tail:
        yield tail.decode('utf-8', 'surrogateescape')


def _change(meta: str, path: str) -> Change | None:
    # `:old_mode new_mode old_sha new_sha status`, or with one more mode and sha per extra
    # parent after a merge (`::m1 m2 m new_mode sha1 sha2 new_sha MM`)
    fields = meta.lstrip(':').split(' ')
    parent_count = len(fields) // 2 - 1
    new_mode = fields[parent_count]
    shas = fields[parent_count + 1:-1]
    if new_mode == _GITLINK_MODE or not new_mode.startswith('10'):
        return None  # submodule, or a deletion (mode 000000)
    return Change(path=path, sha=shas[-1], parents=tuple(shas[:-1]))


MISSING = -1
DAMAGED = -2


class ReadObject(NamedTuple):
    sha: str
    size: int  # as git's header says; MISSING or DAMAGED when there is no data
    data: bytes | None  # None: missing, damaged, or larger than the limit asked for


class ObjectReader:
    """Object contents through one `git cat-file --batch`, kept for every call.

    One process for the whole scan keeps git's delta base cache warm: a file edited two
    thousand times is a chain of deltas, and a new git for each batch would rebuild the chain
    from the start each time (measured: 4x the system time).

    A damaged object never stops the reading. A loose object whose header gives the wrong
    size makes git write more or fewer bytes than announced; a corrupt packed object makes git
    die. Each answer is checked (the sha asked for, then exactly `size` bytes and a newline);
    at the first wrong one that object is reported DAMAGED, git is stopped, and a new git reads
    the rest. Each batch ends with a request for the null object id, whose `missing` answer
    marks the end of the batch: a header announcing more bytes than git has is seen when git
    has nothing left to say, rather than waited on for ever.
    """

    def __init__(self, repo: HistoryRepo) -> None:
        self._repo = repo
        self._process: subprocess.Popen[bytes] | None = None
        self._answers = _Answers(-1)  # the running git's output

    def close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass

    def forget(self) -> None:
        """Drop the process without touching it: in a forked child it is the parent's."""
        self._process = None

    def read(self, shas: Sequence[str], *, max_size: int) -> Iterator[ReadObject]:
        """Each object in the order asked; data None when missing, damaged or over max_size."""
        import threading

        pending = list(shas)
        while pending:
            if self._process is None:
                self._process = _spawn(
                    self._repo, ('cat-file', '--batch'),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                )
                assert self._process.stdout is not None
                _widen_pipe(self._process.stdout.fileno())
                self._answers = _Answers(self._process.stdout.fileno())
            process, answers = self._process, self._answers
            assert process.stdin is not None
            null = '0' * len(pending[0])
            end = f'{null} missing\n'.encode()
            request = ''.join(f'{sha}\n' for sha in (*pending, null)).encode()

            def feed(stdin: Any = process.stdin, request: bytes = request) -> None:
                try:
                    stdin.write(request)
                    stdin.flush()
                except (OSError, ValueError):
                    pass  # git went away: the reader says which object

            # a thread, so that git can answer while the rest of the batch is still asked
            feeder = threading.Thread(target=feed, name='vastai-guard-feed', daemon=True)
            feeder.start()
            done = 0
            in_sync = False
            try:
                for sha in pending:
                    answer = answers.answer(sha, max_size, end)
                    if answer is None:
                        break
                    done += 1
                    yield answer
                else:
                    in_sync = answers.line() == end
            finally:
                if not in_sync:
                    self.close()  # damaged, or the caller stopped early: answers are pending
                feeder.join()
            if done < len(pending):
                yield ReadObject(pending[done], DAMAGED, None)
                done += 1
            pending = pending[done:]


def read_objects(
        repo: HistoryRepo,
        shas: Sequence[str],
        *,
        max_size: int,
) -> Iterator[ReadObject]:
    """Object contents in the order asked, through a cat-file of their own (ObjectReader)."""
    reader = ObjectReader(repo)
    try:
        yield from reader.read(shas, max_size=max_size)
    finally:
        reader.close()


# Reads of this size stay below malloc's mmap threshold: 1 MiB ones measured 3x the CPU.
_READ_BYTES = 1 << 16


class _Answers:
    """`cat-file --batch` output, parsed from reads of up to _READ_BYTES.

    Reads of that size, not one read per header and body: a history of small files is tens of
    thousands of answers, and three buffered reads for each cost more than git's own work.
    Nothing else may read the pipe.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b''
        self._at = 0  # where the unread part of _buffer starts

    def line(self) -> bytes:
        """The next line, its newline included; at the end of the output, what is left."""
        while True:
            newline = self._buffer.find(b'\n', self._at)
            if newline >= 0:
                line = self._buffer[self._at:newline + 1]
                self._at = newline + 1
                return line
            chunk = os.read(self._fd, _READ_BYTES)
            if not chunk:
                line, self._buffer, self._at = self._buffer[self._at:], b'', 0
                return line
            self._buffer = self._buffer[self._at:] + chunk
            self._at = 0

    def answer(self, sha: str, max_size: int, end: bytes) -> ReadObject | None:
        """One object, or None when the output is not what was asked."""
        header = self.line()
        fields = header.split()
        if not header.endswith(b'\n') or not fields or fields[0] != sha.encode():
            return None
        if len(fields) == 2 and fields[1] == b'missing':
            return ReadObject(sha, MISSING, None)
        if len(fields) != 3 or not fields[2].isdigit():
            return None
        size = int(fields[2])
        data = self._body(size, end, keep=size <= max_size)
        if data is None:
            return None
        return ReadObject(sha, size, data if size <= max_size else None)

    def _body(self, size: int, end: bytes, *, keep: bool) -> bytes | None:
        """`size` bytes and git's newline after them, or None when git has not got them.

        git's last words for a batch are `end`: a body read so far that ends with them means a
        header announced more bytes than git wrote (a blob that itself ends with that line
        would be called damaged: never seen).
        """
        mark = b'\n' + end
        stop = self._at + size
        if stop < len(self._buffer):  # the whole body is here, and the byte after it
            data = self._buffer[self._at:stop]
            self._at = stop + 1
            if self._buffer[stop] != 0x0A or data.endswith(mark):
                return None
            return data if keep else b''
        first = self._buffer[self._at:]
        self._buffer, self._at = b'', 0
        chunks = [first] if keep else []
        got = len(first)
        tail = first[-len(mark):]
        if tail == mark:
            return None
        while got < size:
            chunk = os.read(self._fd, min(size - got, _READ_BYTES))
            if not chunk:
                return None
            got += len(chunk)
            if keep:
                chunks.append(chunk)
            tail = (tail + chunk)[-len(mark):]
            if tail == mark:
                return None
        if self._next_byte() != b'\n':
            return None
        return b''.join(chunks) if keep else b''

    def _next_byte(self) -> bytes:
        if self._at >= len(self._buffer):
            self._buffer, self._at = os.read(self._fd, _READ_BYTES), 0
        byte = self._buffer[self._at:self._at + 1]
        self._at += len(byte)
        return byte


# Linux's F_SETPIPE_SZ (fcntl.h): not exported by the fcntl module before Python 3.10's Linux builds
_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
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


def untracked_files(folders: Sequence[str], *, cwd: str | None = None) -> list[str]:
    """Files under `folders` that are neither tracked nor ignored: what `git add` would take.

    Paths relative to `cwd`, as `folders` are.
    """
    if not folders:
        return []
    result = run(
        ('--literal-pathspecs', 'ls-files', '--others', '--exclude-standard', '-z', '--',
         *folders),
        cwd=cwd,
    )
    if result.returncode != 0:
        raise FatalError(f'git ls-files failed: {_stderr(result)}')
    return zsplit(result.stdout)
