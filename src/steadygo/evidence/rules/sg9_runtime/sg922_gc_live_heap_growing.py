"""SG922 gc-live-heap-growing: Live heap after each GC keeps rising across the trace.

Doc: docs/rules/SG922.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GC_HEAP_TREND = EvidenceRule(RuleMeta(
    id="SG922",
    name="gc-live-heap-growing",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="memory leak",
    summary="Live heap after each GC keeps rising across the trace.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/gc/leaky.gctrace.log",
)


def finding(source: str, line: int, first_mb: int, last_mb: int, span_s: float, slope_mb_per_min: float) -> Finding:
    msg = (f"live heap after GC rose from {first_mb} MB to {last_mb} MB over {span_s:.1f} s "
           f"({slope_mb_per_min:+.1f} MB/min) and never fell back")
    return evidence_finding(GC_HEAP_TREND, source, line, msg, identity="the trace")
