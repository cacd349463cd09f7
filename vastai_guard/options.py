"""What the command line asked of each command: one immutable value per command.

main.py builds them from argparse; each command takes its own and never sees the Namespace.
Light on purpose: main imports this module on every start, the hook's included.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from vastai_guard.findings import Verifier
from vastai_guard.report.color import Terminal


class ScanOptions(NamedTuple):
    paths: Sequence[str] = ()
    all_files: bool = False
    output_format: str = 'text'
    baseline_path: str | None = None
    config_file: str | None = None
    output_file: str | None = None
    verify: Verifier | None = None
    from_disk: bool = False
    update_baseline: str | None = None
    fail_on: str = 'any'
    allow_missing_objects: bool = False
    terminal: Terminal = Terminal()
    # judge by the config and baseline as this revision holds them (a pull request's base)
    policy_from: str | None = None


class HistoryOptions(NamedTuple):
    repo_path: str = '.'
    range_spec: str | None = None
    include_unreachable: bool = False
    output_format: str = 'text'
    baseline_path: str | None = None
    config_file: str | None = None
    output_file: str | None = None
    verify: Verifier | None = None
    since_rotation_days: int | None = None
    jobs: int | None = None
    allow_missing_objects: bool = False
    pre_push: bool = False
    fail_on: str = 'any'
    trust_allowances: bool = False
    terminal: Terminal = Terminal()


class GitignoreOptions(NamedTuple):
    fix: bool = False
    check_reuse: bool = False
    output_format: str = 'text'
    output_file: str | None = None
    terminal: Terminal = Terminal()


class InitOptions(NamedTuple):
    hook_repo: str | None = None
    rev: str | None = None
    local: bool = False
    pre_push: bool = False


class RotatedOptions(NamedTuple):
    fingerprint: str
    note: str = ''
    repo_path: str = '.'
    config_file: str | None = None


class RevokeOptions(NamedTuple):
    fingerprint: str
    repo_path: str = '.'
    yes: bool = False
    api_url: str | None = None
    output_format: str = 'text'
    config_file: str | None = None


class AuditOptions(NamedTuple):
    api_url: str | None = None
    max_age_days: int | None = None  # None: the config's max_key_age_days
    output_format: str = 'text'
    config_file: str | None = None


class SweepOptions(NamedTuple):
    sources: Sequence[str] = ()
    from_file: str | None = None
    workers: int | None = None
    scheduler: str | None = None
    state_dir: str | None = None
    cache_dir: str | None = None
    split_commits: int | None = None
    output_format: str = 'text'
    output_file: str | None = None
    verify: Verifier | None = None
    fail_on: str = 'any'
    terminal: Terminal = Terminal()
