"""`gitignore --fix` decides what to append inside the writer's lock."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from testing.util import REPO_ROOT
from testing.util import init_repo


def test_ten_concurrent_fixes_append_the_block_once(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / 'repo')
    env = {**os.environ, 'PYTHONPATH': str(REPO_ROOT)}
    runs = [
        subprocess.Popen(
            (sys.executable, '-m', 'vastai_guard', 'gitignore', '--fix'), cwd=repo, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for _ in range(10)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode in (0, 1), err

    text = (repo / '.gitignore').read_text()
    lines = text.splitlines()
    assert lines.count('.env') == 1, text
    written = [line for line in lines if line.strip()]
    assert len(written) == len(set(written)), text  # the block (markers included) once
    assert sorted(os.listdir(repo)) == ['.git', '.gitignore']  # no temp file left behind
