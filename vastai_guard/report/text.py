"""Human-readable report of `scan` findings."""
from __future__ import annotations

from collections.abc import Sequence

from vastai_guard.findings import Finding
from vastai_guard.findings import Verification
from vastai_guard.findings import shown_path
from vastai_guard.report import blast
from vastai_guard.report.color import BOLD
from vastai_guard.report.color import PLAIN
from vastai_guard.report.color import RED
from vastai_guard.report.color import YELLOW
from vastai_guard.report.color import Painter
from vastai_guard.vocabulary import ACTIVE
from vastai_guard.vocabulary import INVALID
from vastai_guard.vocabulary import STATES
from vastai_guard.vocabulary import UNKNOWN
from vastai_guard.vocabulary import advice_committed
from vastai_guard.vocabulary import advice_not_committed
from vastai_guard.vocabulary import count
from vastai_guard.vocabulary import plural
from vastai_guard.vocabulary import short

# `--verify`: active keys first, they are the ones to rotate today
_STATE_RANK = {ACTIVE: 0, UNKNOWN: 1, INVALID: 3}
_UNVERIFIED_RANK = 2
# the reason verify.py gives a value it never sent (not 64 hex)
NOT_CHECKED = 'not checked'


def verification_rank(verification: Verification | None) -> int:
    """Sort key: active (by blast radius: critical, high, low, none), unknown, not verified,
    invalid. Only an active key has a blast radius: it moves ahead of other active keys."""
    if verification is None:
        return _UNVERIFIED_RANK
    state = _STATE_RANK.get(verification.state, _STATE_RANK[UNKNOWN])
    return state - (blast.NO_RANK - blast.rank(verification))


def verification_label(verification: Verification) -> str:
    """`[active]`, `[unknown: timed out after 5s]`, `[active: account 42 a@b.example]`."""
    if verification.state == ACTIVE and verification.account:
        return f'[active: account {verification.account}]'
    if verification.state == UNKNOWN:
        return f'[unknown: {verification.reason}]'
    return f'[{verification.state}]'


def verification_summary(verifications: Sequence[Verification]) -> str:
    """`Verified 3 Vast.ai keys: ...`, or `Verified 2 of 3 Vast.ai keys` when one was not sent."""
    asked = [v for v in verifications if not v.reason.startswith(NOT_CHECKED)]
    counts = [
        f'{sum(v.state == state for v in asked)} {state}'
        for state in STATES if any(v.state == state for v in asked)
    ]
    of = f' of {len(verifications)}' if len(asked) != len(verifications) else ''
    not_checked = len(verifications) - len(asked)
    skipped = f' ({not_checked} not checked: not shaped like an API key)' if not_checked else ''
    return (
        f'Verified {len(asked)}{of} Vast.ai {plural(len(verifications), "key")}: '
        f'{", ".join(counts) or "none"}{skipped}.\n'
        'Active and unknown keys need rotating now; an invalid key no longer works but still\n'
        'belongs out of the file.'
    )


def _line(
        finding: Finding,
        committed: frozenset[str],
        earlier: frozenset[str],
        paint: Painter,
        quiet: bool,
) -> str:
    line = (
        f'{paint(shown_path(finding.path), BOLD)}:{finding.line}: {paint(finding.rule.id, RED)}: '
        f'{finding.redacted}'
    )
    if finding.fingerprint in committed:
        line += ' ' + paint('(already committed)', YELLOW)
    elif finding.fingerprint in earlier:
        line += ' ' + paint('(already committed, in an earlier commit)', YELLOW)
    if finding.verification is not None:
        label = verification_label(finding.verification)
        active = finding.verification.state == ACTIVE
        line += ' ' + (paint(label, RED, BOLD) if active else label)
    if finding.context:
        line += f' ({finding.context})'  # what made the call: `name VAST_API_KEY`
    radius = finding.verification.blast_radius if finding.verification else None
    if radius is not None and not quiet:  # -q: one line per finding
        line += f'\n  {blast.painted(radius, paint)}'
        if radius.urgency == blast.CRITICAL:  # the one step that stops the bleeding
            line += f'\n  revoke it now: vastai-guard revoke {short(finding.fingerprint)}'
    return line


def render(
        findings: Sequence[Finding],
        committed: frozenset[str] = frozenset(),
        *,
        paint: Painter = PLAIN,
        quiet: bool = False,
        incomplete: str | None = None,
        earlier: frozenset[str] = frozenset(),
) -> str:
    """`committed`: fingerprints of keys HEAD holds in the same file; `earlier`: of keys in an
    earlier commit (any file, any ref); both get the rotate-now advice.

    `quiet` (-q): the finding lines alone. `incomplete`: why not everything was read (the
    last line, as in history's report; a clean scan says only that).
    """
    if not findings:
        return f'{incomplete}\n' if incomplete is not None and not quiet else ''
    ordered = sorted(findings, key=lambda f: verification_rank(f.verification))
    lines = [_line(f, committed, earlier, paint, quiet) for f in ordered]
    if quiet:
        return '\n'.join(lines) + '\n'
    lead = blast.lead({f.fingerprint: f.verification for f in findings}.values())
    if lead is not None:
        lines.insert(0, paint(lead, RED, BOLD))
    files = len({f.path for f in findings})
    keys = len({f.fingerprint for f in findings})
    lines.append('')
    lines.append(paint(f'Found {count(keys, "Vast.ai key")} in {count(files, "file")}.', BOLD))
    verdicts = {f.fingerprint: f.verification for f in findings if f.verification is not None}
    if verdicts:
        lines.append(verification_summary(list(verdicts.values())))
    fingerprints = {f.fingerprint for f in findings}
    in_git = fingerprints & (committed | earlier)
    fresh = fingerprints - in_git
    mixed = bool(in_git and fresh)
    if in_git:
        lines.append(advice_committed(len(in_git), mixed=mixed))
    if fresh:
        from vastai_guard.detect.filenames import is_env_file

        env = {f.fingerprint for f in findings if f.fingerprint in fresh and is_env_file(f.path)}
        other = {
            f.fingerprint for f in findings if f.fingerprint in fresh and not is_env_file(f.path)
        }
        lines.append(advice_not_committed(
            len(fresh), env_files=bool(env), other_files=bool(other), mixed=mixed,
        ))
    if incomplete is not None:
        lines.append(incomplete)
    return '\n'.join(lines) + '\n'
