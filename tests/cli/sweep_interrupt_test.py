from __future__ import annotations

import json
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import env_line
from testing.util import init_repo
from testing.util import new_key
from testing.util import write
from vastai_guard.commands import sweep as command
from vastai_guard.model import RepositorySweep
from vastai_guard.options import SweepOptions
from vastai_guard.sweep.local import run_local
from vastai_guard.sweep.task import SweepTask


def _run(sources: list[str], state: Path) -> int:
    return command.sweep(SweepOptions(
        sources=sources, workers=1, state_dir=str(state), output_format='json',
    ))


def test_an_interrupted_sweep_resumes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    key = new_key()
    sources = []
    for name in ('a', 'b', 'c', 'd'):
        repo = init_repo(tmp_path / name)
        write(repo, '.env', env_line(key))
        commit_all(repo)
        sources.append(str(repo))
    state = tmp_path / 'state'

    def interrupted(tasks: Sequence[SweepTask], **_: object) -> Iterator[RepositorySweep]:
        results = run_local(tasks, 1)
        yield next(results)
        yield next(results)
        raise KeyboardInterrupt  # ^C after two repositories

    engine = command._engine
    monkeypatch.setattr(command, '_engine', interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(sources, state)
    assert len(list(state.rglob('*.json'))) == 2
    monkeypatch.setattr(command, '_engine', engine)
    capsys.readouterr()

    assert _run(sources, state) == 1
    report = json.loads(capsys.readouterr().out)
    assert [r['unchanged'] for r in report['repositories']] == [True, True, False, False]
    assert len(report['keys'][0]['repositories']) == 4
