"""SG924 gc-long-stop-the-world: A stop-the-world phase of a GC cycle took longer than the threshold.

Doc: docs/rules/SG924.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GC_LONG_PAUSE = EvidenceRule(RuleMeta(
    id="SG924",
    name="gc-long-stop-the-world",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="latency",
    summary="A stop-the-world phase of a GC cycle took longer than the threshold.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/gcload",
)


def finding(source: str, line: int, gc: int, stw_ms: float, sweep_ms: float, mark_ms: float) -> Finding:
    """The worst pause of the trace (one finding per trace)."""
    msg = (f"gc {gc} stopped the world for {stw_ms:.2f} ms "
           f"(sweep termination {sweep_ms} ms + mark termination {mark_ms} ms)")
    return evidence_finding(GC_LONG_PAUSE, source, line, msg, identity="the trace")
