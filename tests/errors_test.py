"""run_guarded: every failure becomes its exit code and one line on stderr, never a traceback."""
from __future__ import annotations

import pytest

from vastai_guard import errors
from vastai_guard.errors import FatalError
from vastai_guard.errors import run_guarded
from vastai_guard.vocabulary import ISSUES_URL


def _raise(error: BaseException) -> int:
    raise error


def test_exit_codes_are_distinct() -> None:
    # finding a key must never share a code with failing to scan
    codes = (
        errors.EXIT_CLEAN, errors.EXIT_FINDINGS, errors.EXIT_ERROR, errors.EXIT_UNEXPECTED,
        errors.EXIT_INTERRUPTED,
    )
    assert len(set(codes)) == len(codes)
    assert (errors.EXIT_CLEAN, errors.EXIT_FINDINGS) == (0, 1)


@pytest.mark.parametrize('code', (0, 1))
def test_the_command_code_passes_through(code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guarded(lambda: code) == code
    assert capsys.readouterr().err == ''


def test_fatal_error_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_guarded(lambda: _raise(FatalError('no such revision: main~9')))
    assert code == errors.EXIT_ERROR
    err = capsys.readouterr().err
    assert err == 'vastai-guard: error: no such revision: main~9\n'


def test_unexpected_error_is_exit_3_with_where_to_report(
        capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_guarded(lambda: _raise(ValueError('boom')))
    assert code == errors.EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert 'ValueError: boom' in err
    assert ISSUES_URL in err
    assert 'Traceback' not in err


def test_interrupt(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_guarded(lambda: _raise(KeyboardInterrupt())) == errors.EXIT_INTERRUPTED
    assert 'interrupted' in capsys.readouterr().err


def test_broken_pipe_is_an_error_not_a_finding_nor_clean(
        monkeypatch: pytest.MonkeyPatch,
) -> None:
    class _Stderr:
        closed = False

        def close(self) -> None:
            self.closed = True

    stderr = _Stderr()
    monkeypatch.setattr('sys.stderr', stderr)
    assert run_guarded(lambda: _raise(BrokenPipeError())) == errors.EXIT_ERROR
    # closed so that the interpreter's flush at exit does not print a second error
    assert stderr.closed
