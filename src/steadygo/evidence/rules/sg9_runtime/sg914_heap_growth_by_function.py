"""SG914 heap-growth-by-function: Between two heap profiles, live heap allocated from one function grew the most.

Doc: docs/rules/SG914.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEAP_GROWTH = EvidenceRule(RuleMeta(
    id="SG914",
    name="heap-growth-by-function",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="memory leak",
    summary="Between two heap profiles, live heap allocated from one function grew the most.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/profiles/leaky-t0.heap.pb.gz",
    "tests/fixtures/profiles/leaky-t1.heap.pb.gz",
    "tests/runtime/goprogs/leaky",
)


def finding(path: str, sample_type: str, func: str, amount_text: str) -> Finding:
    return evidence_finding(HEAP_GROWTH, path, 0, f"{sample_type} allocated in {func} grew by {amount_text} between the profiles",
                            identity=func, extra=(("function", func),))
