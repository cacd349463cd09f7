"""`vastai-guard init`: hooks added to .pre-commit-config.yaml as text, then installed."""
from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from testing.util import REPO_ROOT
from testing.util import run_cli
from testing.util import write
from vastai_guard.commands import init as init_command
from vastai_guard.main import main

CONFIG = '.pre-commit-config.yaml'
OUR_ENTRY = {
    'repo': 'https://github.com/vastai-guard/vastai-guard',
    'rev': f'v{version("vastai-guard")}',
    'hooks': [{'id': 'vastai-secrets'}, {'id': 'vastai-gitignore'}],
}


def _validate_with_pre_commit(repo: Path) -> None:
    result = subprocess.run(
        (sys.executable, '-m', 'pre_commit', 'validate-config', CONFIG),
        cwd=repo, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _hook_installed(repo: Path) -> bool:
    hook = repo / '.git' / 'hooks' / 'pre-commit'
    return hook.exists() and 'pre-commit' in hook.read_text(encoding='utf-8')


def _our_lines_removed(text: str) -> str:
    """`text` less the six lines init adds: what must equal the user's file, byte for byte."""
    lines = text.splitlines(keepends=True)
    (start,) = [i for i, line in enumerate(lines) if 'added by `vastai-guard init`' in line]
    block = ''.join(lines[start:start + 6])
    assert 'vastai-guard/vastai-guard' in block and block.rstrip().endswith('id: vastai-gitignore')
    return ''.join(lines[:start] + lines[start + 6:])


def test_no_config_creates_one_and_installs_the_hook(repo: Path) -> None:
    result = run_cli(['init'], repo)
    assert result.returncode == 0, result.stderr
    assert f'created {CONFIG} (vastai-secrets, vastai-gitignore)' in result.stdout
    assert 'pre-commit installed at .git/hooks/pre-commit' in result.stdout
    assert yaml.safe_load((repo / CONFIG).read_text(encoding='utf-8')) == {'repos': [OUR_ENTRY]}
    _validate_with_pre_commit(repo)
    assert _hook_installed(repo)


EXISTING_PRE_COMMIT_STYLE = '''\
# See https://pre-commit.com for more information
default_language_version:
    python: python3  # keep this comment
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0
    hooks:
    -   id: trailing-whitespace
    -   id: check-yaml
        args: [--unsafe]   # for the custom tags
    # -   id: end-of-file-fixer    (disabled for now)

# pre-commit.ci settings
ci:
    autofix_prs: false
'''
EXISTING_TWO_SPACE_STYLE = '''\
repos:
  # formatting
  - repo: https://github.com/psf/black
    rev: 24.4.2
    hooks:
      - id: black
        args:
          - --fast
  - repo: local
    hooks:
      - id: pytest
        name: pytest
        entry: pytest
        language: system
        pass_filenames: false
# the end
'''
EXISTING_NO_REPOS = '''\
# only settings so far
fail_fast: true
'''
EXISTING_EMPTY_REPOS_FIRST = '''\
repos:
# none yet
minimum_pre_commit_version: '3.2.0'
'''


@pytest.mark.parametrize(
    'existing',
    (
        pytest.param(EXISTING_PRE_COMMIT_STYLE, id='dash-4-spaces-then-ci-key'),
        pytest.param(EXISTING_TWO_SPACE_STYLE, id='dash-2-indented-with-comments'),
        pytest.param(EXISTING_NO_REPOS, id='no-repos-key'),
        pytest.param(EXISTING_EMPTY_REPOS_FIRST, id='empty-repos-then-key'),
        pytest.param(EXISTING_PRE_COMMIT_STYLE.replace('\n', '\r\n'), id='crlf'),
    ),
)
def test_existing_config_keeps_every_line_and_gains_the_hooks(repo: Path, existing: str) -> None:
    (repo / CONFIG).write_bytes(existing.encode())
    before = yaml.safe_load(existing)

    assert run_cli(['init'], repo).returncode == 0
    text = (repo / CONFIG).read_bytes().decode()

    after = yaml.safe_load(text)
    assert after == {**before, 'repos': [*(before.get('repos') or []), OUR_ENTRY]}
    if 'repos:' in existing:
        assert _our_lines_removed(text) == existing
    else:
        assert text.startswith(existing)
    assert ('\r\n' in existing) == ('\r\n' in text)
    assert '\r\n' not in existing or text.count('\n') == text.count('\r\n')
    _validate_with_pre_commit(repo)
    assert _hook_installed(repo)


def test_indentation_of_the_new_item_matches_the_file(repo: Path) -> None:
    write(repo, CONFIG, EXISTING_TWO_SPACE_STYLE)
    assert run_cli(['init'], repo).returncode == 0
    text = (repo / CONFIG).read_text(encoding='utf-8')
    assert '  - repo: https://github.com/vastai-guard/vastai-guard\n' in text
    assert '      - id: vastai-secrets\n' in text


@pytest.mark.parametrize(
    'existing',
    (
        pytest.param(None, id='created-by-init'),
        pytest.param(EXISTING_TWO_SPACE_STYLE, id='added-by-init'),
        pytest.param(
            'repos:\n-   repo: https://github.com/vastai-guard/vastai-guard.git\n'
            '    rev: v0.0.9\n    hooks:\n    -   id: vastai-secrets\n',
            id='added-by-hand-older-rev',
        ),
    ),
)
def test_running_twice_changes_nothing(repo: Path, existing: str | None) -> None:
    if existing is not None:
        write(repo, CONFIG, existing)
    assert run_cli(['init'], repo).returncode == 0
    first = (repo / CONFIG).read_bytes()
    second = run_cli(['init'], repo)
    assert second.returncode == 0
    assert f'{CONFIG} already has the vastai-guard hooks; left unchanged' in second.stdout
    assert (repo / CONFIG).read_bytes() == first


def test_runs_from_a_subfolder_against_the_repository_root(repo: Path) -> None:
    (repo / 'src' / 'pkg').mkdir(parents=True)
    assert run_cli(['init'], repo / 'src' / 'pkg').returncode == 0
    assert (repo / CONFIG).exists() and not (repo / 'src' / 'pkg' / CONFIG).exists()


@pytest.mark.parametrize(
    ('existing', 'message'),
    (
        pytest.param('repos: []\n', '`repos:` is written in flow style', id='flow-list'),
        pytest.param('repos:\n- repo: x\n  rev: [\n', 'invalid YAML', id='broken-yaml'),
        pytest.param('- just\n- a list\n', 'expected a mapping', id='not-a-mapping'),
    ),
)
def test_configs_it_cannot_edit_safely_stop_with_one_line_and_are_left_alone(
        repo: Path, existing: str, message: str,
) -> None:
    write(repo, CONFIG, existing)
    result = run_cli(['init'], repo)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert (repo / CONFIG).read_text(encoding='utf-8') == existing
    assert not _hook_installed(repo)


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    result = run_cli(['init'], tmp_path)
    assert result.returncode == 2
    assert 'not inside a git repository' in result.stderr
    assert not (tmp_path / CONFIG).exists()


def test_missing_pre_commit_says_how_to_install_it_and_changes_nothing(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    import importlib.util
    import shutil

    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    monkeypatch.setattr(shutil, 'which', lambda name: None)
    assert main(['init']) == 2
    assert 'pip install pre-commit' in capsys.readouterr().err
    assert not (repo / CONFIG).exists()


@pytest.mark.parametrize(
    'existing',
    (
        pytest.param(None, id='no-config'),
        pytest.param(EXISTING_TWO_SPACE_STYLE.replace('\n', '\r\n'), id='existing-config'),
    ),
)
def test_core_hooks_path_stops_it_before_the_config_is_touched(
        repo: Path, existing: str | None,
) -> None:
    # pre-commit refuses to install beside core.hooksPath: asked first, so exit 2 leaves the
    # config as it was (docs/commands.md: "On exit 2 the config is left untouched")
    subprocess.run(('git', 'config', 'core.hooksPath', 'elsewhere'), cwd=repo, check=True)
    if existing is not None:
        (repo / CONFIG).write_bytes(existing.encode())

    result = run_cli(['init'], repo)

    assert result.returncode == 2
    assert '`core.hooksPath` is set' in result.stderr and len(result.stderr.splitlines()) == 1
    assert 'git config --unset-all core.hooksPath' in result.stderr
    assert result.stdout == ''
    if existing is None:
        assert not (repo / CONFIG).exists()
    else:
        assert (repo / CONFIG).read_bytes() == existing.encode()
    assert not (repo / 'elsewhere').exists() and not _hook_installed(repo)


@pytest.mark.parametrize(
    'existing',
    (pytest.param(None, id='no-config'), pytest.param(EXISTING_NO_REPOS, id='existing-config')),
)
def test_any_other_install_failure_puts_the_config_back_byte_for_byte(
        repo: Path, existing: str | None,
) -> None:
    # a .git/hooks that is a file: real pre-commit fails to install, after init wrote
    hooks = repo / '.git' / 'hooks'
    subprocess.run(('rm', '-rf', str(hooks)), check=True)
    hooks.write_text('not a folder\n')
    if existing is not None:
        write(repo, CONFIG, existing)

    result = run_cli(['init'], repo)

    assert result.returncode == 2
    assert '`pre-commit install` failed' in result.stderr
    assert f'{CONFIG} was left as it was' in result.stderr
    assert 'done' not in result.stdout
    if existing is None:
        assert not (repo / CONFIG).exists()
    else:
        assert (repo / CONFIG).read_text(encoding='utf-8') == existing


@pytest.mark.parametrize('hook_id', init_command.HOOK_IDS)
def test_every_hook_init_adds_is_in_our_manifest(hook_id: str) -> None:
    # pre-commit fails every commit on a hook id the repository does not define
    manifest = REPO_ROOT / '.pre-commit-hooks.yaml'
    ids = {hook['id'] for hook in yaml.safe_load(manifest.read_text(encoding='utf-8'))}
    assert hook_id in ids


def _push_hook_installed(repo: Path) -> bool:
    hook = repo / '.git' / 'hooks' / 'pre-push'
    return hook.exists() and 'pre-commit' in hook.read_text(encoding='utf-8')


def _tagged_source(tmp_path: Path, tag: str) -> str:
    """A repository to name with --repo: one commit, tagged `tag`; its file:// URL."""
    source = tmp_path / 'source'
    subprocess.run(('git', 'init', '-q', str(source)), check=True)
    subprocess.run(('git', 'commit', '-q', '--allow-empty', '-m', 'x'), cwd=source, check=True)
    subprocess.run(('git', 'tag', tag), cwd=source, check=True)
    return source.as_uri()


LOCAL_WITH_COMMENTS = '''\
repos:
  # our own hooks, run from the venv
  - repo: local
    hooks:
      - id: vastai-secrets
        name: Vast.ai API keys
        entry: vastai-guard scan
        language: system
        types: [file]
      # - id: vastai-gitignore   (later)
  - repo: https://github.com/psf/black
    rev: 24.4.2
    hooks:
      - id: black
'''


def test_pre_push_over_an_existing_local_entry_adds_the_push_hook(repo: Path) -> None:
    write(repo, CONFIG, LOCAL_WITH_COMMENTS)
    result = run_cli(['init', '--local', '--pre-push'], repo)
    assert result.returncode == 0, result.stderr
    assert 'added vastai-gitignore, vastai-secrets-push to the vastai-guard entry' in result.stdout
    assert 'left unchanged' not in result.stdout
    text = (repo / CONFIG).read_text(encoding='utf-8')
    (local, black) = yaml.safe_load(text)['repos']
    assert [hook['id'] for hook in local['hooks']] == [
        'vastai-secrets', 'vastai-gitignore', 'vastai-secrets-push',
    ]
    assert local['hooks'][2] == {'id': 'vastai-secrets-push', **init_command.LOCAL_HOOKS[
        'vastai-secrets-push']}
    assert black == {'repo': 'https://github.com/psf/black', 'rev': '24.4.2',
                     'hooks': [{'id': 'black'}]}
    # every line of the user's file is still there, in order, comments included
    kept = iter(text.splitlines())
    assert all(line in kept for line in LOCAL_WITH_COMMENTS.splitlines())
    assert '      - id: vastai-secrets-push\n' in text  # indented as the file's own hooks
    _validate_with_pre_commit(repo)
    assert _push_hook_installed(repo)
    again = run_cli(['init', '--local', '--pre-push'], repo)
    assert 'left unchanged' in again.stdout
    assert (repo / CONFIG).read_text(encoding='utf-8') == text


def test_pre_push_over_a_published_entry_adds_the_hook_id(repo: Path, tmp_path: Path) -> None:
    url = _tagged_source(tmp_path, 'v1.0.0')
    assert run_cli(['init', '--repo', url, '--rev', 'v1.0.0'], repo).returncode == 0
    result = run_cli(['init', '--pre-push', '--repo', url, '--rev', 'v1.0.0'], repo)
    assert result.returncode == 0, result.stderr
    (entry,) = yaml.safe_load((repo / CONFIG).read_text(encoding='utf-8'))['repos']
    assert entry['hooks'][-1] == {'id': 'vastai-secrets-push'}
    assert _push_hook_installed(repo)


def test_an_entry_it_cannot_extend_as_text_stops_with_exit_2(repo: Path) -> None:
    anchored = (
        'x-hooks: &ours\n  - id: vastai-secrets\nrepos:\n  - repo: local\n    hooks: *ours\n'
    )
    write(repo, CONFIG, anchored)
    result = run_cli(['init', '--local', '--pre-push'], repo)
    assert result.returncode == 2
    assert 'add the vastai-gitignore hook' in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (repo / CONFIG).read_text(encoding='utf-8') == anchored


def test_local_over_a_published_entry_says_what_to_do(repo: Path, tmp_path: Path) -> None:
    url = _tagged_source(tmp_path, 'v1.0.0')
    assert run_cli(['init', '--repo', url, '--rev', 'v1.0.0'], repo).returncode == 0
    before = (repo / CONFIG).read_bytes()
    result = run_cli(['init', '--local'], repo)
    assert result.returncode == 0
    assert 'left unchanged' in result.stdout
    assert f'delete that entry from {CONFIG} and run `vastai-guard init --local` again' in (
        result.stdout
    )
    assert (repo / CONFIG).read_bytes() == before


def test_a_rev_the_remote_lacks_is_refused_before_anything_changes(
        repo: Path, tmp_path: Path,
) -> None:
    url = _tagged_source(tmp_path, 'v1.0.0')
    result = run_cli(['init', '--repo', url], repo)  # default rev: v<installed version>
    assert result.returncode == 2
    assert f"{url} has no tag or branch 'v{version('vastai-guard')}'" in result.stderr
    assert 'pass --rev with one it has' in result.stderr and '--local' in result.stderr
    assert not (repo / CONFIG).exists() and not _hook_installed(repo)

    good = run_cli(['init', '--repo', url, '--rev', 'v1.0.0'], repo)
    assert good.returncode == 0 and 'could not check' not in good.stderr


def test_a_remote_it_cannot_reach_is_said_and_init_goes_on(repo: Path) -> None:
    # nothing listens on the discard port: refused at once, as offline
    result = run_cli(['init', '--repo', 'http://127.0.0.1:9/vastai-guard'], repo)
    assert result.returncode == 0
    assert "warning: could not check that http://127.0.0.1:9/vastai-guard has 'v" in result.stderr
    assert '`vastai-guard init --local` runs the installed vastai-guard' in result.stderr
    assert (repo / CONFIG).exists()
