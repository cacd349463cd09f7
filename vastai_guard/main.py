"""Command line: parse, then dispatch to one module per command. Nothing else lives here."""
from __future__ import annotations

import argparse
from collections.abc import Sequence

from vastai_guard.errors import run_guarded


def _add_common(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument(
        '--format', dest='output_format', choices=formats, default='text',
        help='report format (default: %(default)s)',
    )
    parser.add_argument(
        '--config', dest='config_file', metavar='FILE',
        help='config file (default: .vastai-guard.yaml at the repository root)',
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='vastai-guard',
        description='Keep Vast.ai API keys out of git.',
    )
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    scan = commands.add_parser(
        'scan', help='scan staged files (the pre-commit hook), tracked files, or folders',
        description='Scan files for Vast.ai keys. In a git repository, named files are judged '
                    'by their staged content; with no names, every staged file is scanned.',
    )
    scan.add_argument('paths', nargs='*', metavar='PATH', help='files or folders to scan')
    scan.add_argument(
        '--all-files', action='store_true', help='scan every file tracked in the index',
    )
    scan.add_argument(
        '--baseline', dest='baseline_path', metavar='FILE',
        help='detect-secrets baseline: secrets in it are not reported',
    )
    _add_common(scan, ('text', 'json'))

    history = commands.add_parser(
        'history', help='every key ever committed, once, and which still need rotating',
        description='Scan every commit reachable from any ref (branches, tags, remote-tracking '
                    'branches, the stash) and commit messages for Vast.ai keys. A key committed '
                    'once is exposed for good: each is reported once, by fingerprint, until '
                    'recorded as rotated with `vastai-guard rotated`.',
    )
    history.add_argument(
        '--repo', dest='repo_path', default='.', metavar='PATH',
        help='repository to scan (default: the current one)',
    )
    history.add_argument(
        '--range', dest='range_spec', metavar='BASE..HEAD',
        help='scan only the commits in this revision range (the pull request check: '
             'origin/main..HEAD); fails if any of them added a key',
    )
    history.add_argument(
        '--include-unreachable', action='store_true',
        help='also scan commits no ref reaches (amended, reset away, dropped stashes)',
    )
    history.add_argument(
        '--baseline', dest='baseline_path', metavar='FILE',
        help='detect-secrets baseline: secrets in it are not reported',
    )
    _add_common(history, ('text', 'json'))

    rotated = commands.add_parser(
        'rotated', help='record a key as rotated in the ledger in .vastai-guard.yaml',
        description='Record that the key with this fingerprint was rotated (its fingerprint, '
                    'the date and a note; never the key) in .vastai-guard.yaml. Commit the '
                    'file so the team and CI share it.',
    )
    rotated.add_argument(
        'fingerprint', metavar='FINGERPRINT',
        help='the fingerprint `vastai-guard history` printed, or a unique prefix of at least '
             '8 hex characters',
    )
    rotated.add_argument('--note', default='', help='how it was rotated, who did it')
    rotated.add_argument(
        '--repo', dest='repo_path', default='.', metavar='PATH',
        help='repository (default: the current one)',
    )
    rotated.add_argument(
        '--config', dest='config_file', metavar='FILE',
        help='config file (default: .vastai-guard.yaml at the repository root)',
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    if args.command == 'scan':
        from vastai_guard.commands.scan import scan
        return run_guarded(
            lambda: scan(
                args.paths,
                all_files=args.all_files,
                output_format=args.output_format,
                baseline_path=args.baseline_path,
                config_file=args.config_file,
            ),
        )
    if args.command == 'history':
        from vastai_guard.commands.history import history
        return run_guarded(
            lambda: history(
                repo_path=args.repo_path,
                range_spec=args.range_spec,
                include_unreachable=args.include_unreachable,
                output_format=args.output_format,
                baseline_path=args.baseline_path,
                config_file=args.config_file,
            ),
        )
    if args.command == 'rotated':
        from vastai_guard.commands.rotated import rotated
        return run_guarded(
            lambda: rotated(
                args.fingerprint,
                note=args.note,
                repo_path=args.repo_path,
                config_file=args.config_file,
            ),
        )
    raise AssertionError(f'unhandled command {args.command!r}')


if __name__ == '__main__':
    raise SystemExit(main())
