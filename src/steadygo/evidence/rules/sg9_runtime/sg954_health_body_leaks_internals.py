"""SG954 health-body-leaks-internals: A health answer shows stack traces, versions, environment values, connection strings or internal host names.

Doc: docs/rules/SG954.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HEALTH_BODY_LEAKS = EvidenceRule(RuleMeta(
    id="SG954",
    name="health-body-leaks-internals",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Health endpoints are reachable by whatever reaches the service: a body with versions, environment values or a connection string hands an attacker the exact exploit target and sometimes the password.",
    summary="A health answer shows stack traces, versions, environment values, connection strings or internal host names.",
    status="preview",
))

# Where this rule's evidence comes from in the tests: the fixture service
# whose health body leaks (tests/runtime/test_probe_live.py).
FIXTURES = (
    "tests/runtime/goprogs/livebroken",
)


def finding(url: str, kinds: list[str], examples: list[str], credential: bool, version_only: bool) -> Finding:
    """``examples`` are already masked; a credential in the body makes it an
    error, versions alone (many services show them on purpose) only info."""
    shown = "; ".join(repr(e) for e in examples)
    msg = f"health body shows {', '.join(kinds)}: {shown}"
    severity = Severity.ERROR if credential else (Severity.INFO if version_only else None)
    return evidence_finding(HEALTH_BODY_LEAKS, url, 0, msg, identity=",".join(kinds), severity=severity)
