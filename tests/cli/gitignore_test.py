from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from testing.util import REPO_ROOT
from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import new_key
from testing.util import run_cli
from testing.util import write
from vastai_guard.main import main

REQUIRED = {
    '.env', '.env.local', '.env.*.local', '.env.<environment>',
    '.vast_api_key', 'vast_api_key', 'vast_tfa_key',
}
# What a project that already does it right has (the common hand-written form).
GOOD_GITIGNORE = '.env\n.env.*\n!.env.example\n.vast_api_key\nvast_api_key\nvast_tfa_key\n'


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, str]]]:
    code = main(['gitignore', '--format', 'json', *args])
    report = json.loads(capsys.readouterr().out)
    return code, report['problems']


def kinds(problems: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(p['kind'], p['path']) for p in problems}


def is_ignored(repo: Path, path: str) -> bool:
    result = subprocess.run(
        ('git', 'check-ignore', '-q', '--no-index', path), cwd=repo, check=False,
    )
    return result.returncode == 0


def test_missing_gitignore_reports_every_pattern_and_fix_creates_it(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code, problems = check(capsys)
    assert code == 1
    assert kinds(problems) == {('missing-pattern', name) for name in REQUIRED}

    code, problems = check(capsys, '--fix')
    assert (code, problems) == (0, [])
    text = (repo / '.gitignore').read_text()
    assert text.startswith('# vastai-guard') and text.endswith('# end vastai-guard\n')
    for name in ('.env', '.env.local', '.env.staging.local', '.env.production', 'vast_api_key',
                 'deep/er/.env.production', '.vast_api_key'):
        assert is_ignored(repo, name), name
    for template in ('.env.example', '.env.sample', '.env.template', '.env.dist',
                     '.env.production.example'):
        assert not is_ignored(repo, template), template


def test_good_gitignore_passes_with_templates_committed(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, '.env.example', 'VAST_API_KEY=\n')
    write(repo, 'services/api/.env.example', 'VAST_API_KEY=\n')
    write(repo, '.env', f'VAST_API_KEY={new_key()}\n')
    commit_all(repo)
    assert git(repo, 'ls-files').split() == ['.env.example', '.gitignore',
                                             'services/api/.env.example']
    assert check(capsys) == (0, [])
    assert check(capsys, '--fix') == (0, [])
    assert (repo / '.gitignore').read_text() == GOOD_GITIGNORE


def test_crlf_gitignore_keeps_its_bytes_and_line_endings(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    original = b'# build\r\nnode_modules/\r\n*.log'  # no final newline
    write(repo, '.gitignore', original)
    code, _ = check(capsys, '--fix')
    assert code == 0
    data = (repo / '.gitignore').read_bytes()
    assert data.startswith(original + b'\r\n')
    assert data.endswith(b'\r\n')
    assert data.count(b'\n') == data.count(b'\r\n')  # no bare LF added
    assert is_ignored(repo, '.env.local') and is_ignored(repo, 'x.log')


def test_fix_is_idempotent_and_keeps_existing_lines(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    original = '# mine\n/.env\n!.env.production\n*.pyc\n'
    write(repo, '.gitignore', original)
    check(capsys, '--fix')
    once = (repo / '.gitignore').read_bytes()
    assert once.decode().startswith(original)
    code = main(['gitignore', '--fix'])
    assert 'already has every pattern' in capsys.readouterr().out
    assert code == 0
    assert (repo / '.gitignore').read_bytes() == once


def test_anchored_pattern_misses_subfolders(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE.replace('.env\n', '/.env\n', 1))
    code, problems = check(capsys)
    assert code == 1
    [problem] = problems
    assert (problem['kind'], problem['path']) == ('missing-pattern', '.env')
    assert 'root only' in problem['message'] and '`/.env`' in problem['message']


def test_tracked_env_local_is_named_with_its_fix_and_never_untracked(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.env.local', 'DEBUG=1\n')
    commit_all(repo)
    code = main(['gitignore', '--fix'])
    out = capsys.readouterr().out
    assert code == 1
    assert '.env.local: tracked:' in out
    assert '\n  git rm --cached -- .env.local\n' in out
    assert 'rotate' in out
    assert git(repo, 'ls-files').split() == ['.env.local']  # --fix never untracks
    assert is_ignored(repo, '.env.local')

    git(repo, 'rm', '-q', '--cached', '--', '.env.local')
    assert check(capsys) == (0, [])


def test_unignored_nested_env_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE.replace('.env\n', '/.env\n', 1))
    write(repo, 'services/api/.env', 'X=1\n')
    code, problems = check(capsys)
    assert code == 1
    assert ('not-ignored', 'services/api/.env') in kinds(problems)
    assert check(capsys, '--fix') == (0, [])


def test_the_host_daemons_key_file_is_a_secret_file_too(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """`vastai_kaalia/api_key` (the host daemon's key, as in /var/lib) holds a key as the CLI's
    key files do: the scanner always said so, and now the gitignore check agrees."""
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, 'host-backup/vastai_kaalia/api_key', f'{new_key()}\n')
    commit_all(repo)

    code, problems = check(capsys)
    assert code == 1
    assert kinds(problems) == {('tracked', 'host-backup/vastai_kaalia/api_key')}
    assert problems[0]['message'].startswith('a Vast.ai key file is tracked')

    git(repo, 'rm', '-q', '--cached', '--', 'host-backup/vastai_kaalia/api_key')
    code, problems = check(capsys)
    assert kinds(problems) == {('not-ignored', 'host-backup/vastai_kaalia/api_key')}
    # no pattern is demanded of every repository for it (as `.env` is): --fix adds nothing
    assert check(capsys, '--fix') == (1, problems)
    write(repo, '.gitignore', GOOD_GITIGNORE + 'vastai_kaalia/\n')
    assert check(capsys) == (0, [])


@pytest.mark.parametrize(
    'nested',
    (
        pytest.param('.env\n', id='nested-ignores'),
        pytest.param('*\n!.gitignore\n', id='nested-ignores-everything'),
    ),
)
def test_nested_gitignore_counts(
        repo: Path, capsys: pytest.CaptureFixture[str], nested: str,
) -> None:
    write(repo, 'services/api/.gitignore', nested)
    write(repo, 'services/api/.env', 'X=1\n')
    code, problems = check(capsys)
    assert code == 1
    # ignored by its own folder's .gitignore: not a leak, but the root still lacks patterns
    assert {kind for kind, _ in kinds(problems)} == {'missing-pattern'}


def test_nested_negation_is_reported_and_survives_fix(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, 'services/api/.gitignore', '!.env\n')
    check(capsys, '--fix')
    code, problems = check(capsys)
    assert code == 1
    assert kinds(problems) == {('negation', 'services/api/.gitignore')}
    assert 're-includes services/api/.env' in problems[0]['message']
    write(repo, 'services/api/.env', 'X=1\n')
    code, problems = check(capsys)
    assert ('not-ignored', 'services/api/.env') in kinds(problems)
    assert 're-included by `!.env` in services/api/.gitignore:1' in problems[0]['message']


@pytest.mark.parametrize(
    ('negation', 'reported'),
    (
        pytest.param('!.env.production', True, id='environment'),
        pytest.param('!.env.prod.backup', True, id='literal-odd-name'),
        pytest.param('!/.vast_api_key', True, id='key-file'),
        pytest.param('!.env.example', False, id='template'),
        pytest.param('!.env.*.example', False, id='template-glob'),
    ),
)
def test_negation_of_a_real_env_file_warns(
        repo: Path, capsys: pytest.CaptureFixture[str], negation: str, reported: bool,
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE + negation + '\n')
    code, problems = check(capsys)
    assert ('negation', '.gitignore') in kinds(problems) if reported else problems == []
    assert code == (1 if reported else 0)


def test_root_negation_before_the_fix_block_is_overridden(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', '.env*\n!.env.production\n')
    code, problems = check(capsys)
    assert code == 1 and ('negation', '.gitignore') in kinds(problems)
    assert check(capsys, '--fix') == (0, [])
    assert is_ignored(repo, '.env.production')


def test_fix_keeps_a_template_the_user_ignores_ignored(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', '.env.sample\n')
    check(capsys, '--fix')
    text = (repo / '.gitignore').read_text()
    assert '!.env*.example\n' in text and '!.env*.sample' not in text
    assert is_ignored(repo, '.env.sample') and not is_ignored(repo, '.env.example')


@pytest.mark.parametrize(
    'where',
    (
        pytest.param('global', id='core-excludesFile'),
        pytest.param('info', id='info-exclude'),
    ),
)
def test_excludes_outside_the_repository_protect_this_clone_only(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], where: str,
) -> None:
    rules = GOOD_GITIGNORE
    if where == 'global':
        excludes = tmp_path / 'global-ignore'
        excludes.write_text(rules)
        config = tmp_path / 'gitconfig'
        config.write_text(f'[core]\n\texcludesFile = {excludes}\n')
        monkeypatch.setenv('GIT_CONFIG_GLOBAL', str(config))
        source = str(excludes)
    else:
        write(repo, '.git/info/exclude', rules)
        source = '.git/info/exclude'
    write(repo, 'services/api/.env', 'X=1\n')
    code, problems = check(capsys)
    assert code == 1
    # the file is ignored here, so it is no leak; the patterns are missing for other clones
    assert kinds(problems) == {('missing-pattern', name) for name in REQUIRED}
    assert f'.env is ignored only by {source}' in problems[0]['message']
    assert check(capsys, '--fix') == (0, [])


def test_staged_env_file_fails_the_hook_but_a_template_does_not(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, '.env.example', 'VAST_API_KEY=\n')
    git(repo, 'add', '.gitignore', '.env.example')
    assert check(capsys) == (0, [])
    write(repo, '.env', 'X=1\n')
    git(repo, 'add', '-f', '.env')
    code, problems = check(capsys)
    assert code == 1
    assert kinds(problems) == {('staged', '.env')}
    assert '`git rm --cached -- .env`' in problems[0]['message']


def test_file_name_with_spaces_gets_a_command_that_works(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, 'my app/.env', 'X=1\n')
    git(repo, 'add', '-f', '.gitignore', 'my app/.env')
    commit_all(repo)
    code = main(['gitignore'])
    out = capsys.readouterr().out
    assert code == 1
    [command] = [line.strip() for line in out.splitlines() if line.startswith('  git rm')]
    assert command == "git rm --cached -- 'my app/.env'"
    subprocess.run(shlex.split(command), cwd=repo, check=True, capture_output=True)
    assert check(capsys) == (0, [])


def test_from_a_subfolder_paths_are_root_relative_and_commands_local(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, 'services/api/.env', 'X=1\n')
    git(repo, 'add', '-f', '.gitignore', 'services/api/.env')
    commit_all(repo)
    os.chdir(repo / 'services')
    code, problems = check(capsys)
    assert code == 1
    assert kinds(problems) == {('tracked', 'services/api/.env')}
    assert '`git rm --cached -- api/.env`' in problems[0]['message']


def _reuse_repo(repo: Path, files: dict[str, str]) -> None:
    write(repo, '.gitignore', GOOD_GITIGNORE)
    for name, key in files.items():
        write(repo, name, f'APP=x\nVAST_API_KEY={key}\n')


@pytest.mark.parametrize('output_format', ('text', 'json'))
def test_check_reuse_warns_by_fingerprint_and_never_prints_the_key(
        repo: Path, output_format: str,
) -> None:
    shared, other = new_key(), new_key()
    _reuse_repo(repo, {
        '.env': shared, 'deploy/.env.production': shared, '.env.staging': other,
    })
    result = run_cli(['gitignore', '--check-reuse', '--format', output_format], cwd=repo)
    assert result.returncode == 1
    assert '.env, deploy/.env.production' in result.stdout
    assert 'development, production' in result.stdout
    for key in (shared, other):
        assert key not in result.stdout + result.stderr
    assert '.env.staging' not in result.stdout
    assert run_cli(['gitignore'], cwd=repo).returncode == 0  # opt-in

    (repo / '.gitignore').unlink()
    fixed = run_cli(['gitignore', '--fix', '--check-reuse', '--format', output_format], cwd=repo)
    assert 'reused-key' in fixed.stdout
    written = (repo / '.gitignore').read_text()
    for key in (shared, other):
        assert key not in fixed.stdout + fixed.stderr + written


@pytest.mark.parametrize(
    'files',
    (
        pytest.param({'.env': 'a', '.env.production': 'b'}, id='different-keys'),
        pytest.param({'.env': 'a', '.env.local': 'a'}, id='same-environment'),
        pytest.param({'.env.prod': 'a', 'web/.env.production': 'a'}, id='aliases'),
    ),
)
def test_check_reuse_quiet(
        repo: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str],
) -> None:
    keys = {label: new_key() for label in set(files.values())}
    _reuse_repo(repo, {name: keys[label] for name, label in files.items()})
    assert check(capsys, '--check-reuse') == (0, [])
    # the positive control: the same files were read, and one more environment sharing their
    # key is reported, so the quiet answer above was a judgement, not a file left unread
    first = next(iter(files))
    (repo / '.env.staging').write_text(f'VAST_API_KEY={keys[files[first]]}\n')
    code, problems = check(capsys, '--check-reuse')
    assert code == 1
    assert [p['kind'] for p in problems] == ['reused-key']
    assert first in problems[0]['message'] and '.env.staging' in problems[0]['message']


@pytest.mark.parametrize(
    'make',
    (
        pytest.param('plain', id='not-a-repository'),
        pytest.param('bare', id='bare-repository'),
        pytest.param('dotgit', id='inside-dot-git'),
    ),
)
def test_outside_a_work_tree_exits_2_with_one_line(tmp_path: Path, make: str) -> None:
    folder = tmp_path / 'here'
    folder.mkdir()
    if make == 'bare':
        git(folder, 'init', '-q', '--bare')
    elif make == 'dotgit':
        folder = init_repo(folder) / '.git'
    result = run_cli(['gitignore'], cwd=folder, env={'GIT_CEILING_DIRECTORIES': str(tmp_path)})
    assert result.returncode == 2
    assert result.stdout == ''
    assert result.stderr.count('\n') == 1
    assert result.stderr.startswith('vastai-guard: error: not inside a git work tree')


def test_json_shape(repo: Path) -> None:
    write(repo, '.env', 'X=1\n')
    result = run_cli(['gitignore', '--format', 'json'], cwd=repo)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {'problems'}
    assert all(set(p) == {'kind', 'path', 'message'} for p in document['problems'])
    assert all(isinstance(v, str) for p in document['problems'] for v in p.values())

    fixed = json.loads(run_cli(['gitignore', '--fix', '--format', 'json'], cwd=repo).stdout)
    assert fixed['problems'] == []
    assert fixed['added'][:2] == ['.env', '.env.*']


def test_hook_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

    hooks = {hook['id']: hook for hook in load_manifest(
        str(REPO_ROOT / '.pre-commit-hooks.yaml'),
    )}
    hook = hooks['vastai-gitignore']
    assert hook['entry'] == 'vastai-guard gitignore'
    assert hook['pass_filenames'] is False and hook['always_run'] is True


def test_as_a_git_pre_commit_hook_blocks_a_commit_that_adds_an_env_file(repo: Path) -> None:
    import sys

    hook = repo / '.git' / 'hooks' / 'pre-commit'
    hook.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m vastai_guard gitignore\n')
    hook.chmod(0o755)
    write(repo, '.gitignore', GOOD_GITIGNORE)
    write(repo, '.env.example', 'VAST_API_KEY=\n')
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT)}
    commit = ('git', 'commit', '-q', '-m', 'x')
    git(repo, 'add', '.')
    assert subprocess.run(commit, cwd=repo, env=env, capture_output=True).returncode == 0

    write(repo, '.env', 'X=1\n')
    git(repo, 'add', '-f', '.env')
    # `commit -a` runs the hook against a temporary index (GIT_INDEX_FILE): still seen
    blocked = subprocess.run((*commit, '-a'), cwd=repo, env=env, capture_output=True, text=True)
    assert blocked.returncode != 0
    assert '.env: staged:' in blocked.stderr  # git shows a hook's output on stderr
    assert git(repo, 'ls-tree', '--name-only', 'HEAD').split() == ['.env.example', '.gitignore']


def test_fix_from_a_subfolder_writes_the_root_gitignore(
        repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (repo / 'services').mkdir()
    os.chdir(repo / 'services')
    assert check(capsys, '--fix') == (0, [])
    assert (repo / '.gitignore').is_file()
    assert not (repo / 'services' / '.gitignore').exists()


def test_one_tracked_env_file_is_spoken_of_in_the_singular(repo: Path) -> None:
    write(repo, '.gitignore', '.env\n.env.*\n!.env*.example\n.vast_api_key\nvast_api_key\n')
    write(repo, '.env', 'DEBUG=1\n')
    git(repo, 'add', '-f', '.env')
    commit_all(repo, 'env')
    result = run_cli(['gitignore'], repo)
    assert result.returncode == 1
    assert 'Take it out of the index (the file stays on disk), then commit:' in result.stdout
    assert 'Take them out' not in result.stdout
