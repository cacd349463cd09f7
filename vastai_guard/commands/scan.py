"""`vastai-guard scan`: the pre-commit hook and the CI lint step."""
from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vastai_guard import git
from vastai_guard import sources
from vastai_guard.config import Config
from vastai_guard.config import config_path
from vastai_guard.config import load_config
from vastai_guard.detect import find_secrets
from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Finding
from vastai_guard.findings import Fragment
from vastai_guard.findings import shown_path
from vastai_guard.findings import to_finding
from vastai_guard.report.output import count
from vastai_guard.report.output import emit
from vastai_guard.suppress import load_baseline
from vastai_guard.suppress import unsuppressed

if TYPE_CHECKING:
    from vastai_guard.verify import VerifyOptions


def _fragments_in_repo(
        tree: git.WorkTree,
        paths: Sequence[str],
        *,
        all_files: bool,
        config: Config,
        skipped: list[sources.Skipped],
) -> Iterator[Fragment]:
    # git lists index and staged paths relative to the current folder: asked from the root,
    # so that a scan started in a subfolder still covers the whole repository
    if all_files:
        yield from sources.from_index(
            git.all_index_entries(cwd=tree.root), config=config, skipped=skipped,
        )
        return
    if not paths:
        entries = git.index_entries(git.staged_paths(cwd=tree.root), cwd=tree.root)
        yield from sources.from_index(entries, config=config, skipped=skipped)
        return
    # a link (to a file or a folder) is what git stores for it: the target's name
    folders = [path for path in paths if os.path.isdir(path) and not os.path.islink(path)]
    files = [path for path in paths if path not in folders]
    entries = git.index_entries(files)
    staged = {entry.path for entry in entries}
    for path in files:
        if os.path.islink(path):
            judged = _in_repo(tree, path) in staged
            skipped.append(sources.Skipped(
                _shown(tree, path),
                'symbolic link: target not followed'
                + (" (its staged content, the target's name, was scanned)" if judged else ''),
            ))
    yield from sources.from_index(entries, config=config, skipped=skipped)
    # Named but not in the index (untracked files, folders): judged as they are on disk. A
    # staged deletion is in neither place and has nothing left to leak.
    rest = [*folders, *(path for path in files if _in_repo(tree, path) not in staged)]
    missing = [path for path in rest if not os.path.lexists(path)]
    deleted = set(git.staged_deletions(missing)) if missing else set()
    _check_exist([path for path in missing if _in_repo(tree, path) not in deleted])
    yield from sources.from_disk(
        [path for path in rest if os.path.lexists(path) and not os.path.islink(path)],
        relative_to=tree.root, config=config, skipped=skipped,
    )


def _in_repo(tree: git.WorkTree, path: str) -> str:
    """A path named on the command line (relative to the current folder) as git lists it."""
    return posixpath.normpath(tree.prefix + path.replace(os.sep, '/'))


def _shown(tree: git.WorkTree, path: str) -> str:
    if not os.path.isabs(path):
        return _in_repo(tree, path)
    return os.path.relpath(path, tree.root).replace(os.sep, '/')


def _check_exist(missing: Sequence[str]) -> None:
    """A named file that is nowhere is a mistake (a typo in CI), never a clean answer."""
    if missing:
        raise FatalError(
            f'{missing[0]}: no such file or folder'
            + (f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''),
        )


def collect(
        fragments: Iterable[Fragment],
        secrets: dict[str, str] | None = None,
) -> list[Finding]:
    """Findings; with `secrets`, also fingerprint -> secret for `--verify` (memory only)."""
    findings = []
    for fragment in fragments:
        for match in find_secrets(fragment.text, fragment.path):
            finding = to_finding(match, fragment.path)
            if secrets is not None:
                secrets[finding.fingerprint] = match.secret
            findings.append(finding)
    return findings


def verified(
        findings: list[Finding],
        secrets: dict[str, str],
        options: VerifyOptions,
) -> list[Finding]:
    """Each finding with its key's verdict; each distinct key is asked about once.

    Suppressed findings are gone by now: an allowed key (a documentation example) is not sent.
    """
    verdicts = options.verify([secrets[key] for key in {f.fingerprint for f in findings}])
    return [f._replace(verification=verdicts[f.fingerprint]) for f in findings]


def scan(
        paths: Sequence[str],
        *,
        all_files: bool,
        output_format: str,
        baseline_path: str | None,
        config_file: str | None,
        output_file: str | None = None,
        verify: VerifyOptions | None = None,
) -> int:
    tree = git.work_tree()
    if tree is None and all_files:
        raise FatalError('--all-files needs a git repository (pass folders to scan them from disk)')
    config = load_config(config_path(tree.root if tree else os.getcwd(), config_file))
    baseline = load_baseline(baseline_path) if baseline_path else frozenset()
    skipped: list[sources.Skipped] = []
    if tree is None:
        _check_exist([path for path in paths if not os.path.lexists(path)])
        fragments = sources.from_disk(
            paths or ['.'], relative_to=os.getcwd(), config=config, skipped=skipped,
        )
    else:
        fragments = _fragments_in_repo(
            tree, paths, all_files=all_files, config=config, skipped=skipped,
        )
    # raw secrets are collected only for --verify, and never reach a renderer
    secrets: dict[str, str] | None = {} if verify is not None else None
    findings = unsuppressed(collect(fragments, secrets), config=config, baseline=baseline)
    if verify is not None and secrets is not None and findings:
        findings = verified(findings, secrets, verify)

    for item in skipped:
        print(f'vastai-guard: skipped {shown_path(item.path)}: {item.reason}', file=sys.stderr)
    emit(render(findings, output_format), output_file=output_file, summary=summary(findings))
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def render(findings: Sequence[Finding], output_format: str) -> str:
    if output_format == 'json':
        from vastai_guard.report import json as json_report
        return json_report.render(findings)
    if output_format in ('sarif', 'github'):
        from vastai_guard.report import results
        return results.render_for_ci(
            output_format,
            [results.from_finding(finding) for finding in findings],
            results.DETECTOR_RULES,
            category='scan',
        )
    from vastai_guard.report import text
    return text.render(findings)


def summary(findings: Sequence[Finding]) -> str:
    if not findings:
        return 'vastai-guard: no Vast.ai keys found'
    keys = count(len({f.fingerprint for f in findings}), 'Vast.ai key')
    files = count(len({f.path for f in findings}), 'file')
    return f'vastai-guard: found {keys} in {files}'
