"""`vastai-guard scan`: the pre-commit hook and the CI lint step."""
from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence

from vastai_guard.detect.detector import find_secrets
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Finding
from vastai_guard.findings import Fragment
from vastai_guard.findings import Verifier
from vastai_guard.findings import fingerprint
from vastai_guard.findings import key_shaped
from vastai_guard.findings import shown_path
from vastai_guard.findings import to_finding
from vastai_guard.git import objects
from vastai_guard.git import worktree
from vastai_guard.model import ScanReport
from vastai_guard.options import ScanOptions
from vastai_guard.policy.config import Config
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.suppress import load_baseline
from vastai_guard.policy.suppress import unsuppressed
from vastai_guard.report import render
from vastai_guard.report import summary
from vastai_guard.report.output import emit
from vastai_guard.sources import readers
from vastai_guard.vocabulary import FILE_NAME
from vastai_guard.vocabulary import INCOMPLETE_ERROR
from vastai_guard.vocabulary import NOT_READ_ERROR
from vastai_guard.vocabulary import SHORT_FINGERPRINT
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import fails_gate


def _fragments_in_repo(
        tree: worktree.WorkTree,
        paths: Sequence[str],
        *,
        all_files: bool,
        config: Config,
        skipped: list[readers.Skipped],
        read: list[str],
) -> Iterator[Fragment]:
    # git lists index and staged paths relative to the current folder: asked from the root,
    # so that a scan started in a subfolder still covers the whole repository
    repo = worktree.work_tree_repo(tree)
    if all_files:
        yield from readers.from_index(
            worktree.all_index_entries(cwd=tree.root), repo=repo, config=config, skipped=skipped,
            read=read,
        )
        return
    if not paths:
        entries = worktree.index_entries_from_root(
            worktree.staged_paths(cwd=tree.root), root=tree.root,
        )
        yield from readers.from_index(
            entries, repo=repo, config=config, skipped=skipped, read=read,
        )
        return
    # One rule for files and folders: what the index holds (a folder: its indexed files). A
    # link (to a file or a folder) is what git stores for it: the target's name.
    folders = [path for path in paths if os.path.isdir(path) and not os.path.islink(path)]
    files = [path for path in paths if path not in folders]
    for folder in [path for path in folders if _own_repository(tree, path)]:
        # git lists a submodule as one commit id: nothing in it would be read, and "clean"
        # would be a lie, unless the user left it out by name
        folders.remove(folder)
        if not readers.is_scanned(_in_repo(tree, folder), config):
            continue
        skipped.append(readers.not_read(
            _shown(tree, folder),
            f'a submodule or repository of its own: scan it from inside '
            f'(cd {_shown(tree, folder)} && vastai-guard scan --all-files)',
        ))
    named = [*files, *folders]
    if any(os.path.isabs(path) for path in named):
        entries = worktree.index_entries(named)
    else:
        # the hook names every staged file: matched as the staged mode matches them
        entries = worktree.index_entries_from_root(
            [_in_repo(tree, path) for path in named], root=tree.root,
        )
    staged = {entry.path for entry in entries}
    for path in files:
        if os.path.islink(path):
            judged = _in_repo(tree, path) in staged
            skipped.append(readers.Skipped(
                _shown(tree, path),
                'symbolic link: target not followed'
                + (" (its staged content, the target's name, was scanned)" if judged else ''),
            ))
    yield from readers.from_index(entries, repo=repo, config=config, skipped=skipped, read=read)
    # Not in the index, so read from disk: named files git does not track, and untracked
    # files under named folders that `git add` would take (ignored ones are left out). A
    # staged deletion is in neither place and has nothing left to leak.
    rest = [path for path in files if _in_repo(tree, path) not in staged]
    missing = [path for path in rest if not os.path.lexists(path)]
    deleted = set(worktree.staged_deletions(missing)) if missing else set()
    _check_exist([path for path in missing if _in_repo(tree, path) not in deleted])
    on_disk = [path for path in rest if os.path.lexists(path) and not os.path.islink(path)]
    if folders:
        # git reads every .gitignore while listing untracked files: a FIFO one blocks it
        from vastai_guard.gitignore.check import refuse_special_gitignores

        for folder in folders:
            refuse_special_gitignores(folder, os.getcwd(), with_parents_to=tree.root)
    yield from readers.from_disk(
        [*on_disk, *worktree.untracked_files(folders)],
        relative_to=tree.root, config=config, skipped=skipped, read=read,
    )


