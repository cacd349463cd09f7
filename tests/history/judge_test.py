"""history.judge: one blob in, its keys out by fingerprint; the Judge's tasks, in order."""
from __future__ import annotations

import codecs
from pathlib import Path

from testing.util import env_line
from testing.util import git
from testing.util import new_key
from testing.util import redacted
from testing.util import write
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.detect.rules import KEY_FILE
from vastai_guard.findings import Match
from vastai_guard.findings import baseline_hash
from vastai_guard.findings import fingerprint
from vastai_guard.git.runner import Repository
from vastai_guard.history.judge import UNREADABLE
from vastai_guard.history.judge import Judge
from vastai_guard.history.judge import Suppressions
from vastai_guard.history.judge import TaskResult
from vastai_guard.history.judge import blob_id
from vastai_guard.history.judge import judge_blob
from vastai_guard.history.judge import keys_in
from vastai_guard.history.judge import may_hold_key
from vastai_guard.policy.config import Config

NONE = Suppressions(Config(), frozenset())


def test_a_key_by_fingerprint_never_raw() -> None:
    key = new_key()
    keys = judge_blob('deploy/.env', f'# x\n{env_line(key)}'.encode(), NONE)
    assert list(keys) == [fingerprint(key)]
    found = keys[fingerprint(key)]
    assert (found.rule, found.redacted, found.line) == (ASSIGNMENT, redacted(key), 2)
    assert key not in repr(keys)


def test_a_digest_is_not_a_key() -> None:
    data = f'sha256: {new_key()}\nchecksum = "{new_key()}"\n'.encode()
    assert judge_blob('vast/lock.txt', data, NONE) == {}


def test_a_key_file_needs_no_trigger_word() -> None:
    key = new_key()
    keys = judge_blob('home/.vast_api_key', f'{key}\n'.encode(), NONE)
    assert [k.rule for k in keys.values()] == [KEY_FILE]


def test_utf16_blob_is_judged_decoded() -> None:
    key = new_key()
    data = codecs.BOM_UTF16_LE + env_line(key).encode('utf-16-le')
    assert may_hold_key(data)  # its raw bytes never say "vast": not judged on them
    assert list(judge_blob('setup.ps1', data, NONE)) == [fingerprint(key)]


def test_suppressed_keys_are_left_out_and_secrets_kept_only_when_asked() -> None:
    allowed, baselined, kept = new_key(), new_key(), new_key()
    data = ''.join(env_line(k) for k in (allowed, baselined, kept)).encode()
    secrets: dict[str, str] = {}
    suppressions = Suppressions(
        Config(allow_fingerprints=frozenset({fingerprint(allowed)[:12]})),
        frozenset({baseline_hash(baselined)}),
        secrets,
    )
    keys = judge_blob('.env', data, suppressions)
    assert list(keys) == [fingerprint(kept)]
    # --verify is handed only the keys that survive suppression
    assert secrets == {fingerprint(kept): kept}


def test_keys_in_keeps_the_first_line_of_a_key() -> None:
    key = new_key()
    keys = keys_in([Match(ASSIGNMENT, 7, key, 'a'), Match(ASSIGNMENT, 3, key, 'b')], NONE)
    assert [(k.line, k.context) for k in keys.values()] == [(7, 'a')]


def test_blob_id_tells_a_vast_name_apart() -> None:
    # the same content under a name that says vast is judged again
    assert blob_id('a' * 40, 'config.env') != blob_id('a' * 40, 'vast.env')
    assert blob_id('a' * 40, 'x/config.env') == blob_id('a' * 40, 'y/settings.env')


def _judge_all(repo: Path, blobs: list[tuple[str, str]], jobs: int,
               missing: frozenset[str] = frozenset()) -> list[TaskResult]:
    results: list[TaskResult] = []
    opened = Repository(str(repo), str(repo / '.git'), shallow=False, partial=False)
    with Judge(opened, Config(), frozenset(), jobs=jobs, keep_secrets=False,
               collect=results.append, missing=missing) as judge:
        for sha, path in blobs:
            judge.add(sha, path)
        judge.drain()
    return results


def _stored(repo: Path, name: str, content: str) -> str:
    return git(repo, 'hash-object', '-w', str(write(repo, name, content))).strip()


def test_judge_results_do_not_depend_on_jobs(repo: Path) -> None:
    contents = {}
    for i in range(300):  # more than one task's worth (256 blobs): workers share them
        key = new_key() if i % 25 == 0 else ''
        contents[f'f{i}.env'] = env_line(key) if key else f'A={i}\n'
        write(repo, f'f{i}.env', contents[f'f{i}.env'])
    # one git for all: one per blob is seconds
    shas = git(repo, 'hash-object', '-w', *contents).split()
    blobs = list(zip(shas, contents, strict=True))
    keys = {
        sha: fingerprint(content.partition('=')[2].strip())
        for sha, content in zip(shas, contents.values(), strict=True)
        if content.startswith('VAST_API_KEY=')
    }
    assert len(keys) == 12

    def found(results: list[TaskResult]) -> list[tuple[str, list[str]]]:
        return [(blob[0], list(k)) for result in results for blob, k in result.keys]

    one = _judge_all(repo, blobs, jobs=1)
    two = _judge_all(repo, blobs, jobs=2)
    assert found(one) == found(two) == [(sha, [print_]) for sha, print_ in keys.items()]
    assert sum(r.blobs for r in one) == sum(r.blobs for r in two) == 300


def test_unreadable_blobs_are_problems_not_errors(repo: Path) -> None:
    sha = _stored(repo, 'a.env', 'A=1\n')
    absent, promised = 'e' * 40, 'd' * 40
    results = _judge_all(
        repo, [(absent, 'x.env'), (sha, 'a.env'), (promised, 'y.env')], jobs=1,
        missing=frozenset({promised}),
    )
    problems = [p for r in results for p in r.problems]
    assert {p.kind for p in problems} == {UNREADABLE}
    messages = ' '.join(p.message for p in problems)
    assert f'object {absent} (x.env) is missing' in messages
    assert f'object {promised} (y.env) is missing' in messages
    assert sum(r.blobs for r in results) == 1


def test_a_blob_over_max_file_mb_is_judged_in_chunks(repo: Path) -> None:
    key = new_key()
    content = '# padding\n' * 120_000 + env_line(key)  # > 1 MB
    sha = _stored(repo, 'big.env', content)
    results: list[TaskResult] = []
    opened = Repository(str(repo), str(repo / '.git'), shallow=False, partial=False)
    with Judge(opened, Config(max_file_mb=1), frozenset(), jobs=1, keep_secrets=False,
               collect=results.append) as judge:
        judge.add(sha, 'big.env')
        judge.drain()
    (result,) = results
    assert [list(keys) for _, keys in result.keys] == [[fingerprint(key)]]
    assert result.problems == []
