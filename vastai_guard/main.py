"""Command line: parse, then dispatch to one module per command. Nothing else lives here."""
from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vastai_guard.errors import FatalError
from vastai_guard.errors import run_guarded
from vastai_guard.model import GitignoreReport
from vastai_guard.model import HistoryReport
from vastai_guard.model import ScanReport
from vastai_guard.model import SweepReport
from vastai_guard.options import AuditOptions
from vastai_guard.options import GitignoreOptions
from vastai_guard.options import HistoryOptions
from vastai_guard.options import InitOptions
from vastai_guard.options import RevokeOptions
from vastai_guard.options import RotatedOptions
from vastai_guard.options import ScanOptions
from vastai_guard.options import SweepOptions
from vastai_guard.report import formats
from vastai_guard.report.output import default_format
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import CONFIRMED_ACTIVE

if TYPE_CHECKING:
    from vastai_guard.findings import Verifier
    from vastai_guard.git.repository import GitPythonCheck
    from vastai_guard.report.color import Terminal


def _add_common(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument(
        '--format', dest='output_format', choices=formats,
        default=default_format(formats, os.environ),
        help='report format (default: github inside GitHub Actions, else text)',
    )
    parser.add_argument(
        '--config', dest='config_file', metavar='FILE',
        help='config file, which must exist (default: $VASTAI_GUARD_CONFIG, else '
             '.vastai-guard.yaml at the repository root if there is one)',
    )


def _add_terminal(parser: argparse.ArgumentParser) -> None:
    """How much a person at a terminal is told; shared by scan, history and gitignore."""
    parser.add_argument(
        '--no-color', action='store_true',
        help='no colour (also: NO_COLOR set); colour is only ever used on a terminal',
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        '-q', '--quiet', dest='verbosity', action='store_const', const=-1, default=0,
        help='text reports: one line per finding, no advice, no summary, no warnings',
    )
    loudness.add_argument(
        '-v', '--verbose', dest='verbosity', action='store_const', const=1,
        help='also say what was skipped and why (excluded, binary, baseline files; '
             'suppressed findings) and which config and baseline were read',
    )


def _add_verify(parser: argparse.ArgumentParser) -> None:
    """`--verify` and its options; shared by `scan`, `history` and `sweep`."""
    group = parser.add_argument_group('verification (sends each key found to the Vast.ai API)')
    group.add_argument(
        '--verify', action='store_true',
        help='ask the Vast.ai API whether each key found still works '
             '(GET /api/v0/users/current/, key in the Authorization header only)',
    )
    group.add_argument(
        '--api-url', metavar='URL',
        help='Vast.ai API base URL for --verify (default: https://console.vast.ai); '
             'https only, or http to 127.0.0.1/localhost/::1',
    )
    group.add_argument(
        '--show-account', action='store_true',
        help='with --verify, show the account id and email of each active key',
    )
    group.add_argument(
        '--blast-radius', action='store_true',
        help='with --verify, ask what each active key can do: its account, rights (full or '
             'scoped), credit, running instances and their cost per hour',
    )
    group.add_argument(
        '--fail-on', choices=('any', ACTIVE, CONFIRMED_ACTIVE), default='any',
        help='exit 1 for any key found (default); active: for keys the Vast.ai API accepts or '
             'that could not be checked (unknown is not inactive); confirmed-active: only for '
             'keys the API accepts (both imply --verify; every key is still reported)',
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--output', dest='output_file', metavar='FILE',
        help='write the report to FILE; the terminal gets a one-line summary',
    )


def _days_above_zero(text: str) -> int:
    """argparse type: a whole number above 0 (0 days would flag every rotation as overdue)."""
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f'expected a whole number of days above 0, not {text!r}')
    return int(text)


