"""`sweep --state DIR`: each repository's result, keyed by its source and its ref tips.

One JSON file per repository, written (atomically) as soon as its result comes back: a sweep
that is interrupted keeps what it finished, and the next run scans again only the
repositories whose tips (refs, HEAD, stash, config, baseline, tool version) changed. JSON, not
pickle: a state folder shared between people must not be a way to run code. It holds what
the reports hold: fingerprints and redacted forms, never a key.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.errors import FatalError
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.model import RepositorySweep
from vastai_guard.sweep.sources import shown
from vastai_guard.vocabulary import NEEDS_ROTATION
from vastai_guard.vocabulary import ROTATED
from vastai_guard.vocabulary import ROTATED_STILL_ACTIVE
from vastai_guard.vocabulary import Status

_VERSION = 1
_RULES = {rule.id: rule for rule in ALL_RULES}


class State:
    """The results of earlier sweeps in `folder` (created if missing)."""

    def __init__(self, folder: str) -> None:
        self._folder = os.path.join(folder, 'repositories')
        try:
            os.makedirs(self._folder, exist_ok=True)
        except OSError as error:
            raise FatalError(f'--state {folder}: cannot create: {error.strerror}') from None

    def _file(self, where: str) -> str:
        name = hashlib.sha256(where.encode('utf-8', 'surrogateescape')).hexdigest()
        return os.path.join(self._folder, f'{name}.json')

    def load(self, where: str) -> RepositorySweep | None:
        """The result stored for `where` (a path or URL); None when there is none usable (a
        damaged or older file just means: scan it again)."""
        try:
            with open(self._file(where), encoding='utf-8') as file:
                document = json.load(file)
            if document.get('version') != _VERSION or document.get('where') != shown(where):
                return None
            return from_json(document['result'])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, where: str, result: RepositorySweep) -> None:
        """Keep a finished result; a failed repository is tried again next time."""
        if result.error is not None or not result.tips:
            return
        path = self._file(where)
        # the file is named by a hash of `where`; inside, a URL's password is never written
        document = {'version': _VERSION, 'where': shown(where), 'result': to_json(result)}
        partial = f'{path}.{os.getpid()}.tmp'
        try:
            with open(partial, 'w', encoding='utf-8') as file:
                json.dump(document, file)
            os.replace(partial, path)
        except OSError as error:
            raise FatalError(f'--state: cannot write {path}: {error.strerror}') from None


def to_json(result: RepositorySweep) -> dict[str, Any]:
    return {
        'source': result.source,
        'keys': [_key_json(key) for key in result.keys],
        'refs': [[fingerprint, list(refs)] for fingerprint, refs in result.refs],
        'commits_scanned': result.commits_scanned,
        'incomplete': result.incomplete,
        'warnings': list(result.warnings),
        'tips': result.tips,
        'seconds': result.seconds,
    }


def _key_json(key: ExposedKey) -> dict[str, Any]:
    return {
        'fingerprint': key.fingerprint,
        'rule': key.rule.id,
        'redacted': key.redacted,
        # the ledger's word only: a verdict (--verify) is of the day it was asked
        'status': ROTATED if key.status in (ROTATED, ROTATED_STILL_ACTIVE) else NEEDS_ROTATION,
        'in_head': key.in_head,
        'first_seen': list(key.first_seen),
        'occurrences': [list(occurrence) for occurrence in key.occurrences],
        'context': key.context,
    }


def from_json(document: dict[str, Any]) -> RepositorySweep:
    return RepositorySweep(
        source=str(document['source']),
        keys=tuple(_key_from_json(key) for key in document['keys']),
        refs=tuple((str(fp), tuple(map(str, refs))) for fp, refs in document['refs']),
        commits_scanned=int(document['commits_scanned']),
        incomplete=bool(document['incomplete']),
        warnings=tuple(map(str, document['warnings'])),
        tips=str(document['tips']),
        seconds=float(document['seconds']),
    )


def _key_from_json(document: dict[str, Any]) -> ExposedKey:
    commit, author, date, path, line = document['first_seen']
    # a sweep's per-repository status is the ledger's: only these two
    status: Status = ROTATED if document['status'] == ROTATED else NEEDS_ROTATION
    return ExposedKey(
        fingerprint=str(document['fingerprint']),
        rule=_RULES[document['rule']],
        redacted=str(document['redacted']),
        status=status,
        in_head=bool(document['in_head']),
        first_seen=FirstSeen(str(commit), str(author), str(date), str(path), int(line)),
        occurrences=tuple(
            Occurrence(str(c), str(p), int(n)) for c, p, n in document['occurrences']
        ),
        context=str(document['context']),
    )
