"""One repository of a sweep: the task a local worker process or a Dask worker runs.

The history engine (history.scan_history) scans it in the worker's own process (jobs=1: the
sweep's parallelism is one repository per worker), over what `history` scans with no range:
every ref and stash entry. What comes back is a RepositorySweep: fingerprints and redacted
forms only, picklable, so that no raw key ever crosses a pipe or the network. Whatever goes
wrong is the repository's error line, never the sweep's end.
"""
from __future__ import annotations

import hashlib
import os
import time
from typing import NamedTuple

from vastai_guard.errors import FatalError
from vastai_guard.findings import Verifier
from vastai_guard.findings import redact_runs
from vastai_guard.findings import shown_path
from vastai_guard.git import holders
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.history.run import history_revs
from vastai_guard.history.walk import scan_history
from vastai_guard.model import RepositorySweep
from vastai_guard.policy.config import CONFIG_FILE
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import parse_config
from vastai_guard.policy.suppress import BASELINE_FILE
from vastai_guard.sweep import split
from vastai_guard.sweep.sources import default_cache
from vastai_guard.sweep.sources import is_url
from vastai_guard.sweep.sources import mirror
from vastai_guard.sweep.sources import shown

# Refs named per key: enough to say where it lives, bounded for a repository of 10,000 tags.
MAX_REFS = 10
_SHALLOW = 'shallow clone: history is partial (keys in commits not fetched are not seen)'
# A config or baseline bigger than this is not one (config's own limit is smaller still).
_MAX_SETTINGS_BYTES = 64 << 20


# A repository with more commits than this is split into parts of about this many (split.py).
SPLIT_COMMITS = 20_000


class SweepTask(NamedTuple):
    source: str  # as given: what reports show (a URL's password replaced)
    where: str  # an absolute path, or the URL: what the worker opens or clones
    cache: str | None  # where URLs are mirrored; None: the worker's own default cache
    known_tips: str | None = None  # the tips --state holds a result for
    split_commits: int = SPLIT_COMMITS
    # a later part of a split repository: its number and its git log arguments
    part: int = 0
    revs: tuple[str, ...] | None = None
    # `--verify`: the worker asks the Vast.ai API about the keys it found (VerifyOptions.verify
    # pickles by reference); only the verdicts come back
    verify: Verifier | None = None


def task_for(
        source: str, *, cache: str | None, known_tips: str | None = None,
        split_commits: int = SPLIT_COMMITS, verify: Verifier | None = None,
) -> SweepTask:
    where = source if is_url(source) else os.path.abspath(source)
    return SweepTask(shown(source), where, cache, known_tips, split_commits, verify=verify)


def parts_of(task: SweepTask, result: RepositorySweep) -> list[SweepTask]:
    """The tasks of the other parts of a repository whose first task split it."""
    return [
        task._replace(known_tips=None, part=number, revs=revs)
        for number, revs in enumerate(result.more, 1)
    ]


def sweep_repository(task: SweepTask) -> RepositorySweep:
    """Scan one repository; its failure is its result's `error`, never an exception."""
    start = time.perf_counter()
    try:
        result = _sweep(task)
    except FatalError as error:
        message = str(error)
        for name in (task.where, task.source):  # the report names the repository already
            message = message.removeprefix(f'{name}: ')
        result = RepositorySweep(task.source, error=redact_runs(message), part=task.part)
    except Exception as error:  # noqa: BLE001 -- one repository's bug must not end the sweep
        # a message may quote what it failed on: anything key-shaped in it is redacted
        said = redact_runs(f'unexpected error: {type(error).__name__}: {error}')
        result = RepositorySweep(task.source, error=said[:300], part=task.part)
    return result._replace(seconds=time.perf_counter() - start)


