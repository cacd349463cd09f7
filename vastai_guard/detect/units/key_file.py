"""The CLI's key files: a file that is one (its content is the key), or a key written into one
by a shell redirect, a heredoc, a program, or an Ansible `copy:` task.

Every check here is linear in its window with a small constant: the file names are found with
`str.find`, and only a bounded stretch around each is read (issue 20: a regex started at every
`>` of a 4000-character line cost 21 CPU s/MB).
"""
from __future__ import annotations

import posixpath
import re

from vastai_guard.detect import names
from vastai_guard.detect import rules
from vastai_guard.detect import structure
from vastai_guard.detect.context import Candidate
from vastai_guard.detect.context import Judged
from vastai_guard.detect.context import line_start
from vastai_guard.detect.context import lines_near
from vastai_guard.detect.units.verdict import Answer
from vastai_guard.detect.units.verdict import Verdict

_KEY_FILE_WRITE = re.compile(rules.KEY_FILE_WRITE)
_KEY_FILE_NAME = re.compile(rules.KEY_FILE_NAME)
# What follows a heredoc's file name: `<<EOF`, `"<<'EOF'`.
_HEREDOC_AFTER = re.compile(r'''["'`]?[ \t]*<<''')
_OPEN_MODE = re.compile(r'''[ \t]*(?:mode[ \t]*=[ \t]*)?["'][wax]''')
_SEPARATORS = frozenset(' \t\r\n"\'`')
# Lines above a bare key in which a heredoc into a key file may start.
_HEREDOC_LINES = 3
# How far before a key, on its line, a write call and the file it writes are looked for.
_CODE_WRITE_REACH = 400
# How long a path before a key file's name may be, and how many names one line is read for.
_PATH_REACH = 200
_NAMES_PER_LINE = 8
_OPEN_REACH = 300
# Lines either side of an Ansible `content:` (`copy:`) or `line:` (`lineinfile:`) in which
# its `dest:` or `path:` may stand.
_TASK_LINES = 6
_TASK_VALUES = frozenset(('content:', 'line:'))
_TASK_TARGETS = ('dest:', 'path:')


def judge(case: Judged) -> Answer:
    text, candidate = case.text, case.candidate
    if case.facts.key_file:
        file_name = names.label(posixpath.basename(case.facts.path))
        return Verdict(rules.KEY_FILE, f'key file {file_name}')
    written = _KEY_FILE_WRITE.match(
        text, candidate.end, min(candidate.line_end, candidate.end + 300))
    if written is not None:
        return Verdict(rules.KEY_FILE, f'written to {written["file"]}')
    for found in (heredoc_into_key_file(text, candidate), _code_writing_key_file(text, candidate),
                  _ansible_copy(text, candidate)):
        if found is not None:
            return Verdict(rules.KEY_FILE, f'written to {found}')
    return None


def _names_in(line: str) -> list[tuple[int, str]]:
    """(offset, name) of the first few key-file names in a line, by plain `find`."""
    found: list[tuple[int, str]] = []
    for name in rules.KEY_FILE_HEREDOC_NAMES:
        at = line.find(name)
        while at != -1 and len(found) < _NAMES_PER_LINE:
            found.append((at, name))
            at = line.find(name, at + 1)
    return sorted(found)


def _redirected_into(line: str, at: int) -> bool:
    """Whether `>`, `>>` or `tee` stands before the path that ends in a name at `at`."""
    path_start = at
    floor = max(0, at - _PATH_REACH)
    while path_start > floor and line[path_start - 1] not in _SEPARATORS:
        path_start -= 1
    path = line[path_start:at]
    if '>' in path or 'tee' in path:
        return True
    before = line[max(0, path_start - 16):path_start].rstrip('"\'`').rstrip(' \t')
    return before.endswith(('>', 'tee'))


def heredoc_line_target(line: str) -> str | None:
    """The key file a line opens a heredoc into (`cat > ~/.vast_api_key <<EOF`), or None."""
    if '<<' not in line:
        return None
    for at, name in _names_in(line):
        end = at + len(name)
        if _HEREDOC_AFTER.match(line, end) is None or not _redirected_into(line, at):
            continue
        dotted = at > 0 and line[at - 1] == '.' and name == 'vast_api_key'
        return '.' + name if dotted else name
    return None


def heredoc_into_key_file(text: str, candidate: Candidate) -> str | None:
    """A key alone on its line, within a few lines below a heredoc into a key file."""
    if text[candidate.line_start:candidate.start].strip() or text[
            candidate.end:candidate.line_end].strip():
        return None
    position = candidate.line_start
    for _ in range(_HEREDOC_LINES):
        if position == 0:
            return None
        above = line_start(text, position - 1)
        target = heredoc_line_target(text[above:position - 1])
        if target is not None:
            return target
        position = above
    return None


def _opened_for_writing(line: str) -> str | None:
    """The key file a line opens for writing (`open(".../.vast_api_key", "w")`), or None."""
    line = line[:_CODE_WRITE_REACH]
    named = _KEY_FILE_NAME.search(line)
    if named is None:
        return None
    opened = line.rfind('open(', max(0, named.start() - _OPEN_REACH), named.start())
    if opened == -1 or (opened and (line[opened - 1].isalnum() or line[opened - 1] == '_')):
        return None
    comma = line.find(',', named.end(), named.end() + _OPEN_REACH)
    while comma != -1:
        if _OPEN_MODE.match(line, comma + 1) is not None:
            return named['file']
        comma = line.find(',', comma + 1, named.end() + _OPEN_REACH)
    return None


def _code_writing_key_file(text: str, candidate: Candidate) -> str | None:
    """The CLI key file a program writes the key into (`f.write("KEY")` under
    `with open("~/.vast_api_key", "w") as f:`, `Path("~/.vast_api_key").write_text("KEY")`)."""
    start = candidate.start
    if start == 0 or text[start - 1] not in '"\'`':
        return None
    reach = max(candidate.line_start, start - _CODE_WRITE_REACH)
    # the few characters before the quote first: this runs for every quoted candidate
    call = text[max(reach, start - 24):start - 1].rstrip(' \t')
    call = call.removesuffix('b').removesuffix('f').rstrip(' \t')
    if not call.endswith(rules.KEY_FILE_WRITE_CALLS) and not (
            call.endswith(',') and text.find(rules.KEY_FILE_WRITE_WITH_PATH, reach, start) != -1
    ):
        return None
    named = _KEY_FILE_NAME.search(text, reach, start)
    if named is not None:
        return named['file']
    for _, line in structure.lines_above(text, candidate.line_start, _HEREDOC_LINES):
        opened = _opened_for_writing(line)
        if opened is not None:
            return opened
    return None


def _ansible_copy(text: str, candidate: Candidate) -> str | None:
    """An Ansible task: `copy:` with `content: KEY` and `dest: ~/.config/vastai/vast_api_key`,
    or `lineinfile:` with `line: KEY` and `path: ~/.vast_api_key`, among the task's lines
    (above or below, at the same indentation)."""
    head = text[candidate.line_start:candidate.start].strip(' \t-"\'')
    if head not in _TASK_VALUES:
        return None
    indent = candidate.line_start
    while indent < candidate.start and text[indent] in ' \t-':
        indent += 1
    width = indent - candidate.line_start
    for _, line in lines_near(text, candidate.line_start, _TASK_LINES):
        stripped = line.lstrip(' \t-')
        if len(line) - len(stripped) == width and stripped.startswith(_TASK_TARGETS):
            named = _KEY_FILE_NAME.search(stripped, 0, _CODE_WRITE_REACH)
            if named is not None:
                return named['file']
    return None
