"""The processors every finding passes through after the rules, in one fixed order.

Every command that produces findings (``check`` and the evidence it joins,
``baseline create``, the runtime commands) hands them to ``run`` with the
processors it needs; each processor is a small function with one job, and the
order below is the contract documented in the README:

    path ignores -> inline suppressions -> overlap -> settled by deploy ->
    dedupe -> credential masking -> fingerprints -> baseline -> changed lines
    -> live evidence join -> severity overrides -> sort

Options switch processors off by leaving them out (``--no-suppressions`` runs
no suppression processor at all) rather than undoing their work afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from steadygo import suppress
from steadygo.findings import Finding, assign_fingerprints

Processor = Callable[[list[Finding], "Run"], list[Finding]]


@dataclass
class Run:
    """What processors may consult besides the findings themselves."""

    config: object  # steadygo.config.Config
    enabled: frozenset[str] = frozenset()
    # path -> the file's parsed ``steadygo:ignore`` comments (from the engine)
    suppressions: dict[str, "suppress.FileSuppressions"] = field(default_factory=dict)
    baseline: Callable[[list[Finding]], list[Finding]] | None = None
    changed: Callable[[list[Finding]], list[Finding]] | None = None
    # (code rule id, path prefix) pairs the build/deploy layer settled
    settled: frozenset[tuple[str, str]] = frozenset()
    # check --evidence: marks static findings proved or contradicted live (live_evidence.Join)
    live: Callable[[list[Finding]], list[Finding]] | None = None


def path_ignores(findings: list[Finding], run: Run) -> list[Finding]:
    """First: a finding the config ignores for its path never existed, so it
    can neither use up an inline suppression nor match a baseline entry."""
    ignored_by_path: dict[str, set[str]] = {}
    out = []
    for f in findings:
        ignored = ignored_by_path.get(f.path)
        if ignored is None:
            ignored = ignored_by_path[f.path] = run.config.ignored_for_path(f.path)
        if f.rule_id not in ignored:
            out.append(f)
    return out


def inline_suppressions(findings: list[Finding], run: Run) -> list[Finding]:
    """After path ignores and before everything else, so an unused suppression
    (SG001) is judged against every finding of its file, from both engine
    passes; marks suppressed findings (they stay in JSON/SARIF) and adds the
    hygiene findings."""
    if not run.suppressions:
        return findings
    by_path: dict[str, list[Finding]] = {}
    rest: list[Finding] = []
    for f in findings:
        (by_path.setdefault(f.path, []) if f.path in run.suppressions else rest).append(f)
    out = rest
    for path, fs in sorted(run.suppressions.items()):
        out.extend(fs.apply(by_path.get(path, []), run.enabled))
    return out


def overlap(findings: list[Finding], run: Run) -> list[Finding]:
    """Before dedupe: a finding superseded by a broader rule's finding on the
    same node goes, but only when that broader finding is really there."""
    rules_at: dict[tuple, set[str]] = {}
    for f in findings:
        rules_at.setdefault((f.path, f.line, f.col), set()).add(f.rule_id)
    if all(len(ids) < 2 for ids in rules_at.values()):
        # No node holds two rules' findings: nothing to drop, and no need to
        # load every rule family (a second of start-up for a runtime command).
        return findings
    from steadygo import registry
    from steadygo.overlap import drop_superseded

    return drop_superseded(findings, registry.rules_by_id())


def settled_by_deploy(findings: list[Finding], run: Run) -> list[Finding]:
    """Beside overlap: a code finding that can only guess what the deployment
    does (SG620 "unless the deployment sets GOMEMLIMIT") goes when a
    cross-artifact rule that declares ``settles`` saw the manifest of the
    module's workload and gave its own verdict.  After inline suppressions, so
    a suppression written for it still counts as used."""
    if not run.settled:
        return findings

    def settled(f: Finding) -> bool:
        return any(f.rule_id == rule and (prefix in (".", "") or f.path == prefix or f.path.startswith(prefix.rstrip("/") + "/"))
                   for rule, prefix in run.settled)

    return [f for f in findings if not settled(f)]


def mask_credentials(findings: list[Finding], run: Run) -> list[Finding]:
    """Before fingerprints, so no fingerprint is a hash of a secret: where a
    credential rule reported a line, every finding's snippet on it is masked."""
    from steadygo.redact import mask_credential_lines

    return mask_credential_lines(findings)


def dedupe(findings: list[Finding], run: Run) -> list[Finding]:
    """The same rule reporting the same place twice (two rules paths reaching
    one node, or evidence joined twice) is one finding."""
    seen = set()
    out = []
    for f in findings:
        k = (f.rule_id, f.path, f.line, f.col, f.message)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def fingerprints(findings: list[Finding], run: Run) -> list[Finding]:
    """Before the baseline, which matches on them; after dedupe, so occurrence
    indexes do not count duplicates."""
    return assign_fingerprints(findings)


def baseline(findings: list[Finding], run: Run) -> list[Finding]:
    """Hides what the baseline recorded and counts what was fixed."""
    return run.baseline(findings) if run.baseline is not None else findings


def changed_lines(findings: list[Finding], run: Run) -> list[Finding]:
    """After the baseline, so findings outside the diff are not counted as fixed."""
    return run.changed(findings) if run.changed is not None else findings


def severity_overrides(findings: list[Finding], run: Run) -> list[Finding]:
    """Late, so the severity a team chose is what reports show and fail-on
    judges, while suppression and baseline matching never depend on it."""
    sev = run.config.severity
    if not sev:
        return findings
    return [f.with_(severity=sev[f.rule_id]) if f.rule_id in sev else f for f in findings]


def live_join(findings: list[Finding], run: Run) -> list[Finding]:
    """After the baseline and changed lines (which match static findings as
    the code alone produced them) and before severity overrides, so a proved
    finding is raised one level but a severity the team chose still wins."""
    return run.live(findings) if run.live is not None else findings


def sort(findings: list[Finding], run: Run) -> list[Finding]:
    """Last: reports read in path, line, column order whatever the workers did."""
    return sorted(findings, key=lambda f: f.sort_key)


def processors(*, suppressions: bool = True) -> list[Processor]:
    """The pipeline in its documented order; ``suppressions=False`` leaves the
    inline-suppression processor out (``--no-suppressions``)."""
    out: list[Processor] = [path_ignores]
    if suppressions:
        out.append(inline_suppressions)
    out += [overlap, settled_by_deploy, dedupe, mask_credentials, fingerprints, baseline, changed_lines, live_join, severity_overrides, sort]
    return out


def run(findings: Iterable[Finding], context: Run, steps: list[Processor] | None = None) -> list[Finding]:
    out = list(findings)
    for step in steps if steps is not None else processors():
        out = step(out, context)
    return out

