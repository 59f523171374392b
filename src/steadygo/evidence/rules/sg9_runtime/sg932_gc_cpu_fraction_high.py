"""SG932 gc-cpu-fraction-high: The GC has used a large share of the process's CPU since start.

Doc: docs/rules/SG932.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GC_CPU_HIGH = EvidenceRule(RuleMeta(
    id="SG932",
    name="gc-cpu-fraction-high",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="GC overhead",
    summary="The GC has used a large share of the process's CPU since start.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/gc/leaky-t1.vars.json",
)


def finding(source: str, fraction: float, num_gc: int) -> Finding:
    msg = f"GC has used {fraction:.1%} of the CPU since start ({num_gc:,} cycles)"
    return evidence_finding(GC_CPU_HIGH, source, 0, msg, identity="GCCPUFraction")
