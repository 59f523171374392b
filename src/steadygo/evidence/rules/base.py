"""How an evidence rule (SG9xx) reports: one constructor, so every runtime
finding has the same shape whatever analyser found it.

Evidence has no columns: a finding on a line of a dump or trace points at
column 1 (so editors jump to the line), one about the whole input at 0."""

from __future__ import annotations

from steadygo.findings import Finding, Severity
from steadygo.rulemeta import EvidenceRule


def evidence_finding(rule: EvidenceRule, path: str, line: int, message: str, *,
                     extra: tuple[tuple[str, str], ...] = (), severity: Severity | None = None) -> Finding:
    m = rule.meta
    return Finding(rule_id=m.id, rule_name=m.name, severity=severity or m.severity, layer=m.layer, path=path,
                   line=line, col=1 if line else 0, message=message, breakpoint=m.breakpoint, extra=tuple(extra))
