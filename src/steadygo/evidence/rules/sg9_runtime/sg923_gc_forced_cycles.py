"""SG923 gc-forced-cycles: The trace shows forced GC cycles (runtime.GC or debug.FreeOSMemory).

Doc: docs/rules/SG923.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GC_FORCED = EvidenceRule(RuleMeta(
    id="SG923",
    name="gc-forced-cycles",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="latency",
    summary="The trace shows forced GC cycles (runtime.GC or debug.FreeOSMemory).",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/gc/leaky.gctrace.log",
)


def finding(source: str, line: int, forced: int, cycles: int) -> Finding:
    msg = (f"{forced} of {cycles} GC cycles were forced (runtime.GC, debug.FreeOSMemory or the "
           f"goroutine leak detector)")
    return evidence_finding(GC_FORCED, source, line, msg, identity="the trace")
