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

    gitignore = commands.add_parser(
        'gitignore', help='check that .env files and Vast.ai key files are ignored, not tracked',
        description='Check, with git\'s own ignore rules, that .env files and the Vast.ai CLI '
                    'key files are ignored and that none is tracked or staged. Templates '
                    '(.env.example, .env.sample, .env.template, .env.dist) stay committable.',
    )
    gitignore.add_argument(
        '--fix', action='store_true',
        help='append the missing patterns to the root .gitignore (never untracks files)',
    )
    gitignore.add_argument(
        '--check-reuse', action='store_true',
        help='also warn when one Vast.ai key is in the env files of two environments',
    )
    gitignore.add_argument(
        '--format', dest='output_format', choices=('text', 'json'), default='text',
        help='report format (default: %(default)s)',
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
    if args.command == 'gitignore':
        from vastai_guard.commands.gitignore import gitignore
        return run_guarded(
            lambda: gitignore(
                fix=args.fix,
                check_reuse=args.check_reuse,
                output_format=args.output_format,
            ),
        )
    raise AssertionError(f'unhandled command {args.command!r}')


if __name__ == '__main__':
    raise SystemExit(main())
