"""A repository too big for one task, scanned as several: disjoint commit ranges, then one result.

The first task of a repository counts its commits; above the limit it cuts the first-parent
chain of HEAD at even steps C1..Cn-1 and scans part 0 itself: `--all` and the stash entries
minus what C1 reaches (every branch and tag not merged into the old history, and the newest
stretch), with what refs name outside commits. The other parts, `C1 ^C2`, ..., `Cn-1`, go
back to the engine as tasks of their own, on any worker. The parts are disjoint and together
are everything `--all` reaches; each attributes a key to the commit that introduced it as the
history engine does for a `--range` (it reads the parents' blobs outside its range).

The cut follows the first-parent chain, so parts are even when most commits are on it (a
mainline with merges of short branches); a part may be bigger where a long side branch was
merged. What a blob in two parts costs: it is read once per part (rare: a blob is new in the
commit that adds it).
"""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import ExposedKey
from vastai_guard.git import repository
from vastai_guard.git import runner
from vastai_guard.model import RepositorySweep


def plan(repo: runner.Repository, revs: Sequence[str], max_commits: int) -> list[list[str]]:
    """The git log arguments of each part; one part (`revs`) when the history is small."""
    total = repository.count_commits(repo, revs)
    if total is None or total <= max_commits:
        return [list(revs)]
    chain = runner.run_in(repo, ('rev-list', '--first-parent', 'HEAD', '--'))
    if chain.returncode != 0:
        return [list(revs)]  # no HEAD (an unborn branch): nothing to cut along
    commits = chain.stdout.decode().split()  # newest first
    parts = min(-(-total // max_commits), len(commits))
    cuts = [commits[k * len(commits) // parts] for k in range(1, parts)]
    if len(set(cuts)) < len(cuts) or not cuts:
        return [list(revs)]
    ranges = [[*revs, f'^{cuts[0]}']]
    ranges += [[cut, f'^{older}'] for cut, older in zip(cuts[:-1], cuts[1:], strict=True)]
    ranges.append([cuts[-1]])
    return ranges


def combine(parts: Sequence[RepositorySweep]) -> RepositorySweep:
    """The parts of one repository as if it had been one task: each key once, first seen in
    the oldest part that holds it."""
    ordered = sorted(parts, key=lambda part: part.part)
    first = ordered[0]
    error = next((part.error for part in ordered if part.error is not None), None)
    if error is not None:
        return RepositorySweep(first.source, error=error, seconds=sum(p.seconds for p in parts))
    keys: dict[str, ExposedKey] = {}
    refs: dict[str, tuple[str, ...]] = {}
    # oldest part first: part numbers grow towards the root commit
    for part in reversed(ordered):
        part_refs = dict(part.refs)
        for key in part.keys:
            held = keys.get(key.fingerprint)
            if held is None:
                keys[key.fingerprint] = key
                refs[key.fingerprint] = part_refs.get(key.fingerprint, ())
                continue
            earlier = key.first_seen.date < held.first_seen.date
            kept = key if earlier else held
            if earlier:
                refs[key.fingerprint] = part_refs.get(key.fingerprint, ())
            keys[key.fingerprint] = kept._replace(
                in_head=held.in_head or key.in_head,
                occurrences=held.occurrences + key.occurrences,
            )
    return first._replace(
        keys=tuple(keys.values()),
        refs=tuple((fp, refs[fp]) for fp in keys),
        commits_scanned=sum(part.commits_scanned for part in parts),
        incomplete=any(part.incomplete for part in parts),
        warnings=tuple(warning for part in ordered for warning in part.warnings)[:20],
        seconds=sum(part.seconds for part in parts),
        part=0,
        more=(),
    )
