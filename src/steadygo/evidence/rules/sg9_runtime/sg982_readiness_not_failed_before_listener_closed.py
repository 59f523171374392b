"""SG982 readiness-not-failed-before-listener-closed: Readiness did not turn non-2xx while the listener was still accepting connections during shutdown.

Doc: docs/rules/SG982.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

READINESS_NOT_FAILED_BEFORE_CLOSE = EvidenceRule(RuleMeta(
    id="SG982",
    name="readiness-not-failed-before-listener-closed",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Load balancers keep routing new requests to a pod whose readiness still says yes until its listener is gone: those requests are refused on every deploy.",
    summary="Readiness did not turn non-2xx while the listener was still accepting connections during shutdown.",
    status="preview",
    proves=('SG605',),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
    "tests/runtime/test_shutdown_test_command.py",
)


def finding(target: str, ready_url: str, detail: str) -> Finding:
    msg = f"readiness {ready_url} did not fail before the listener closed: {detail}"
    return evidence_finding(READINESS_NOT_FAILED_BEFORE_CLOSE, target, 0, msg, identity="readiness " + ready_url)
