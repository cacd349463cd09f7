"""`scan --all-files --update-baseline F`: written through the one writer, nothing of F lost."""
from __future__ import annotations

import json
from pathlib import Path

from testing.util import commit_all
from testing.util import new_key
from testing.util import run_cli
from testing.util import write


def _entries(path: Path) -> dict[str, dict[str, object]]:
    data = json.loads(path.read_text())
    return {
        str(entry['hashed_secret']): entry
        for entries in data['results'].values() for entry in entries
    }


def test_updating_the_baseline_that_is_read_keeps_its_entries_and_audit_marks(
        repo: Path,
) -> None:
    old, new = new_key(), new_key()
    write(repo, 'deploy.sh', f'export VAST_API_KEY={old}\n')
    commit_all(repo)
    assert run_cli(
        ['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo,
    ).returncode == 0
    baseline = repo / '.secrets.baseline'
    data = json.loads(baseline.read_text())
    (entry,) = data['results']['deploy.sh']
    entry['is_secret'] = False  # `detect-secrets audit`: a false positive, says the team
    data['custom'] = 'kept'
    baseline.write_text(json.dumps(data))
    write(repo, 'run.sh', f'export VAST_API_KEY={new}\n')
    commit_all(repo)

    result = run_cli(
        ['scan', '--all-files', '--baseline', '.secrets.baseline',
         '--update-baseline', '.secrets.baseline'], repo,
    )

    assert result.returncode == 0, result.stderr
    entries = _entries(baseline)
    assert len(entries) == 2
    assert entries[entry['hashed_secret']]['is_secret'] is False
    assert old not in baseline.read_text() and new not in baseline.read_text()


def test_a_json_that_is_not_a_baseline_is_not_overwritten(repo: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    write(repo, 'package.json', '{"name": "app", "version": "1.0.0"}')
    commit_all(repo)
    result = run_cli(['scan', '--all-files', '--update-baseline', 'package.json'], repo)
    assert result.returncode == 2
    assert 'no "results" mapping; not overwritten' in result.stderr
    assert (repo / 'package.json').read_text() == '{"name": "app", "version": "1.0.0"}'


def test_a_committed_link_out_of_the_repository_is_not_followed(
        repo: Path, tmp_path: Path,
) -> None:
    outside = tmp_path / 'elsewhere.json'
    outside.write_text('{"results": {}}')
    (repo / '.secrets.baseline').symlink_to(outside)
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    result = run_cli(['scan', '--all-files', '--update-baseline', '.secrets.baseline'], repo)
    assert result.returncode == 2
    assert 'outside the work tree' in result.stderr
    assert outside.read_text() == '{"results": {}}'


def test_a_committed_link_to_a_folder_does_not_take_the_baseline_out(
        repo: Path, tmp_path: Path,
) -> None:
    outside = tmp_path / 'elsewhere'
    outside.mkdir()
    (repo / 'config').symlink_to(outside)
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    result = run_cli(['scan', '--all-files', '--update-baseline', 'config/b.json'], repo)
    assert result.returncode == 2
    assert 'outside the work tree' in result.stderr
    assert list(outside.iterdir()) == []


def test_a_baseline_named_outside_any_repository_is_written(repo: Path, tmp_path: Path) -> None:
    write(repo, 'deploy.sh', f'export VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    target = tmp_path / 'ci' / 'known.baseline'
    target.parent.mkdir()
    result = run_cli(['scan', '--all-files', '--update-baseline', str(target)], repo)
    assert result.returncode == 0, result.stderr
    assert len(_entries(target)) == 1
