"""SG909 data-race-reported: The race detector reported a data race in this output.

Doc: docs/rules/SG909.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

DATA_RACE = EvidenceRule(RuleMeta(
    id="SG909",
    name="data-race-reported",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="data race",
    summary="The race detector reported a data race in this output.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/crasher",
    "tests/runtime/test_runtime_bad_input.py",
)


def finding(source: str, line: int, accesses: list[str]) -> Finding:
    """accesses: the race report's first accesses, each already worded as
    "Write at main.f main.go:12"."""
    return evidence_finding(DATA_RACE, source, line, f"data race: {', '.join(accesses[:2])}")