class _Version(argparse.Action):
    """`--version`, looked up only when asked: importlib.metadata costs the hook start-up."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help='show the version and exit')

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from vastai_guard.version import tool_version

        print(f'vastai-guard {tool_version()}')  # on stdout, as argparse's own
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='vastai-guard',
        description='Keep Vast.ai API keys out of git.',
    )
    parser.add_argument('--version', action=_Version)
    commands = parser.add_subparsers(dest='command', metavar='COMMAND', required=True)

    scan = commands.add_parser(
        'scan', help='scan staged files (the pre-commit hook), tracked files, or folders',
        description='Scan files for Vast.ai keys. In a git repository every PATH is judged by '
                    'what the index holds (the staged content, what the next commit takes): a '
                    'folder means the indexed files under it. What the index does not hold is '
                    'read from disk: a named untracked file, and untracked files under a folder '
                    'that are not ignored. Ignored files and unstaged edits are not read. With '
                    'no PATH, every staged file is scanned. --from-disk reads the working files '
                    'instead (unstaged edits and ignored files included). Outside a repository '
                    'files are read from disk.',
    )
    scan.add_argument('paths', nargs='*', metavar='PATH', help='files or folders to scan')
    scan.add_argument(
        '--update-baseline', metavar='FILE',
        help='with --all-files: write every key found now to FILE, a detect-secrets baseline '
             '(hashes only; other plugins\' entries and audit marks in FILE are kept), and '
             'exit 0; later scans with that baseline report only new keys',
    )
    scan.add_argument(
        '--from-disk', action='store_true',
        help='read PATHs (default: the whole work tree) as they are on disk, ignored files '
             'and unstaged edits included, instead of the staged content',
    )
    scan.add_argument(
        '--all-files', action='store_true', help='scan every file tracked in the index',
    )
    scan.add_argument(
        '--baseline', dest='baseline_path', metavar='FILE',
        help='detect-secrets baseline: secrets in it are not reported',
    )
    scan.add_argument(
        '--policy-from', metavar='REV',
        help='judge by the config and baseline as REV holds them (a pull request\'s base), '
             'and report each key the change\'s own config or baseline would allow',
    )
    scan.add_argument(
        '--allow-missing-objects', action='store_true',
        help='accept a scan that could not read every staged or tracked blob (missing or '
             'damaged objects): exit 0 rather than 2 when no key is found',
    )
    _add_common(scan, formats(ScanReport))
    _add_terminal(scan)
    _add_output(scan)
    _add_verify(scan)

    init = commands.add_parser(
        'init', help='add the vastai-guard hooks to .pre-commit-config.yaml and install them',
        description='Add the vastai-guard hooks to the repository\'s .pre-commit-config.yaml '
                    '(created if missing; existing lines and comments are kept), add what the '
                    'vastai-gitignore hook demands to .gitignore, then run '
                    '`pre-commit install`. Running it again changes nothing.',
    )
    init.add_argument(
        '--repo', dest='hook_repo', metavar='URL',
        help='where pre-commit gets the hooks (default: the project\'s published repository)',
    )
    init.add_argument(
        '--rev', metavar='REV',
        help='the tag or commit of --repo to use (default: v<installed version>)',
    )
    init.add_argument(
        '--pre-push', action='store_true',
        help='also add the vastai-secrets-push hook (the commits being pushed) and install '
             'git\'s pre-push hook',
    )
    init.add_argument(
        '--local', action='store_true',
        help='a `repo: local` entry running the installed vastai-guard (language: system): '
             'no clone, no network',
    )

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
        '--format', dest='output_format', choices=formats(GitignoreReport),
        default=default_format(formats(GitignoreReport), os.environ),
        help='report format (default: github inside GitHub Actions, else text)',
    )
    _add_output(gitignore)
    _add_terminal(gitignore)

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
        '--pre-push', action='store_true',
        help='scan only the commits a push sends (the vastai-secrets-push hook): '
             'PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF, or for a new branch the commits no '
             'remote-tracking ref has',
    )
    history.add_argument(
        '--include-unreachable', action='store_true',
        help='also scan commits no ref reaches (amended, reset away, dropped stashes)',
    )
    history.add_argument(
        '--baseline', dest='baseline_path', metavar='FILE',
        help='detect-secrets baseline: secrets in it are not reported '
             '(default: .secrets.baseline at the repository root, if there is one)',
    )
    history.add_argument(
        '--jobs', '-j', type=int, metavar='N',
        help='processes that read and judge blobs (default: the number of CPUs on Linux, 1 '
             'elsewhere; 1: this process only)',
    )
    history.add_argument(
        '--allow-missing-objects', action='store_true',
        help='accept a scan that could not read every object (a partial clone): exit 0 '
             'rather than 2 when no key is found',
    )
    history.add_argument(
        '--trust-allowances', action='store_true',
        help='with --range or --pre-push: judge the range by the config, ledger and baseline '
             'it brings (default: by those of its base, each allowance it adds being reported)',
    )
    history.add_argument(
        '--since-rotation-days', type=_days_above_zero, metavar='N',
        help='with --format markdown: flag keys recorded as rotated more than N days ago',
    )
    _add_common(history, formats(HistoryReport))
    _add_terminal(history)
    _add_output(history)
    _add_verify(history)

    rotated = commands.add_parser(
        'rotated', help='record a key as rotated in the ledger in .vastai-guard.yaml',
        description='Record that the key with this fingerprint was rotated (its fingerprint, '
                    'the date and a note; never the key) in .vastai-guard.yaml. Commit the '
                    'file so the team and CI share it.',
    )
    rotated.add_argument(
        'fingerprint', metavar='FINGERPRINT',
        help='the fingerprint `vastai-guard history` printed, or a unique prefix of at least '
             '12 hex characters (never the key itself: it is refused)',
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

    revoke = commands.add_parser(
        'revoke', help='revoke a leaked key through the Vast.ai API and record it in the ledger',
        description='Find the key with this fingerprint in the repository (work tree, index, '
                    'then history), delete it through the Vast.ai API with the key itself '
                    '(GET users/current for its key id, DELETE auth/apikeys/ID, then check '
                    'that the key is rejected), and record the rotation in .vastai-guard.yaml. '
                    'Every service using the key loses access: create the replacement on the '
                    'Keys page. Exit 0 revoked, 1 still accepted, 2 on any error.',
    )
    revoke.add_argument(
        'fingerprint', metavar='FINGERPRINT',
        help='the fingerprint a report printed, or a unique prefix of at least 12 hex '
             'characters (never the key itself)',
    )
    revoke.add_argument(
        '--repo', dest='repo_path', default='.', metavar='PATH',
        help='repository the key leaked in (default: the current one)',
    )
    revoke.add_argument(
        '--yes', action='store_true',
        help='revoke without asking (needed when not on a terminal)',
    )
    revoke.add_argument(
        '--api-url', metavar='URL',
        help='Vast.ai API base URL (default: https://console.vast.ai); https only, or http to '
             '127.0.0.1/localhost/::1',
    )
    revoke.add_argument(
        '--format', dest='output_format', choices=('text', 'json'), default='text',
        help='report format (default: text)',
    )
    revoke.add_argument(
        '--config', dest='config_file', metavar='FILE',
        help='config file holding the ledger (default: .vastai-guard.yaml at the repository '
             'root)',
    )

    audit = commands.add_parser(
        'audit', help="audit your Vast.ai account's API keys: full access, age, rotated keys",
        description='With your own key (VAST_API_KEY, else $XDG_CONFIG_HOME/vastai/'
                    'vast_api_key, else ~/.vast_api_key), list the account\'s API keys and '
                    'flag full-access keys, keys older than max_key_age_days (default 90) '
                    'and keys the ledger says were rotated but that still exist. Exit 1 when '
                    'a key has a problem, 0 when none does, 2 on errors.',
    )
    audit.add_argument(
        '--api-url', metavar='URL',
        help='Vast.ai API base URL (default: https://console.vast.ai); https only, or http to '
             '127.0.0.1/localhost/::1',
    )
    audit.add_argument(
        '--max-age-days', type=_days_above_zero, metavar='N',
        help='flag keys older than N days (default: max_key_age_days in the config, else 90)',
    )
    audit.add_argument(
        '--format', dest='output_format', choices=('text', 'json', 'markdown'), default='text',
        help='report format (default: text)',
    )
    audit.add_argument(
        '--config', dest='config_file', metavar='FILE',
        help='config file (default: .vastai-guard.yaml at the root of the current repository)',
    )

    sweep = commands.add_parser(
        'sweep', help='many repositories in one run: each key once across all of them',
        description='Scan the whole history of many repositories (as `history` scans one) and '
                    'report each key once, with every repository that holds it. A SOURCE is a '
                    'work tree, a bare repository, or a git URL (file://, https://, ssh://, '
                    'user@host:path), cloned as a mirror into a cache folder and fetched again '
                    'on later runs. A repository that fails is reported and the sweep goes on. '
                    'Exit 1 if any key needs rotating; 2 if a repository failed or was not '
                    'read whole (and no key); else 0.',
    )
    sweep.add_argument('sources', nargs='*', metavar='SOURCE', help='repositories to sweep')
    sweep.add_argument(
        '--from', dest='from_file', metavar='FILE',
        help='read SOURCEs from FILE, one a line (blank lines and # comments ignored)',
    )
    sweep.add_argument(
        '--workers', type=int, metavar='N',
        help='local worker processes, one repository each at a time (default: the number '
             'of CPUs)',
    )
    sweep.add_argument(
        '--scheduler', metavar='ADDRESS',
        help='run the repositories as tasks on the Dask distributed cluster at ADDRESS '
             '(tcp://HOST:PORT; needs vastai-guard[dask] here and on the workers)',
    )
    sweep.add_argument(
        '--state', dest='state_dir', metavar='DIR',
        help='keep each repository\'s result in DIR, keyed by its ref tips: a repository '
             'unchanged since an earlier run is not scanned again, an interrupted sweep resumes',
    )
    sweep.add_argument(
        '--cache', dest='cache_dir', metavar='DIR',
        help='where URL sources are mirrored (default: $XDG_CACHE_HOME/vastai-guard/mirrors, '
             'on each worker)',
    )
    sweep.add_argument(
        '--split-commits', type=int, metavar='N',
        help='split a repository with more than N commits (default: 20000) into tasks of '
             'about N commits each, by commit ranges, so that one huge repository does not '
             'leave the other workers idle',
    )
    sweep.add_argument(
        '--format', dest='output_format', choices=formats(SweepReport), default='text',
        help='report format (default: text)',
    )
    _add_output(sweep)
    _add_terminal(sweep)
    _add_verify(sweep)
    return parser


def _verify(args: argparse.Namespace) -> Verifier | None:
    """--verify as the engines take it: raw keys in, verdicts out; the URL checked here, inside
    run_guarded, so a problem is exit 2."""
    if not args.verify and args.fail_on == 'any':
        # --api-url and --show-account mean nothing without --verify: say so
        for flag, given in (('--api-url', args.api_url is not None),
                            ('--show-account', args.show_account),
                            ('--blast-radius', args.blast_radius)):
            if given:
                raise FatalError(f'{flag} needs --verify')
        return None
    # imported only when asked for: the hook path stays light
    from vastai_guard.respond.verify import verify_options
    return verify_options(
        args.api_url, show_account=args.show_account, blast_radius=args.blast_radius,
    ).verify


def _terminal(args: argparse.Namespace) -> Terminal:
    import sys

    from vastai_guard.report.color import Terminal
    from vastai_guard.report.color import use_color

    color = args.output_file is None and args.output_format == 'text' and use_color(
        no_color=args.no_color, env=os.environ, stream=sys.stdout,
    )
    return Terminal(color=color, verbosity=args.verbosity)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # one boundary for every command: FatalError is exit 2, ^C 130, a bug 3
    return run_guarded(lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    if args.command == 'scan':
        from vastai_guard.commands.scan import scan
        return scan(ScanOptions(
            paths=args.paths,
            all_files=args.all_files,
            output_format=args.output_format,
            baseline_path=args.baseline_path,
            config_file=args.config_file,
            output_file=args.output_file,
            verify=_verify(args),
            from_disk=args.from_disk,
            update_baseline=args.update_baseline,
            fail_on=args.fail_on,
            allow_missing_objects=args.allow_missing_objects,
            terminal=_terminal(args),
            policy_from=args.policy_from,
        ))
    if args.command == 'init':
        from vastai_guard.commands.init import init
        return init(InitOptions(
            hook_repo=args.hook_repo, rev=args.rev, local=args.local, pre_push=args.pre_push,
        ))
    if args.command == 'gitignore':
        from vastai_guard.commands.gitignore import gitignore
        return gitignore(GitignoreOptions(
            fix=args.fix,
            check_reuse=args.check_reuse,
            output_format=args.output_format,
            output_file=args.output_file,
            terminal=_terminal(args),
        ))
    if args.command == 'revoke':
        from vastai_guard.commands.revoke import revoke
        return revoke(RevokeOptions(
            fingerprint=args.fingerprint,
            repo_path=args.repo_path,
            yes=args.yes,
            api_url=args.api_url,
            output_format=args.output_format,
            config_file=args.config_file,
        ))
    if args.command == 'audit':
        from vastai_guard.commands.audit import audit
        return audit(AuditOptions(
            api_url=args.api_url,
            max_age_days=args.max_age_days,
            output_format=args.output_format,
            config_file=args.config_file,
        ))
    if args.command == 'sweep':
        from vastai_guard.commands.sweep import sweep
        return sweep(SweepOptions(
            sources=args.sources,
            from_file=args.from_file,
            workers=args.workers,
            scheduler=args.scheduler,
            state_dir=args.state_dir,
            cache_dir=args.cache_dir,
            split_commits=args.split_commits,
            output_format=args.output_format,
            output_file=args.output_file,
            verify=_verify(args),
            fail_on=args.fail_on,
            terminal=_terminal(args),
        ))
    if args.command in ('history', 'rotated'):
        from vastai_guard.git.repository import GitPythonCheck

        # started first: GitPython's slow import runs beside this process's own imports
        with GitPythonCheck() as gitpython:
            return _run_on_history(args, gitpython)
    raise AssertionError(f'unhandled command {args.command!r}')


def _run_on_history(args: argparse.Namespace, gitpython: GitPythonCheck) -> int:
    if args.command == 'history':
        from vastai_guard.commands.history import history
        return history(HistoryOptions(
            repo_path=args.repo_path,
            range_spec=args.range_spec,
            include_unreachable=args.include_unreachable,
            output_format=args.output_format,
            baseline_path=args.baseline_path,
            config_file=args.config_file,
            output_file=args.output_file,
            verify=_verify(args),
            since_rotation_days=args.since_rotation_days,
            pre_push=args.pre_push,
            trust_allowances=args.trust_allowances,
            fail_on=args.fail_on,
            terminal=_terminal(args),
            jobs=args.jobs,
            allow_missing_objects=args.allow_missing_objects,
        ), gitpython)
    if args.command == 'rotated':
        from vastai_guard.commands.rotated import rotated
        return rotated(RotatedOptions(
            fingerprint=args.fingerprint,
            note=args.note,
            repo_path=args.repo_path,
            config_file=args.config_file,
        ), gitpython)
    raise AssertionError(f'unhandled command {args.command!r}')


if __name__ == '__main__':
    raise SystemExit(main())
