"""SG921 gc-thrash: GC runs back to back while the heap stays near its goal or the memory limit.

Doc: docs/rules/SG921.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GC_THRASH = EvidenceRule(RuleMeta(
    id="SG921",
    name="gc-thrash",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="memory limit / GC death spiral",
    summary="GC runs back to back while the heap stays near its goal or the memory limit.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/gcload",
)


def finding(source: str, line: int, cycles: int, first_gc: int, last_gc: int, every_ms: float, live_mb: int,
            ceiling: str, cpu_pct: int) -> Finding:
    """ceiling: what the live heap was pinned against ("512 MB memory limit"
    or "48 MB goal").  One thrash finding per trace: the trace is its identity."""
    msg = (f"GC thrash: {cycles} cycles (gc {first_gc}\u2013{last_gc}) every {every_ms:.1f} ms on average "
           f"while the live heap stayed at {live_mb} MB against a {ceiling}; GC CPU reached {cpu_pct}%")
    return evidence_finding(GC_THRASH, source, line, msg, identity="the trace")
