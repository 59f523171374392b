"""SG981 requests-failed-during-shutdown: Requests sent to the service during a SIGTERM-triggered shutdown failed (refused, reset, 5xx or truncated).

Doc: docs/rules/SG981.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

REQUESTS_FAILED_DURING_SHUTDOWN = EvidenceRule(RuleMeta(
    id="SG981",
    name="requests-failed-during-shutdown",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="Every rolling deploy drops the requests a pod is serving or being sent when SIGTERM arrives: clients see resets, refused connections and 5xx.",
    summary="Requests sent to the service during a SIGTERM-triggered shutdown failed (refused, reset, 5xx or truncated).",
    status="preview",
    proves=('SG601',),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
    "tests/runtime/test_shutdown_test_command.py",
)


def finding(target: str, failed: int, total: int, kinds: str, in_flight: int) -> Finding:
    msg = (f"{failed} of {total} requests failed during shutdown ({kinds}); {in_flight} were in flight at SIGTERM")
    return evidence_finding(REQUESTS_FAILED_DURING_SHUTDOWN, target, 0, msg, identity="shutdown requests")