def _own_repository(tree: worktree.WorkTree, folder: str) -> bool:
    """Whether a named folder is the top of another repository (a submodule: `.git` is a file
    there; a nested clone: a folder), not a folder of this one."""
    return os.path.lexists(os.path.join(folder, '.git')) and (
        os.path.realpath(folder) != os.path.realpath(tree.root)
    )


def _in_repo(tree: worktree.WorkTree, path: str) -> str:
    """A path named on the command line (relative to the current folder) as git lists it."""
    return posixpath.normpath(tree.prefix + path.replace(os.sep, '/'))


def _shown(tree: worktree.WorkTree, path: str) -> str:
    if not os.path.isabs(path):
        return _in_repo(tree, path)
    return os.path.relpath(path, tree.root).replace(os.sep, '/')


def _with_names(
        fragments: Iterable[Fragment], read: Sequence[str], skipped: Sequence[readers.Skipped],
) -> Iterator[Fragment]:
    """`fragments`, then the name of every file met (read or skipped) that could hold a key,
    as text: a key in a file name is committed like one in the file. Told FILE_NAME as its
    path, so only the name's own words make context; shown as `(file name) NAME`, redacted."""
    yield from fragments
    for name in dict.fromkeys([*read, *(item.path for item in skipped)]):
        if key_shaped(name):
            matches = tuple(find_secrets(name, FILE_NAME))
            if matches:
                yield Fragment(f'{FILE_NAME} {name}', '', matches)


def _check_exist(missing: Sequence[str]) -> None:
    """A named file that is nowhere is a mistake (a typo in CI), never a clean answer."""
    if missing:
        raise FatalError(
            f'{missing[0]}: no such file or folder'
            + (f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''),
        )


