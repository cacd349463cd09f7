"""SARIF output: valid against the official 2.1.0 schema for every command's results."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest

from testing.sarif import SCHEMA
from testing.sarif import validated
from testing.util import git
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.detect.rules import ALL_RULES
from vastai_guard.detect.rules import ASSIGNMENT
from vastai_guard.detect.rules import CLI
from vastai_guard.findings import ExposedKey
from vastai_guard.findings import FirstSeen
from vastai_guard.findings import Occurrence
from vastai_guard.findings import fingerprint
from vastai_guard.findings import redact
from vastai_guard.main import main
from vastai_guard.report import results
from vastai_guard.report import sarif
from vastai_guard.vocabulary import Status


class Problem(NamedTuple):
    """The shape `vastai-guard gitignore` reports, as the adapter reads it."""
    kind: str
    path: str
    message: str


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = log['runs']
    assert len(runs) == 1
    found: list[dict[str, Any]] = runs[0]['results']
    return found


def _scan_sarif(repo: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(['scan', '--all-files', '--format', 'sarif']) == 1
    return validated(capsys.readouterr().out)


def test_scan_sarif_is_valid_and_locates_each_key_without_the_key(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key, other = new_key(), new_key()
    write(repo, 'app/.env', f'DEBUG=1\nVAST_API_KEY={key}\n')
    write(repo, 'deploy/run.sh', f'#!/bin/sh\nvastai set api-key {other}\n')
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'sarif']) == 1
    out = capsys.readouterr()
    assert key not in out.out + out.err and other not in out.out + out.err
    log = validated(out.out)

    assert log['version'] == '2.1.0'
    driver = log['runs'][0]['tool']['driver']
    assert driver['name'] == 'vastai-guard'
    # one rule per detector, each telling how to rotate
    assert [rule['id'] for rule in driver['rules']] == [rule.id for rule in ALL_RULES]
    assert all('cloud.vast.ai/manage-keys' in rule['help']['text'] for rule in driver['rules'])
    located = {
        (
            r['ruleId'],
            r['level'],
            r['locations'][0]['physicalLocation']['artifactLocation']['uri'],
            r['locations'][0]['physicalLocation']['region']['startLine'],
        )
        for r in _results(log)
    }
    assert located == {
        ('vast-api-key', 'error', 'app/.env', 2),
        ('vast-cli-api-key', 'error', 'deploy/run.sh', 2),
    }
    for result in _results(log):
        assert driver['rules'][result['ruleIndex']]['id'] == result['ruleId']
    messages = ' '.join(r['message']['text'] for r in _results(log))
    assert redact(key) in messages and redact(other) in messages


def test_clean_scan_is_a_valid_log_with_no_results(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'README.md', 'Set VAST_API_KEY=your_api_key_here\n')
    git(repo, 'add', '.')
    assert main(['scan', '--all-files', '--format', 'sarif']) == 0
    assert _results(validated(capsys.readouterr().out)) == []


def test_partial_fingerprints_survive_moved_lines_and_tell_files_apart(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    write(repo, 'a.env', f'VAST_API_KEY={key}\n')
    write(repo, 'b.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    before = {
        r['locations'][0]['physicalLocation']['artifactLocation']['uri']: r['partialFingerprints']
        for r in _results(_scan_sarif(repo, capsys))
    }
    write(repo, 'a.env', f'# moved down\n\n\nVAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    after = {
        r['locations'][0]['physicalLocation']['artifactLocation']['uri']: r['partialFingerprints']
        for r in _results(_scan_sarif(repo, capsys))
    }
    assert after == before  # the same alerts on the next run, lines moved or not
    assert before['a.env'] != before['b.env']  # one key in two files: two alerts
    assert all(fingerprint(key) in value for fp in before.values() for value in fp.values())


def test_paths_are_relative_uri_references(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'my config/100% real.env', f'VAST_API_KEY={new_key()}\n')
    git(repo, 'add', '.')
    (result,) = _results(_scan_sarif(repo, capsys))
    uri = result['locations'][0]['physicalLocation']['artifactLocation']['uri']
    assert uri == 'my%20config/100%25%20real.env'


def test_sarif_written_with_output_file_is_valid(repo: Path, tmp_path: Path) -> None:
    key = new_key()
    write(repo, '.env', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    report = tmp_path / 'out' / 'vastai-guard.sarif'
    report.parent.mkdir()
    result = run_cli(['scan', '--all-files', '--format', 'sarif', '--output', str(report)], repo)
    assert result.returncode == 1
    text = report.read_text(encoding='utf-8')
    assert len(_results(validated(text))) == 1
    assert key not in text + result.stdout + result.stderr
    assert result.stdout.strip().splitlines() == [
        f'vastai-guard: found 1 Vast.ai key in 1 file; report written to {report}',
    ]


def _exposed(key: str, *, status: Status, in_head: bool) -> ExposedKey:
    first = FirstSeen(
        commit='1234567890abcdef1234567890abcdef12345678',
        author='Ada <ada@example.invalid>',
        date='2026-01-02T03:04:05+00:00',
        path='deploy/.env',
        line=7,
    )
    return ExposedKey(
        fingerprint=fingerprint(key),
        rule=ASSIGNMENT,
        redacted=redact(key),
        status=status,
        in_head=in_head,
        first_seen=first,
        occurrences=(
            Occurrence(first.commit, first.path, first.line),
            Occurrence('abcdef1234567890abcdef1234567890abcdef12', 'old/.env', 1),
        ),
    )


@pytest.mark.parametrize(
    ('status', 'in_head', 'level'),
    (
        pytest.param('needs-rotation', True, 'error', id='needs-rotation'),
        pytest.param('rotated', False, 'note', id='rotated'),
        pytest.param('inactive', False, 'note', id='inactive'),
    ),
)
def test_history_keys_render_as_valid_sarif_at_first_sighting(
        status: Status, in_head: bool, level: str,
) -> None:
    key = new_key()
    exposed = _exposed(key, status=status, in_head=in_head)
    text = sarif.render(
        [results.from_exposed_key(exposed)], results.DETECTOR_RULES, category='history',
    )
    assert key not in text
    log = validated(text)
    (result,) = _results(log)
    assert result['ruleId'] == 'vast-api-key'
    assert result['level'] == level
    location = result['locations'][0]['physicalLocation']
    assert location == {'artifactLocation': {'uri': 'deploy/.env'}, 'region': {'startLine': 7}}
    message = result['message']['text']
    assert exposed.redacted in message and '1234567890ab' in message
    assert status.split('-')[0] in message
    assert ('still in HEAD' in message) == in_head
    assert fingerprint(key) in next(iter(result['partialFingerprints'].values()))
    assert log['runs'][0]['automationDetails'] == {'id': 'vastai-guard/history/'}


def test_gitignore_problems_render_as_valid_sarif_with_stable_fingerprints() -> None:
    problems = [
        Problem('env-not-ignored', '.env', '.env is not in .gitignore'),
        Problem('key-file-not-ignored', 'ops/.vast_api_key', 'the CLI key file is not ignored'),
    ]
    rules = results.gitignore_rules([p.kind for p in problems])

    def render() -> dict[str, Any]:
        return validated(
            sarif.render([results.from_gitignore_problem(p) for p in problems], rules),
        )

    log = render()
    found = _results(log)
    assert [r['ruleId'] for r in found] == ['gitignore-env-not-ignored', 'gitignore-key-file-not-ignored']
    assert {r['level'] for r in found} == {'warning'}
    assert [r['message']['text'] for r in found] == [p.message for p in problems]
    # a problem has no line: the whole file is the location
    assert found[0]['locations'][0]['physicalLocation'] == {'artifactLocation': {'uri': '.env'}}
    fingerprints = [r['partialFingerprints'] for r in found]
    assert fingerprints[0] != fingerprints[1]
    assert [r['partialFingerprints'] for r in _results(render())] == fingerprints


def test_a_result_naming_an_unknown_rule_is_a_bug_not_a_broken_log() -> None:
    finding = results.Result('no-such-rule', 'error', 'm', 'a.txt', 1, None)
    with pytest.raises(ValueError, match='no-such-rule'):
        sarif.render([finding], [results.detector_rule(CLI)])


def test_shipped_schema_is_the_official_oasis_schema() -> None:
    schema_file = SCHEMA
    schema = json.loads(schema_file.read_text(encoding='utf-8'))
    assert schema['id'] == sarif.SCHEMA_URI
    assert schema['title'] == 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema'


@pytest.mark.parametrize(
    'breakage',
    (
        pytest.param(lambda log: log['runs'][0]['results'][0]['locations'][0]
                     ['physicalLocation']['region'].update(startLine=0), id='line-zero'),
        pytest.param(lambda log: log['runs'][0]['results'][0].update(level='fatal'), id='level'),
        pytest.param(lambda log: log.pop('version'), id='no-version'),
    ),
)
def test_the_schema_check_rejects_broken_logs(breakage: Any) -> None:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

    result = results.Result('vast-cli-api-key', 'error', 'm', 'a.sh', 3, None)
    log = json.loads(sarif.render([result], [results.detector_rule(CLI)]))
    validated(json.dumps(log))
    breakage(log)
    with pytest.raises(jsonschema.ValidationError):
        validated(json.dumps(log))


def test_gitignore_command_sarif_is_valid_and_names_each_problem(repo: Path) -> None:
    key = new_key()
    write(repo, 'services/api/.env.local', f'VAST_API_KEY={key}\n')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'oops')
    write(repo, 'worker/.env', 'X=1\n')

    result = run_cli(['gitignore', '--format', 'sarif'], cwd=repo)

    assert result.returncode == 1, result.stderr
    log = validated(result.stdout)
    located = {
        (r['ruleId'], r['locations'][0]['physicalLocation']['artifactLocation']['uri'])
        for r in log['runs'][0]['results']
    }
    assert ('gitignore-tracked', 'services/api/.env.local') in located
    assert ('gitignore-not-ignored', 'worker/.env') in located
    assert key not in result.stdout + result.stderr
