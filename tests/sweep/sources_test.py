from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import init_repo
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.sweep.sources import git_env
from vastai_guard.sweep.sources import is_url
from vastai_guard.sweep.sources import mirror
from vastai_guard.sweep.sources import mirror_path
from vastai_guard.sweep.sources import read_source_file
from vastai_guard.sweep.sources import shown
from vastai_guard.sweep.sources import unique


@pytest.mark.parametrize('source', (
    'file:///srv/git/app.git', 'https://github.com/org/app.git', 'ssh://git@host/org/app',
    'git@github.com:org/app.git', 'host.example:app.git',
))
def test_urls_are_cloned(source: str) -> None:
    assert is_url(source)


@pytest.mark.parametrize('source', ('app', './app', '/srv/git/app.git', '../x/y'))
def test_paths_are_scanned_in_place(source: str) -> None:
    assert not is_url(source)


def test_an_existing_folder_named_like_scp_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / 'host:repo').mkdir()
    monkeypatch.chdir(tmp_path)
    assert not is_url('host:repo')


def test_a_password_in_a_url_is_never_shown() -> None:
    assert shown('https://bot:s3cr3tpass@git.example/org/app.git') == (
        'https://bot:***@git.example/org/app.git'
    )
    assert shown('https://token123@git.example:8443/a') == 'https://token123@git.example:8443/a'
    assert shown('/srv/a:b@c') == '/srv/a:b@c'


def test_from_file_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    listing = tmp_path / 'repos.txt'
    listing.write_text('# the org\n\nrepo-a\n  repo-b  \n# gone\nrepo-a\n', encoding='utf-8')
    assert unique(read_source_file(str(listing))) == ['repo-a', 'repo-b']


def test_from_file_that_is_missing_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match='--from .*cannot read'):
        read_source_file(str(tmp_path / 'nope.txt'))


def test_git_env_turns_off_prompts_hooks_and_ext(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GIT_CONFIG_COUNT', '1')
    monkeypatch.setenv('GIT_CONFIG_KEY_0', 'user.name')
    monkeypatch.setenv('GIT_CONFIG_VALUE_0', 'kept')
    env = git_env()
    assert env['GIT_TERMINAL_PROMPT'] == '0'
    settings = {
        env[f'GIT_CONFIG_KEY_{i}']: env[f'GIT_CONFIG_VALUE_{i}']
        for i in range(int(env['GIT_CONFIG_COUNT']))
    }
    assert settings['user.name'] == 'kept'  # the user's own settings are not lost
    assert settings['core.hooksPath'] == os.devnull
    assert settings['protocol.ext.allow'] == 'never'
    assert settings['core.fsmonitor'] == 'false'


def test_mirror_clones_then_fetches_new_commits(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / 'origin')
    write(origin, 'a.txt', 'one\n')
    first = commit_all(origin)
    cache = str(tmp_path / 'cache')
    url = origin.as_uri()

    path = mirror(url, cache)

    assert path == mirror_path(cache, url)
    assert git(Path(path), 'rev-parse', 'refs/heads/main').strip() == first
    assert git(Path(path), 'rev-parse', '--is-bare-repository').strip() == 'true'
    write(origin, 'a.txt', 'two\n')
    second = commit_all(origin)
    assert mirror(url, cache) == path
    assert git(Path(path), 'rev-parse', 'refs/heads/main').strip() == second


def test_mirror_of_a_folder_that_is_no_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / 'plain').mkdir()
    with pytest.raises(FatalError, match='clone failed: fatal: .*not appear to be a git repo'):
        mirror((tmp_path / 'plain').as_uri(), str(tmp_path / 'cache'))
    assert not os.path.exists(mirror_path(str(tmp_path / 'cache'), (tmp_path / 'plain').as_uri()))


def test_ext_transport_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / 'ran'
    with pytest.raises(FatalError, match='clone refused'):
        mirror(f'ext::sh -c touch% {marker}', str(tmp_path / 'cache'))
    assert not marker.exists()


def test_the_remote_s_hooks_never_run(tmp_path: Path) -> None:
    """A hook in this machine's template (copied into every new repository) must not run on
    the fetch of a later sweep."""
    marker = tmp_path / 'hook-ran'
    template = tmp_path / 'template'
    (template / 'hooks').mkdir(parents=True)
    for name in ('post-checkout', 'reference-transaction', 'post-merge'):
        hook = template / 'hooks' / name
        hook.write_text(f'#!/bin/sh\ntouch {marker}\n')
        hook.chmod(0o755)
    origin = init_repo(tmp_path / 'origin')
    commit_all(origin)
    os.environ['GIT_TEMPLATE_DIR'] = str(template)
    try:
        mirror(origin.as_uri(), str(tmp_path / 'cache'))
        commit_all(origin)
        mirror(origin.as_uri(), str(tmp_path / 'cache'))
    finally:
        del os.environ['GIT_TEMPLATE_DIR']
    assert not marker.exists()


def test_git_s_words_never_repeat_a_password(tmp_path: Path) -> None:
    from vastai_guard.sweep.sources import _git_failure

    class Failed:
        stderr = "  stderr: 'fatal: unable to access 'https://bot:hunter2@git.example/x/': 403'"
        command = ('git', 'clone')

    # git repeats the URL in its own spelling (the host lowercased): not the one given
    said = _git_failure(Failed(), 'https://bot:hunter2@GIT.example/x')
    assert 'hunter2' not in said
    assert said.startswith('clone failed: fatal: unable to access')


def test_a_server_asking_for_credentials_gets_no_prompt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No terminal prompt, no askpass window: the clone fails at once and the sweep goes on."""
    import threading
    from http.server import BaseHTTPRequestHandler
    from http.server import ThreadingHTTPServer

    class AskForCredentials(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="org"')
            self.send_header('Content-Length', '0')
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    marker = tmp_path / 'asked'
    askpass = tmp_path / 'askpass.sh'
    askpass.write_text(f'#!/bin/sh\ntouch {marker}\necho guessed\n')
    askpass.chmod(0o755)
    monkeypatch.setenv('GIT_ASKPASS', str(askpass))
    server = ThreadingHTTPServer(('127.0.0.1', 0), AskForCredentials)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f'http://127.0.0.1:{server.server_address[1]}/org/app.git'
        with pytest.raises(FatalError, match='clone failed: fatal: could not read Username'):
            mirror(url, str(tmp_path / 'cache'))
    finally:
        server.shutdown()
        server.server_close()
    assert not marker.exists()
