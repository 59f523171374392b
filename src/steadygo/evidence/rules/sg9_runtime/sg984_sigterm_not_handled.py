"""SG984 sigterm-not-handled: The service died by the SIGTERM signal or exited with a non-zero code instead of shutting down gracefully.

Doc: docs/rules/SG984.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

SIGTERM_NOT_HANDLED = EvidenceRule(RuleMeta(
    id="SG984",
    name="sigterm-not-handled",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="A service that dies by SIGTERM (or exits non-zero on it) stops mid-request instead of draining, on every deploy and scale-down.",
    summary="The service died by the SIGTERM signal or exited with a non-zero code instead of shutting down gracefully.",
    status="preview",
    proves=('SG601',),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/test_shutdown_test_command.py",
)


def finding(target: str, how: str) -> Finding:
    return evidence_finding(SIGTERM_NOT_HANDLED, target, 0, f"SIGTERM was not handled gracefully: {how}",
                            identity="sigterm")
