"""SG991 outbound-call-hung-past-bound: A connection through the chaos proxy waited for an answer longer than the bound without the client giving up (the client has no timeout).

Doc: docs/rules/SG991.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

OUTBOUND_CALL_HUNG = EvidenceRule(RuleMeta(
    id="SG991",
    name="outbound-call-hung-past-bound",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="An outbound call without a timeout waits for a slow or dead dependency for ever: goroutines, connections and request slots pile up until the service stops answering.",
    summary="A connection through the chaos proxy waited for an answer longer than the bound without the client giving up (the client has no timeout).",
    status="preview",
    proves=('SG105', 'SG107'),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
    "tests/runtime/test_chaos_command.py",
)


def finding(target: str, source: str, hung: int, longest: float, bound: float) -> Finding:
    msg = (f"{hung} call(s) from {source} waited past the {bound:g} s bound without giving up (longest {longest:.1f} s): "
           f"the client has no timeout shorter than the bound")
    return evidence_finding(OUTBOUND_CALL_HUNG, target, 0, msg, identity="hung " + source)
