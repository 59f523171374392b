"""SG952 health-endpoint-failing-or-slow: A health endpoint answers non-2xx, or slower than the probe timeout an orchestrator would use.

Doc: docs/rules/SG952.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEALTH_FAILING_OR_SLOW = EvidenceRule(RuleMeta(
    id="SG952",
    name="health-endpoint-failing-or-slow",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="A liveness probe that fails or takes longer than its timeout (1 s by default in Kubernetes) gets a healthy instance restarted; a failing readiness probe takes it out of the load balancer.",
    summary="A health endpoint answers non-2xx, or slower than the latency threshold (--health-latency).",
    status="preview",
))

# Where this rule's evidence comes from in the tests: small hostile servers
# on 127.0.0.1 (tests/runtime/test_probe_hostile.py).
FIXTURES = (
    "tests/runtime/test_probe_hostile.py",
)


def failing(url: str, status: int, location: str = "") -> Finding:
    where = f" redirecting to {location} (another host or scheme: not followed)" if location else ""
    msg = f"health endpoint answers HTTP {status}{where}; an orchestrator probing it sees a failing instance"
    return evidence_finding(HEALTH_FAILING_OR_SLOW, url, 0, msg, identity="status")


def slow(url: str, seconds: float, limit: float) -> Finding:
    msg = (f"health endpoint took {seconds:.2f} s to answer (threshold {limit:g} s, --health-latency); "
           "a probe with a 1 s timeout counts that as a failure")
    return evidence_finding(HEALTH_FAILING_OR_SLOW, url, 0, msg, identity="latency")


def hanging(url: str, waited: float) -> Finding:
    msg = (f"health endpoint gave no complete answer within {waited:g} s while other paths answered; "
           "a probe with a 1 s timeout counts that as a failure")
    return evidence_finding(HEALTH_FAILING_OR_SLOW, url, 0, msg, identity="latency")
