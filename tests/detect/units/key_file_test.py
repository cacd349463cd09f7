"""The key-file unit: keys written into the CLI's key files, in linear time."""
from __future__ import annotations

import time

import pytest

from testing.util import new_key
from vastai_guard.detect import rules
from vastai_guard.detect.detector import find_secrets
from vastai_guard.detect.units.key_file import heredoc_line_target


@pytest.mark.parametrize(('template', 'written_to'), (
    pytest.param(
        '- name: install key\n  copy:\n    content: "{key}"\n'
        '    dest: /root/.config/vastai/vast_api_key\n    mode: "0600"\n',
        'vast_api_key', id='ansible-dest-below',
    ),
    pytest.param(
        '- copy:\n    dest: ~/.vast_api_key\n    content: "{key}"\n',
        '.vast_api_key', id='ansible-dest-above',
    ),
    pytest.param(
        '- lineinfile:\n    path: ~/.vast_api_key\n    line: "{key}"\n    create: true\n',
        '.vast_api_key', id='ansible-lineinfile',
    ),
    pytest.param('cat > ~/.vast_api_key <<EOF\n{key}\nEOF\n', '.vast_api_key', id='heredoc'),
    pytest.param(
        'tee ~/.config/vastai/vast_api_key <<"EOF"\n{key}\nEOF\n', 'vast_api_key',
        id='heredoc-tee',
    ),
    pytest.param(
        'with open(os.path.expanduser("~/.vast_api_key"), "w") as f:\n    f.write("{key}")\n',
        '.vast_api_key', id='python-open-write',
    ),
))
def test_key_written_into_a_key_file(template: str, written_to: str) -> None:
    key = new_key()
    found = find_secrets(template.replace('{key}', key), 'setup.yml')
    assert [(m.rule, m.secret, m.context) for m in found] == [
        (rules.KEY_FILE, key, f'written to {written_to}'),
    ]


@pytest.mark.parametrize('template', (
    # `content:` of a task that writes some other file
    '- copy:\n    content: "{key}"\n    dest: /etc/app/checksum\n',
    # a heredoc into another file, the key file only read
    'cat ~/.vast_api_key > /tmp/x <<EOF\n{key}\nEOF\n',
))
def test_other_writes_are_not_key_file_writes(template: str) -> None:
    assert find_secrets(template.replace('{key}', new_key()), 'setup.yml') == []


def test_heredoc_line_target_reads_the_redirect() -> None:
    assert heredoc_line_target('cat >~/.vast_api_key <<EOF') == '.vast_api_key'
    assert heredoc_line_target('cat >> "$HOME/vast_tfa_key" <<EOF') == 'vast_tfa_key'
    assert heredoc_line_target('cat ~/.vast_api_key <<EOF') is None
    assert heredoc_line_target('> vast_api_key') is None


@pytest.mark.parametrize('above', (
    pytest.param('>' * 4000, id='redirects'),
    pytest.param('tee' * 1300, id='tee'),
    pytest.param('cat > vast_api_key ' * 200 + '<<', id='names'),
    pytest.param('open(' * 800 + ' .vast_api_key', id='opens'),
))
def test_lines_above_bare_keys_cost_well_under_a_second_a_megabyte(above: str) -> None:
    # issue 20 item 6: '>' x4000 above bare keys cost 21 CPU s/MB, `tee` repeated 3.6 s/MB
    block = f'{above}\n{new_key()}\n'
    text = 'vast\n' + block * ((1 << 20) // len(block))
    start = time.process_time()
    find_secrets(text, 'notes.txt')
    assert time.process_time() - start < 1.0
