"""Refs, with annotated tags peeled: what `log --all` does not show (tag messages, refs that
name a blob or a tree)."""
from __future__ import annotations

from typing import NamedTuple

from vastai_guard.git.objects import read_objects
from vastai_guard.git.runner import Repository
from vastai_guard.git.runner import run_in

# The date of an object no commit holds (a blob or tree a ref names): it has none.
NO_DATE = '1970-01-01T00:00:00+00:00'



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


def ref_targets(repo: Repository) -> tuple[list[RefTarget], list[str]]:
    """Every ref with annotated tags peeled, and the objects that could not be read.

    `log --all` walks the commits refs name, and silently passes over a ref naming a blob or a
    tree (`git tag k $(git hash-object -w .env)`): those, and tag messages, are read here. Tag
    objects are read in one cat-file per level of tags-of-tags, not one git per tag.
    """
    listed = run_in(repo, ('for-each-ref', '--format=%(objectname) %(objecttype) %(refname)'))
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
