"""SG951 no-health-endpoint-answers: None of the health paths tried on the probed service answers.

Doc: docs/rules/SG951.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

NO_HEALTH_ENDPOINT = EvidenceRule(RuleMeta(
    id="SG951",
    name="no-health-endpoint-answers",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Without a health endpoint the orchestrator cannot tell a hung instance from a working one: traffic keeps going to it and nothing restarts it.",
    summary="None of the health paths tried on the probed service answers (404, or only a catch-all page).",
    status="preview",
    proves=("SG611",),
))

# Where this rule's evidence comes from in the tests: a server with no health
# path, and Debian's node exporter, whose landing page answers every path.
FIXTURES = (
    "tests/runtime/test_probe_hostile.py",
    "tests/runtime/test_probe_real.py",
)


def finding(base: str, tried: list[tuple[str, str]]) -> Finding:
    """``tried``: each path with what it answered ("404", "200 (as any path)")."""
    answers = ", ".join(f"{path} {status}" for path, status in tried)
    msg = (f"no health endpoint answers ({answers}); give the orchestrator a liveness and a readiness path "
           "(or name yours with --health-path)")
    return evidence_finding(NO_HEALTH_ENDPOINT, base, 0, msg, identity="health")
