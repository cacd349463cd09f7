"""Check `vastai-guard history` on a real repository against the slow, obvious answer: every
version of every file under every name, and every commit message, judged whole.

    python benchmarks/history_check.py --repo PATH

Prints both counts and any fingerprint only one side has (fingerprints, never keys); exit 1
when they differ. Keys history finds in tag messages or in objects refs name outside commits
are beyond the obvious answer and are listed, not counted as a difference.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing.every_version import keys_in_every_version  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repo', type=Path, required=True)
    args = parser.parse_args(argv)
    result = subprocess.run(
        (sys.executable, '-m', 'vastai_guard', 'history', '--format', 'json',
         '--allow-missing-objects', '--repo', str(args.repo)),
        capture_output=True, text=True, check=False,
    )
    if result.returncode not in (0, 1):
        print(result.stderr, end='')
        return 2
    keys = json.loads(result.stdout)['keys']
    reported = {key['fingerprint'] for key in keys}
    beyond = {
        key['fingerprint'] for key in keys
        if key['first_seen']['path'].startswith('(tag message)') or ':' in key['first_seen']['path']
    }
    expected = keys_in_every_version(args.repo)
    print(f'history: {len(reported)} keys; every version judged whole: {len(expected)} keys')
    for key_fingerprint in sorted(reported - expected - beyond):
        print(f'  only history: {key_fingerprint}')
    for key_fingerprint in sorted(beyond - expected):
        print(f'  history, outside commits: {key_fingerprint}')
    for key_fingerprint in sorted(expected - reported):
        print(f'  only every-version: {key_fingerprint}')
    return 0 if reported - beyond == expected - beyond else 1


if __name__ == '__main__':
    raise SystemExit(main())
