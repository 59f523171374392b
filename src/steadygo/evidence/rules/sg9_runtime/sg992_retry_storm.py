"""SG992 retry-storm: A client reconnected more than N times in a row, each soon after a failed connection (a retry storm, retries without backoff).

Doc: docs/rules/SG992.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

RETRY_STORM = EvidenceRule(RuleMeta(
    id="SG992",
    name="retry-storm",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Clients that retry at once and again and again multiply the load on a dependency that is already failing, and keep it down.",
    summary="A client reconnected more than N times in a row, each soon after a failed connection (a retry storm, retries without backoff).",
    status="preview",
    proves=(),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/test_chaos_command.py",
)


def finding(target: str, source: str, retries: int, window: float, gaps: str) -> Finding:
    msg = (f"{source} retried {retries} times in a row, each within {window:g} s of a failed connection "
           f"(gaps {gaps}): a retry storm; retry a bounded number of times with growing, jittered backoff")
    return evidence_finding(RETRY_STORM, target, 0, msg, identity="retries " + source)
