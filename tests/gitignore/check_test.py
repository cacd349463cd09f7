"""gitignore.check: the facts git gives, judged into problems and the lines that fix them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from testing.util import commit_all
from testing.util import git
from testing.util import write
from vastai_guard.errors import FatalError
from vastai_guard.gitignore import check


def _gitignore(repo: Path, lines: list[str]) -> None:
    write(repo, '.gitignore', '\n'.join(lines) + '\n')


def _fixed(repo: Path) -> None:
    """A root .gitignore with exactly the lines the check asks for."""
    _gitignore(repo, check.fix_block(check.fix_lines(check.gather(str(repo)))))


def test_an_empty_repository_misses_every_pattern(repo: Path) -> None:
    problems = check.problems(check.gather(str(repo)))
    assert problems
    assert {problem.kind for problem in problems} == {'missing-pattern'}
    assert {'.env', '.env.local', '.vast_api_key'} <= {problem.path for problem in problems}


def test_the_fix_lines_make_every_problem_go(repo: Path) -> None:
    _fixed(repo)
    facts = check.gather(str(repo))
    assert check.problems(facts) == []
    assert check.fix_lines(facts) == []
    assert check.fix_block([]) == []  # nothing to append: the file stays as it is


def test_fix_keeps_templates_committable(repo: Path) -> None:
    lines = check.fix_lines(check.gather(str(repo)))
    # `.env.*` alone would ignore .env.example too: a negation follows it, in that order
    assert lines.index('.env.*') < lines.index('!.env*.example')
    _gitignore(repo, lines)
    verdicts = check.gather(str(repo)).verdicts
    assert not verdicts['.env.example'].ignored
    assert verdicts['.env.production'].ignored


def test_fix_block_is_marked(repo: Path) -> None:
    block = check.fix_block(['.env'])
    assert block == [check.BLOCK_START, '.env', check.BLOCK_END]


def test_worst_first(repo: Path) -> None:
    write(repo, 'tracked/.env', 'A=1\n')
    commit_all(repo)
    write(repo, 'staged/.env.local', 'A=1\n')
    git(repo, 'add', 'staged/.env.local')
    write(repo, 'loose/.env.production', 'A=1\n')
    kinds = [problem.kind for problem in check.problems(check.gather(str(repo)))]
    first_missing = kinds.index('missing-pattern')
    assert set(kinds[:first_missing]) == {'tracked', 'staged', 'not-ignored'}
    assert kinds[:2] in (['tracked', 'staged'], ['staged', 'tracked'])
    assert kinds[2] == 'not-ignored'
    assert set(kinds[first_missing:]) == {'missing-pattern'}


def test_untrack_commands_are_relative_to_where_the_user_is(repo: Path) -> None:
    write(repo, 'app/my app/.env', 'A=1\n')
    commit_all(repo)
    facts = check.gather(str(repo))
    assert check.untrack_commands(facts, '') == ["git rm --cached -- 'app/my app/.env'"]
    assert check.untrack_commands(facts, 'app/') == ["git rm --cached -- 'my app/.env'"]


def test_a_pattern_only_this_clone_has_is_missing(repo: Path) -> None:
    # .git/info/exclude is not pushed: every other clone would commit the file
    (repo / '.git' / 'info').mkdir(exist_ok=True)
    (repo / '.git' / 'info' / 'exclude').write_text('.env\n')
    problems = {p.path: p for p in check.problems(check.gather(str(repo)))}
    assert 'other clones do not have' in problems['.env'].message


def test_anchored_pattern_misses_subfolders(repo: Path) -> None:
    _fixed(repo)
    text = (repo / '.gitignore').read_text().replace('\n.env\n', '\n/.env\n')
    (repo / '.gitignore').write_text(text)
    problems = {p.path: p for p in check.problems(check.gather(str(repo)))}
    assert set(problems) == {'.env'}
    assert 'not in subfolders' in problems['.env'].message


def test_negation_names_its_file_and_line(repo: Path) -> None:
    _fixed(repo)
    write(repo, 'svc/.gitignore', '# keep it\n!.env.production\n')
    problems = [p for p in check.problems(check.gather(str(repo))) if p.kind == 'negation']
    assert len(problems) == 1
    assert problems[0].path == 'svc/.gitignore'
    assert problems[0].message.startswith('line 2 `!.env.production` re-includes')
    assert 'svc/.env.production' in problems[0].message


def test_a_fifo_gitignore_is_refused_not_waited_on(repo: Path) -> None:
    os.mkfifo(repo / '.gitignore')
    with pytest.raises(FatalError, match='FIFO'):
        check.gather(str(repo))