def find_keys(
        fragments: Iterable[Fragment],
        *,
        config: Config,
        baseline: frozenset[str],
        verify: Verifier | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """(every finding, the unsuppressed ones), the latter with verdicts when `verify` is given.

    The raw keys stay here: `verify` is called with the unsuppressed ones (an allowed key, a
    documentation example, is never sent), each distinct key once, and only verdicts go on.
    """
    secrets: dict[str, str] = {}
    found = []
    for fragment in fragments:
        matches = fragment.matches
        if matches is None:
            matches = tuple(find_secrets(fragment.text, fragment.path))
        for match in matches:
            finding = to_finding(match, fragment.path)
            if verify is not None:
                secrets[finding.fingerprint] = match.secret
            found.append(finding)
    findings = unsuppressed(found, config=config, baseline=baseline)
    if verify is not None and findings:
        verdicts = verify(secrets[key] for key in dict.fromkeys(f.fingerprint for f in findings))
        findings = [f._replace(verification=verdicts[f.fingerprint]) for f in findings]
    return found, findings


def scan(options: ScanOptions) -> int:
    """Scan staged files (no paths: the hook), every tracked file, or the paths named; 1 when a
    key is found, 2 when a file that could hold one was not read (unless
    `allow_missing_objects`)."""
    terminal = options.terminal
    tree = worktree.work_tree()
    if tree is None and options.all_files:
        raise FatalError('--all-files needs a git repository (pass folders to scan them from disk)')
    if options.from_disk and options.all_files:
        raise FatalError('--all-files reads the index; --from-disk reads the files: pick one')
    if options.update_baseline is not None and not options.all_files:
        # a baseline of the staged files alone would drop every other file's entries
        raise FatalError('--update-baseline records every tracked file: add --all-files')
    config = load_config(
        config_path(tree.root if tree else os.getcwd(), options.config_file, must_exist=True),
    )
    baseline = load_baseline(options.baseline_path) if options.baseline_path else frozenset()
    own_policy = None
    if options.policy_from is not None:
        if tree is None:
            raise FatalError('--policy-from needs a git repository')
        own_policy = (config, baseline)
        config, baseline = _policy_at(tree, options, config)
    if terminal.verbose:
        _tell(
            f'config: {config.path or "none (defaults)"}; '
            f'baseline: {options.baseline_path or "none"}',
        )
    skipped: list[readers.Skipped] = []
    scanned: list[str] = []
    if tree is None or options.from_disk:
        _check_exist([path for path in options.paths if not os.path.lexists(path)])
        fragments = readers.from_disk(
            options.paths or ['.'], relative_to=tree.root if tree else os.getcwd(), config=config,
            skipped=skipped, read=scanned,
        )
    else:
        fragments = _fragments_in_repo(
            tree, options.paths, all_files=options.all_files, config=config, skipped=skipped,
            read=scanned,
        )
    found, findings = find_keys(
        _with_names(fragments, scanned, skipped), config=config, baseline=baseline,
        verify=options.verify,
    )
    if own_policy is not None:
        _tell_allowances(findings, *own_policy, since=options.policy_from or '')

    for item in skipped:
        if item.unreadable:
            # always, -q too: it is why the scan fails
            _tell(f'warning: {item.reason}')
        elif (item.notable and not terminal.quiet) or terminal.verbose:
            _tell(f'skipped {shown_path(item.path)}: {item.reason}')
    unreadable = sum(item.missing_object for item in skipped)
    not_read = tuple(
        shown_path(item.path) for item in skipped if item.unreadable and not item.missing_object
    )
    binaries = sum(item.binary for item in skipped)
    if binaries and not terminal.quiet and not terminal.verbose:
        _tell(f'{count(binaries, "binary file")} not scanned (-v names them)')
    if terminal.verbose:
        kept = {(f.path, f.line, f.fingerprint) for f in findings}
        for finding in found:
            if (finding.path, finding.line, finding.fingerprint) not in kept:
                why = _why(finding, config, baseline)
                _tell(f'suppressed {finding.path}:{finding.line}: {why}')
    if options.update_baseline is not None:
        if not_read or (unreadable and not options.allow_missing_objects):
            # a baseline that lacks the keys of a file not read would pass them later
            raise FatalError(NOT_READ_ERROR if not_read else INCOMPLETE_ERROR)
        return _write_baseline(options.update_baseline, findings, known=baseline)
    max_size = config.max_file_mb * 1024 * 1024
    committed = committed_keys(tree, findings, max_size=max_size) if tree else frozenset()
    earlier: frozenset[str] = frozenset()
    if tree is not None and findings:
        from vastai_guard.sources.committed import earlier_keys

        # "not in any commit yet" must be true: a key HEAD's file lacks may be in history
        earlier = earlier_keys(
            worktree.work_tree_repo(tree), sorted({f.path for f in findings}),
            frozenset(f.fingerprint for f in findings) - committed, max_size=max_size,
        )
    report = ScanReport(
        tuple(findings), files_read=len(scanned), committed=committed,
        unreadable_objects=unreadable, earlier=earlier, not_read=not_read,
        binary_files=binaries,
    )
    emit(
        render(report, options.output_format, terminal),
        output_file=options.output_file,
        summary=summary(report),
    )
    if (
            not findings and options.output_format == 'text' and options.output_file is None
            and sys.stdout.isatty() and not terminal.quiet
    ):
        # one line for a person at a terminal; hooks and pipes get silence, as they expect
        print(summary(report))
    # CI policy (--fail-on): a dead key is reported, not failed on; an unanswered one fails
    # unless the user said `confirmed-active`
    findings = [
        f for f in findings
        if fails_gate(options.fail_on, f.verification.state if f.verification else None)
    ]
    if findings:
        return EXIT_FINDINGS
    if not_read:
        # no flag excuses a file that was not read: naming it in exclude_paths does
        _tell(f'error: {NOT_READ_ERROR}')
        return EXIT_ERROR
    if report.incomplete and not options.allow_missing_objects:
        # "no key found" is only true of what was read: a hook or CI step must not pass on less
        _tell(f'error: {INCOMPLETE_ERROR}')
        return EXIT_ERROR
    return EXIT_CLEAN


def _policy_at(
        tree: worktree.WorkTree, options: ScanOptions, config_here: Config,
) -> tuple[Config, frozenset[str]]:
    """The config and baseline as `--policy-from` holds them, read as stored (blobs, no
    filter): a pull request cannot allow its own key by editing them."""
    from vastai_guard.policy import base

    repo = worktree.work_tree_repo(tree)
    commit = base.commit_of(repo, options.policy_from or '')
    if commit is None:
        raise FatalError(
            f'--policy-from {options.policy_from!r}: not a commit in this repository; fetch it '
            'first (on GitHub Actions: actions/checkout with fetch-depth: 0)',
        )
    policy = base.policy_of(
        repo, commit, config_file=config_path(tree.root, options.config_file),
        baseline_file=options.baseline_path, config_here=config_here,
    )
    return policy.config, policy.baseline


def _tell_allowances(
        findings: Sequence[Finding], config: Config, baseline: frozenset[str], *, since: str,
) -> None:
    """Each key the change's own config or baseline would let pass: still reported, and said."""
    kept = {id(finding) for finding in unsuppressed(findings, config=config, baseline=baseline)}
    for finding in findings:
        if id(finding) not in kept:
            _tell(
                f'this change allows key {finding.fingerprint[:SHORT_FINGERPRINT]} '
                f'({finding.path}:{finding.line}) in its own config or baseline, which '
                f'{since} does not: review it',
            )


def _write_baseline(path: str, findings: Sequence[Finding], *, known: frozenset[str]) -> int:
    """Every key found now, recorded as known: later scans with this baseline pass."""
    from vastai_guard.files.writing import edit_user_file
    from vastai_guard.files.writing import named_output_root
    from vastai_guard.policy import baseline

    root = named_output_root(path)
    baseline.write_baseline(path, findings, root=root, known=known)
    # detect-secrets loads our plugins through this file beside the baseline (portable)
    plugins = baseline.plugin_file(path)
    edit_user_file(plugins, lambda _: baseline.PLUGIN_FILE_TEXT.encode('utf-8'), root=root)
    keys = count(len({f.fingerprint for f in findings}), 'Vast.ai key')
    files = count(len({f.path for f in findings}), 'file')
    print(f'vastai-guard: wrote {path}: {keys} in {files} recorded as known')
    print(
        f'vastai-guard: wrote {plugins}: detect-secrets loads the Vast.ai plugins through it '
        '(from the installed vastai-guard); commit it with the baseline',
    )
    return EXIT_CLEAN


def committed_keys(
        tree: worktree.WorkTree, findings: Sequence[Finding], *, max_size: int,
) -> frozenset[str]:
    """Fingerprints of the keys found that HEAD already holds in the same file.

    Those are exposed for good (rotate now); a key only staged or on disk is not yet. Read
    only for files with findings: a clean hook run pays nothing for it. A HEAD blob that
    cannot be read only loses its advice: the scan itself read what it had to.
    """
    if not findings:
        return frozenset()
    from vastai_guard.detect.decode import text_to_scan

    paths = {finding.path for finding in findings}
    entries = [entry for entry in worktree.head_blobs(cwd=tree.root) if entry.path in paths]
    blobs = objects.read_blobs(
        worktree.work_tree_repo(tree), [entry.sha for entry in entries], max_size=max_size,
    )
    found = set()
    for entry, blob in zip(entries, blobs, strict=True):
        text = text_to_scan(entry.path, blob.data) if blob.data is not None else None
        for match in find_secrets(text or '', entry.path):
            found.add(fingerprint(match.secret))
    return frozenset(found & {finding.fingerprint for finding in findings})


def _tell(message: str) -> None:
    print(f'vastai-guard: {message}', file=sys.stderr)


def _why(finding: Finding, config: Config, baseline: frozenset[str]) -> str:
    from vastai_guard.policy.suppress import fingerprint_allowed

    # the same test as the suppression itself: a 12-character prefix allows a key too
    if fingerprint_allowed(finding.fingerprint, config.allow_fingerprints):
        return f'fingerprint in allow_fingerprints ({config.path})'
    if finding.hashed_secret in baseline:
        return 'in the baseline'
    return f'path in exclude_paths ({config.path})'
