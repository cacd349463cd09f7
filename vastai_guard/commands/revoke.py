"""`vastai-guard revoke FINGERPRINT`: revoke a leaked key through the Vast.ai API, prove it is
dead, and record it in the rotation ledger."""
from __future__ import annotations

import datetime
import sys

from vastai_guard.errors import EXIT_CLEAN
from vastai_guard.errors import EXIT_ERROR
from vastai_guard.errors import EXIT_FINDINGS
from vastai_guard.errors import FatalError
from vastai_guard.findings import Rotation
from vastai_guard.findings import redact
from vastai_guard.git import repository
from vastai_guard.git import worktree
from vastai_guard.model import RevokeReport
from vastai_guard.options import RevokeOptions
from vastai_guard.policy.config import config_path
from vastai_guard.policy.config import load_config
from vastai_guard.policy.ledger import record_rotation
from vastai_guard.report import revoke as report
from vastai_guard.report.output import emit
from vastai_guard.respond import api
from vastai_guard.respond.locate import Located
from vastai_guard.respond.locate import check_fingerprint
from vastai_guard.respond.locate import locate
from vastai_guard.respond.revoke import LEDGER_NOTE
from vastai_guard.respond.revoke import REVOKED
from vastai_guard.respond.revoke import STILL_ACTIVE
from vastai_guard.respond.revoke import revoke_key
from vastai_guard.vocabulary import short


def _consent(located: Located) -> bool:
    """Asked on the terminal (the question on stderr: stdout may be a JSON report)."""
    sys.stderr.write(
        f'Revoke Vast.ai key {redact(located.secret)} (fingerprint '
        f'{short(located.fingerprint)}, {located.where})?\n{report.BREAKS}\n'
        'Type "yes" to revoke it now: ',
    )
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ('y', 'yes')


def revoke(options: RevokeOptions, gitpython: repository.GitPythonCheck | None = None) -> int:
    check_fingerprint(options.fingerprint)  # before anything is read: a typo is exit 2 at once
    # the URL is the user's, from the command line: never from the repository's files
    client = api.client(options.api_url)
    if not options.yes and not sys.stdin.isatty():
        raise FatalError(
            'revoke deletes the key on Vast.ai: add --yes to confirm (not a terminal, so '
            'nothing was asked and nothing was sent)',
        )
    tree = worktree.work_tree(cwd=options.repo_path)
    if tree is None:
        raise FatalError(f'{options.repo_path}: not in a git work tree')
    path = config_path(tree.root, options.config_file)
    config = load_config(path)
    located = locate(
        options.fingerprint, repo_path=tree.root, max_file_mb=config.max_file_mb,
        gitpython=gitpython,
    )
    if not options.yes and not _consent(located):
        print('vastai-guard: nothing revoked', file=sys.stderr)
        return EXIT_ERROR
    outcome = revoke_key(client, located.secret)
    result = RevokeReport(
        fingerprint=located.fingerprint,
        redacted=redact(located.secret),
        where=located.where,
        key_id=outcome.key_id,
        state=outcome.state,
    )
    if outcome.state == REVOKED:
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        note = LEDGER_NOTE.format(key_id=outcome.key_id)
        try:
            added = record_rotation(
                path, Rotation(located.fingerprint, today, note), root=tree.root,
            )
        except FatalError as error:
            # the key is dead: say so, whatever happened to the ledger
            raise FatalError(
                f'the key WAS revoked (key id {outcome.key_id}), but the ledger was not '
                f'written ({error}): record it with `vastai-guard rotated '
                f'{short(located.fingerprint)} --note "revoked"`',
            ) from None
        result = result._replace(ledger=path, already_recorded=not added)
    rendered = (
        report.render_json(result) if options.output_format == 'json'
        else report.render_text(result)
    )
    emit(rendered, output_file=None, summary='')
    return EXIT_FINDINGS if outcome.state == STILL_ACTIVE else EXIT_CLEAN
