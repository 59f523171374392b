"""SG983 drain-longer-than-grace-period: The service took longer than the grace period to exit after SIGTERM (Kubernetes would kill it with SIGKILL).

Doc: docs/rules/SG983.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

DRAIN_LONGER_THAN_GRACE_PERIOD = EvidenceRule(RuleMeta(
    id="SG983",
    name="drain-longer-than-grace-period",
    layer=Layer.RUNTIME,
    severity=Severity.ERROR,
    breakpoint="Kubernetes sends SIGKILL when terminationGracePeriodSeconds ends: a drain that takes longer is cut mid-request on every rollout.",
    summary="The service took longer than the grace period to exit after SIGTERM (Kubernetes would kill it with SIGKILL).",
    status="preview",
    proves=('SG602', 'SG820'),
))

# Where this rule's evidence comes from in the tests: the fixture services the
# tests build and run live, and the test that drives them.
FIXTURES = (
    "tests/runtime/goprogs/liveok",
    "tests/runtime/test_shutdown_test_command.py",
)


def finding(target: str, drain_seconds: float, grace_seconds: float, killed: bool) -> Finding:
    if killed:
        msg = (f"still running {grace_seconds:g} s after SIGTERM (the grace period): killed with SIGKILL, as "
               f"Kubernetes would")
    else:
        msg = (f"exited {drain_seconds:.2f} s after SIGTERM, longer than the {grace_seconds:g} s grace period: "
               f"Kubernetes would have killed it with SIGKILL")
    return evidence_finding(DRAIN_LONGER_THAN_GRACE_PERIOD, target, 0, msg, identity="drain")
