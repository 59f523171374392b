"""SG942 exposed-metric-without-help: An exposed metric family has no HELP line (promtool: no help text).

Doc: docs/rules/SG942.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

EXPOSED_WITHOUT_HELP = EvidenceRule(RuleMeta(
    id="SG942",
    name="exposed-metric-without-help",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="An on-call engineer reading a metric in the middle of an incident has no description of what it counts or in what unit.",
    summary="An exposed metric family has no HELP line (promtool: no help text).",
    # proves: an exposed family has no HELP, as the static rule predicts; matched by rule.
    proves=("SG511",),
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, mtype: str) -> Finding:
    msg = f"{mtype} {family!r} has no HELP line: say what it counts and in what unit"
    return evidence_finding(EXPOSED_WITHOUT_HELP, source, line, msg, identity=family)
