"""`vastai-guard audit`: the account's API keys against least privilege and key age."""
from __future__ import annotations

import datetime
import os

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.git import worktree
from vastai_guard.options import AuditOptions
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.report import audit as report
from vastai_guard.report.output import emit
from vastai_guard.respond import api
from vastai_guard.respond.audit import audit as audit_keys
from vastai_guard.respond.audit import own_key


def audit(options: AuditOptions) -> int:
    # the URL is the user's, from the command line: never from a repository's files
    client = api.client(options.api_url)
    tree = worktree.work_tree()
    # the ledger (rotated keys) and max_key_age_days, from the current repository if any
    config = load_config(
        config_path(tree.root if tree else os.getcwd(), options.config_file, must_exist=True),
    )
    key, _ = own_key(os.environ, os.path.expanduser('~'))
    result = audit_keys(
        client, key,
        max_age_days=options.max_age_days or config.max_key_age_days,
        rotated=config.rotated,
        today=datetime.datetime.now(datetime.timezone.utc).date(),
    )
    render = {
        'json': report.render_json, 'markdown': report.render_markdown,
    }.get(options.output_format, report.render_text)
    emit(render(result), output_file=None, summary='')
    return EXIT_FINDINGS if any(key.problems for key in result.keys) else EXIT_CLEAN
