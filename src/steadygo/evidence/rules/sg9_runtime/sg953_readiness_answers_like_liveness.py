"""SG953 readiness-answers-like-liveness: The readiness path answers exactly what the liveness path answers.

Doc: docs/rules/SG953.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

READINESS_LIKE_LIVENESS = EvidenceRule(RuleMeta(
    id="SG953",
    name="readiness-answers-like-liveness",
    layer=Layer.RUNTIME,
    # Two terse "ok" answers are also what a correct service says while it is
    # ready: from outside that is a hint, so the default is info; an
    # identical detailed body is reported as a warning (see ``finding``).
    severity=Severity.INFO,
    breakpoint="A readiness check that is the liveness check says 'ready' while the database is down or the process is draining: the load balancer keeps sending traffic that fails.",
    summary="The readiness path answers exactly what the liveness path answers (same status, same body).",
    status="preview",
))

# Where this rule's evidence comes from in the tests: the fixture services
# (tests/runtime/test_probe_live.py).
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
    "tests/runtime/goprogs/liveok",
)


def finding(ready_url: str, live_path: str, status: int, body_bytes: int, detailed: bool) -> Finding:
    if detailed:
        msg = (f"readiness answers byte for byte what {live_path} answers (HTTP {status}, {body_bytes:,}-byte "
               "body with details): one handler seems to serve both, so readiness cannot report a dependency "
               "or a drain")
        return evidence_finding(READINESS_LIKE_LIVENESS, ready_url, 0, msg, identity=live_path,
                                severity=Severity.WARNING)
    msg = (f"readiness answers what {live_path} answers (HTTP {status}, terse body); fine if readiness turns "
           "non-2xx while a dependency is down or the process drains, which one probe cannot see")
    return evidence_finding(READINESS_LIKE_LIVENESS, ready_url, 0, msg, identity=live_path)
