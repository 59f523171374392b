"""SG910 goroutine-dump-truncated: The dump was cut off (the runtime caps debug=2 at 64 MiB); counts are lower bounds.

Doc: docs/rules/SG910.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

DUMP_TRUNCATED = EvidenceRule(RuleMeta(
    id="SG910",
    name="goroutine-dump-truncated",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="observability gap",
    summary="The dump was cut off (the runtime caps debug=2 at 64 MiB); counts are lower bounds.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/test_runtime_bad_input.py",
)


def finding(source: str, note: str) -> Finding:
    return evidence_finding(DUMP_TRUNCATED, source, 0, note, identity="the dump")
