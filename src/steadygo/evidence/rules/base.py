"""How an evidence rule (SG9xx) reports: one constructor, so every runtime
finding has the same shape whatever analyser found it.

Evidence has no columns: a finding on a line of a dump or trace points at
column 1 (so editors jump to the line), one about the whole input at 0.

``identity`` names what the finding is about in words that stay the same
from one dump, profile or trace of the service to the next (a creation site,
a function, "the trace"): the fingerprint hashes it instead of the message,
whose counts change, so a baseline entry keeps matching."""

from __future__ import annotations

from steadygo.findings import IDENTITY, Finding, Severity
from steadygo.rulemeta import EvidenceRule


def evidence_finding(rule: EvidenceRule, path: str, line: int, message: str, *, identity: str = "",
                     extra: tuple[tuple[str, str], ...] = (), severity: Severity | None = None) -> Finding:
    m = rule.meta
    pairs = tuple(extra) + (((IDENTITY, identity),) if identity else ())
    return Finding(rule_id=m.id, rule_name=m.name, severity=severity or m.severity, layer=m.layer, path=path,
                   line=line, col=1 if line else 0, message=message, breakpoint=m.breakpoint, extra=pairs)
