"""SG908 process-crashed: The dump starts with a panic or fatal error: the process died.

Doc: docs/rules/SG908.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

PROCESS_CRASHED = EvidenceRule(RuleMeta(
    id="SG908",
    name="process-crashed",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="crash",
    summary="The dump starts with a panic or fatal error: the process died.",
))

# Where this rule's evidence comes from in the tests: stored fixtures, and the Go
# programs (tests/runtime/goprogs) whose dumps, profiles and traces the tests take live.
FIXTURES = (
    "tests/runtime/goprogs/crasher",
    "tests/runtime/test_runtime_bad_input.py",
)


def finding(source: str, header: str) -> Finding:
    """The first panic or fatal-error line of the dump's header."""
    return evidence_finding(PROCESS_CRASHED, source, 1, f"the process crashed: {header.strip()}")
