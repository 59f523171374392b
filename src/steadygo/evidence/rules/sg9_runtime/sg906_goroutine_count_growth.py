"""SG906 goroutine-count-growth: Between two dumps, goroutines from one creation site grew.

Doc: docs/rules/SG906.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

GOROUTINE_GROWTH = EvidenceRule(RuleMeta(
    id="SG906",
    name="goroutine-count-growth",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="goroutine leak",
    summary="Between two dumps, goroutines from one creation site grew.",
    # proves: goroutines of one creation site grew at the line a static goroutine-leak rule reports.
    proves=("SG203", "SG204", "SG205", "SG206", "SG214"),
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/fixtures/dumps/leaky-t0.debug2.txt",
    "tests/fixtures/dumps/leaky-t1.debug2.txt",
    "tests/runtime/goprogs/leaky",
)


def finding(source: str, line: int, site: str, before: int, after: int, fail_if_growth: int | None) -> Finding:
    """Growth of one creation site between two dumps; over --fail-if-growth
    it is an error, since the user asked the run to fail on it."""
    over = fail_if_growth is not None and after - before > fail_if_growth
    msg = (f"goroutines created by {site} grew by {after - before:,} ({before:,} \u2192 {after:,})"
           + (f", over the --fail-if-growth limit of {fail_if_growth:,}" if over else ""))
    return evidence_finding(GOROUTINE_GROWTH, source, line, msg, identity=site,
                            extra=(("before", str(before)), ("after", str(after))),
                            severity=Severity.ERROR if over else None)
