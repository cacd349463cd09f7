"""The hook runs on every commit: its start-up must stay light.

Importing GitPython, requests, detect-secrets or PyYAML costs more than a whole scan of a
commit; each is imported only by the feature that needs it. A clean commit with no Vast.ai
word in it does not even load RE2. The scan runs in a fresh interpreter, as pre-commit runs it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from testing.util import git
from testing.util import init_repo
from testing.util import write

_HEAVY = ('git', 'requests', 'detect_secrets', 'yaml', 're2', 'urllib3', 'multiprocessing')
_PROBE = (
    'import json, sys\n'
    'from vastai_guard.main import main\n'
    'code = main(sys.argv[1:])\n'
    'print(json.dumps([code, sorted({m.split(".")[0] for m in sys.modules})]))\n'
)


def _modules_after(repo: Path, *args: str) -> tuple[int, set[str]]:
    result = subprocess.run(
        (sys.executable, '-c', _PROBE, *args), cwd=repo, capture_output=True, text=True,
        check=True,
    )
    code, modules = json.loads(result.stdout.splitlines()[-1])
    return code, set(modules)


def test_a_clean_commit_imports_nothing_heavy(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    write(repo, 'app.py', 'print("hello")\n')
    git(repo, 'add', 'app.py')

    code, modules = _modules_after(repo, 'scan')

    assert code == 0
    assert 'vastai_guard' in modules  # the probe saw the scan's own imports
    assert modules.isdisjoint(_HEAVY), sorted(modules & set(_HEAVY))


def test_a_commit_that_names_vast_loads_re2_and_nothing_else_heavy(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    write(repo, 'notes.md', 'We rent GPUs on Vast.ai; VAST_API_KEY comes from the env.\n')
    git(repo, 'add', 'notes.md')

    code, modules = _modules_after(repo, 'scan')

    assert code == 0
    assert 're2' in modules
    assert modules.isdisjoint(set(_HEAVY) - {'re2'}), sorted(modules & set(_HEAVY))