def _sweep(task: SweepTask) -> RepositorySweep:
    path = task.where
    if is_url(path):
        # a later part takes the mirror as its first part found it: parts fetching at once
        # would fight over the mirror's locks
        path = mirror(path, task.cache or default_cache(), refresh=task.revs is None)
    elif not os.path.exists(path):
        raise FatalError('not found')
    with repository.open_repository(path, repository.GitPythonCheck(in_process=True)) as repo:
        config_text, baseline_text = _settings(repo)
        tips = ref_tips(repo, config_text, baseline_text)
        if tips == task.known_tips:
            return RepositorySweep(task.source, tips=tips, unchanged=True)
        config = Config()
        if config_text is not None:
            try:
                text = config_text.decode('utf-8')
            except UnicodeDecodeError:
                raise FatalError(f'{_settings_name(repo)}: cannot read: not UTF-8') from None
            config = parse_config(text, _settings_name(repo))
        baseline = _baseline(baseline_text, repo)
        more: list[list[str]] = []
        if task.revs is None:
            revs, *more = split.plan(
                repo, history_revs(repo, include_unreachable=False), task.split_commits,
            )
        else:
            revs = list(task.revs)
        report = scan_history(
            repo, revs, config=config, baseline=baseline, jobs=1, verify=task.verify,
            # tag messages and objects refs name outside commits: once, in the first part
            with_refs=task.revs is None,
        )
        # the same question history's report answers (git/holders), first-seen commit only
        held = holders.refs_holding(
            repo, [key.first_seen.commit for key in report.keys],
            repository.stash_commits(repo),
        ) if report.keys else {}
        refs = tuple(
            (key.fingerprint, _shown_refs(held.get(key.first_seen.commit)))
            for key in report.keys
        )
    return RepositorySweep(
        task.source,
        keys=report.keys,
        refs=refs,
        commits_scanned=report.commits_scanned,
        incomplete=report.incomplete,
        warnings=(_SHALLOW,) * repo.shallow + report.warnings[:20],
        tips=tips,
        part=task.part,
        more=tuple(tuple(part) for part in more),
    )


def _bare(repo: runner.Repository) -> bool:
    return repo.root == repo.git_dir


def _settings_name(repo: runner.Repository) -> str:
    if _bare(repo):
        return f'{repo.git_dir}:HEAD:{CONFIG_FILE}'
    return os.path.join(repo.root, CONFIG_FILE)


def _settings(repo: runner.Repository) -> tuple[bytes | None, bytes | None]:
    """The repository's .vastai-guard.yaml and .secrets.baseline, as `history` would read them:
    from the work tree; for a bare repository or a mirror, as committed at HEAD."""
    if _bare(repo):
        return _committed(repo, CONFIG_FILE), _committed(repo, BASELINE_FILE)
    return _on_disk(repo.root, CONFIG_FILE), _on_disk(repo.root, BASELINE_FILE)


def _committed(repo: runner.Repository, name: str) -> bytes | None:
    size = runner.run_in(repo, ('cat-file', '-s', f'HEAD:{name}'))
    if size.returncode != 0:
        return None  # no HEAD, or no such file at HEAD
    if int(size.stdout) > _MAX_SETTINGS_BYTES:
        raise FatalError(f'HEAD:{name}: larger than {_MAX_SETTINGS_BYTES} bytes')
    blob = runner.run_in(repo, ('cat-file', 'blob', f'HEAD:{name}'))
    if blob.returncode != 0:
        raise FatalError(f'HEAD:{name}: cannot be read')
    return blob.stdout


def _on_disk(root: str, name: str) -> bytes | None:
    from vastai_guard.files.reading import read_regular

    path = os.path.join(root, name)
    try:
        return read_regular(path, max_bytes=_MAX_SETTINGS_BYTES)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FatalError(f'cannot read {error}') from None


def _baseline(text: bytes | None, repo: runner.Repository) -> frozenset[str]:
    if text is None:
        return frozenset()
    import tempfile

    from vastai_guard.policy.suppress import load_baseline

    # load_baseline reads a file and checks it as `history` does: a committed one is written
    # to a private temporary file first
    with tempfile.TemporaryDirectory(prefix='vastai-guard-') as folder:
        path = os.path.join(folder, BASELINE_FILE)
        with open(path, 'wb') as file:
            file.write(text)
        try:
            return load_baseline(path)
        except FatalError as error:
            raise FatalError(str(error).replace(path, f'{repo.root}: {BASELINE_FILE}')) from None


def ref_tips(repo: runner.Repository, config: bytes | None, baseline: bytes | None) -> str:
    """What a repository's result depends on: every ref's tip, HEAD, the stash entries, the
    config and baseline, and this version of the tool. Equal tips: the same result."""
    from vastai_guard.version import tool_version

    digest = hashlib.sha256()
    refs = runner.run_in(repo, ('for-each-ref', '--format=%(objectname) %(refname)'))
    if refs.returncode != 0:
        raise FatalError(f'{repo.root}: cannot list refs: {refs.stderr.decode(errors="replace")}'
                         .strip()[:300])
    head = runner.run_in(repo, ('rev-parse', '--verify', '--quiet', 'HEAD'))
    for part in (
            tool_version('0.0.0').encode(), refs.stdout, head.stdout,
            '\n'.join(repository.stash_commits(repo)).encode(), config or b'', baseline or b'',
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _shown_refs(refs: tuple[str, ...] | None) -> tuple[str, ...]:
    # ref names are data from the repository (a branch can be named after a key)
    return tuple(shown_path(ref) for ref in (refs or ())[:MAX_REFS])
