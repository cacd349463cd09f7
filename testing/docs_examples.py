"""The example output shown in README.md and docs/, made by real runs so it cannot go stale.

Each example is a block in a Markdown file, under a marker line naming it:

    <!-- example: audit -->
    ```console
    $ vastai-guard history
    ...its real output...
    ```

The example's function below builds a repository in a temporary folder, runs the commands
shown (the installed vastai-guard, git and pre-commit, as a user runs them) and returns the
block's text. tests/docs/examples_test.py fails when a block differs from a fresh run;

    python -m testing.docs_examples

writes the fresh runs into the files. Runs are made reproducible, not faked: keys are derived
from a fixed phrase at run time (none is committed), commit dates and names are fixed, so the
commit ids and fingerprints are the same on every machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from testing.docs import page
from testing.docs import path_of
from testing.util import REPO_ROOT
from testing.vastapi import FakeVastApi
from testing.vastapi import serve

# the Markdown files whose examples are made here: README.md and docs pages
DOCUMENTS = ('README.md', 'commands.md', 'ci.md', 'baselines.md', 'leak-response.md')
_MARKER = re.compile(r'^<!-- example: ([a-z-]+) -->\n```console\n(.*?)^```\n', re.M | re.S)
_BIN = Path(sys.executable).parent


def example_key(n: int) -> str:
    """A key-shaped value (64 lowercase hex) made at run time, the same on every run."""
    return hashlib.sha256(f'vastai-guard documentation example key {n}'.encode()).hexdigest()


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Session:
    """A shell session in a fresh repository: commands run as a user at a prompt runs them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repo = root / 'app'
        self.transcript: list[str] = []
        self.env = {
            **os.environ,
            # the installed vastai-guard and pre-commit first, as in the user's active venv
            'PATH': f'{_BIN}{os.pathsep}{os.environ.get("PATH", "")}',
            'GIT_CONFIG_GLOBAL': os.devnull,
            'GIT_CONFIG_NOSYSTEM': '1',
            'GIT_AUTHOR_NAME': 'Ana',
            'GIT_AUTHOR_EMAIL': 'ana@example.com',
            'GIT_COMMITTER_NAME': 'Ana',
            'GIT_COMMITTER_EMAIL': 'ana@example.com',
            'GIT_AUTHOR_DATE': '2026-03-02T10:15:00+01:00',
            'GIT_COMMITTER_DATE': '2026-03-02T10:15:00+01:00',
            'PRE_COMMIT_HOME': str(root / 'pre-commit-home'),
            # one stream in the order it was written, as a terminal shows it
            'PYTHONUNBUFFERED': '1',
            'NO_COLOR': '1',
        }
        for name in ('GITHUB_ACTIONS', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE',
                     'VASTAI_GUARD_CONFIG'):
            self.env.pop(name, None)
        self.repo.mkdir()
        self.quiet('git', 'init', '-q', '-b', 'main')

    def write(self, name: str, text: str) -> None:
        path = self.repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')

    def quiet(self, *argv: str, env: dict[str, str] | None = None) -> str:
        """A set-up step, not shown in the example."""
        return subprocess.run(
            argv, cwd=self.repo, env={**self.env, **(env or {})}, check=True,
            capture_output=True, text=True,
        ).stdout

    def commit(self, message: str) -> None:
        self.quiet('git', 'add', '-A')
        self.quiet('git', 'commit', '-q', '--no-verify', '-m', message)

    def _run(self, argv: list[str], env: dict[str, str] | None) -> str:
        return subprocess.run(
            argv, cwd=self.repo, env={**self.env, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ).stdout

    def shown(self, command: str) -> None:
        """Run COMMAND as typed at the prompt; it and its output become part of the example."""
        self.transcript.append(f'$ {command}\n{self._run(shlex.split(command), None)}')

    def logged(self, argv: list[str], env: dict[str, str]) -> None:
        """Run a program whose output alone is shown (a CI step's log)."""
        self.transcript.append(self._run(argv, env))

    def text(self) -> str:
        return ''.join(part if part.endswith('\n') else part + '\n' for part in self.transcript)


def _train_py(value: str) -> str:
    return f'import os\n\nVAST_API_KEY = {value}\n'


def protect(s: Session) -> None:
    """README, protect your commits: init, then a commit that adds a key is stopped."""
    s.write('README.md', '# app\n')
    s.commit('first commit')
    s.write('train.py', _train_py(f'"{example_key(1)}"'))
    s.shown('vastai-guard init --local --pre-push')
    s.shown('git add train.py')
    s.shown('git commit -m "train on Vast.ai"')


def audit(s: Session) -> None:
    """README and docs/commands.md, audit history: a key committed once and removed since."""
    key = example_key(2)
    s.write('README.md', '# app\n')
    s.commit('first commit')
    s.write('train.py', _train_py(f'"{key}"'))
    s.commit('train on Vast.ai')
    s.write('train.py', _train_py('os.environ["VAST_API_KEY"]'))
    s.commit('read the key from the environment')
    s.shown('vastai-guard history')
    s.shown(f'vastai-guard rotated {fingerprint(key)[:12]} --note "reset on the Keys page"')
    s.shown('vastai-guard history -q')


def ci_action(s: Session) -> None:
    """README and docs/ci.md: the Action's log on a pull request that adds a key."""
    s.write('README.md', '# app\n')
    s.commit('first commit')
    base = s.quiet('git', 'rev-parse', 'HEAD').strip()
    s.write('scripts/launch.sh', f'vastai set api-key {example_key(3)}\n')
    s.commit('launch script')
    head = s.quiet('git', 'rev-parse', 'HEAD').strip()
    event = s.root / 'event.json'
    event.write_text(json.dumps({'pull_request': {'base': {'sha': base}, 'head': {'sha': head}}}))
    # what the action's run step does (action.yml), with the inputs of the README's snippet
    s.logged([sys.executable, str(REPO_ROOT / 'action' / 'run.py')], env={
        'MODE': 'history', 'FORMAT': 'github', 'ARGS': '', 'SARIF_FILE': 'vastai-guard.sarif',
        'VASTAI_GUARD': str(_BIN / 'vastai-guard'), 'GITHUB_EVENT_PATH': str(event),
        'GITHUB_OUTPUT': str(s.root / 'output'), 'RUNNER_TEMP': str(s.root),
    })


def scan_staged(s: Session) -> None:
    """docs/commands.md: the hook's report for a key that is only staged."""
    s.write('README.md', '# app\n')
    s.commit('first commit')
    s.write('.env', f'DEBUG=1\nREGION=eu\nVAST_API_KEY={example_key(4)}\n')
    s.shown('git add .env')
    s.shown('vastai-guard scan')


def scan_committed(s: Session) -> None:
    """docs/commands.md: the report for a key HEAD already holds."""
    s.write('deploy/run.sh', f'#!/bin/sh\nexport VAST_API_KEY={example_key(5)}\n')
    s.commit('deploy script')
    s.shown('vastai-guard scan --all-files')


def init_existing(s: Session) -> None:
    """docs/commands.md: init in a repository that already has a pre-commit config."""
    s.write('.pre-commit-config.yaml', (
        'repos:\n-   repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n'
        '    hooks:\n    -   id: trailing-whitespace\n'
    ))
    s.commit('pre-commit')
    s.shown('vastai-guard init --local')


def gitignore(s: Session) -> None:
    """docs/commands.md: the gitignore check on a repository that tracks an env file."""
    s.write('.gitignore', '__pycache__/\n')
    s.write('.env.local', 'DEBUG=1\n')
    s.commit('local settings')
    s.write('services/api/.env', 'DEBUG=1\n')
    s.shown('vastai-guard gitignore')


def baseline(s: Session) -> None:
    """docs/baselines.md: known keys recorded, then only a new one is reported."""
    s.write('deploy/.env.prod', f'VAST_API_KEY={example_key(6)}\n')
    s.write('notes/setup.md', f'Log in:\n\n    vastai set api-key {example_key(7)}\n')
    s.commit('deploy settings and notes')
    s.shown('vastai-guard scan --all-files --update-baseline .secrets.baseline')
    s.write('train.py', f'VAST_API_KEY = "{example_key(8)}"\n')
    s.shown('git add train.py')
    s.shown('vastai-guard scan --all-files --baseline .secrets.baseline')


# what docs/leak-response.md shows for the fake Vast.ai API's address (its port is random)
SHOWN_API_URL = 'http://127.0.0.1:8765'


def _leaked_live_key(s: Session, api: FakeVastApi, n: int) -> str:
    """A full-access key of account 4242 (2 machines running), committed in an env file."""
    key = example_key(n)
    api.behaviours[key] = 'active'
    api.instances = [
        {'actual_status': 'running', 'dph_total': 1.25},
        {'actual_status': 'running', 'dph_total': 0.5},
        {'actual_status': 'exited', 'dph_total': 0.9},
    ]
    s.write('deploy/.env.prod', f'VAST_API_KEY={key}\n')
    s.commit('deploy config')
    return key


def _shown_against(s: Session, api: FakeVastApi, command: str) -> None:
    s.shown(f'{command} --api-url {api.url}')
    s.transcript[-1] = s.transcript[-1].replace(api.url, SHOWN_API_URL)


def leak_blast_radius(s: Session) -> None:
    """docs/leak-response.md: verify and blast radius of a live full-access key."""
    with serve() as api:
        _leaked_live_key(s, api, 9)
        _shown_against(s, api, 'vastai-guard scan --all-files --verify --blast-radius')


def leak_revoke(s: Session) -> None:
    """docs/leak-response.md: revoke (refused off a terminal without --yes, then done), and
    history agreeing that the key is dead and recorded."""
    with serve() as api:
        key = _leaked_live_key(s, api, 10)
        _shown_against(s, api, f'vastai-guard revoke {fingerprint(key)[:12]}')
        _shown_against(s, api, f'vastai-guard revoke {fingerprint(key)[:12]} --yes')
        _shown_against(s, api, 'vastai-guard history --verify')


EXAMPLES: dict[str, Callable[[Session], None]] = {
    'leak-blast-radius': leak_blast_radius,
    'leak-revoke': leak_revoke,
    'protect': protect,
    'audit': audit,
    'ci-action': ci_action,
    'scan-staged': scan_staged,
    'scan-committed': scan_committed,
    'init-existing': init_existing,
    'gitignore': gitignore,
    'baseline': baseline,
}


def run(name: str) -> str:
    """The example's block, from a real run in a fresh temporary folder."""
    with tempfile.TemporaryDirectory(prefix='vastai-guard-docs-') as folder:
        session = Session(Path(folder))
        EXAMPLES[name](session)
        return session.text().replace(folder, '/tmp')


def blocks(text: str) -> list[tuple[str, str]]:
    """(example name, the block's text) for each example marker in a Markdown text."""
    return [(m.group(1), m.group(2)) for m in _MARKER.finditer(text)]


def refreshed(text: str, made: dict[str, str]) -> str:
    return _MARKER.sub(
        lambda m: f'<!-- example: {m.group(1)} -->\n```console\n{made[m.group(1)]}```\n', text,
    )


def main() -> int:
    made = {name: run(name) for name in EXAMPLES}
    for name in DOCUMENTS:
        text = page(name)
        new = refreshed(text, made)
        if new != text:
            path_of(name).write_text(new, encoding='utf-8')
            print(f'updated {name}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
