"""SG941 exposed-metric-name-breaks-conventions: An exposed metric family fails a `promtool check metrics` naming lint (_total, base units, reserved suffixes, camelCase).

Doc: docs/rules/SG941.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

EXPOSED_NAME_CONVENTIONS = EvidenceRule(RuleMeta(
    id="SG941",
    name="exposed-metric-name-breaks-conventions",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Dashboards, alerts and recording rules written to the Prometheus conventions match nothing, or mis-scale by 1000x, when exposed names and units do not follow them.",
    summary="An exposed metric family fails a `promtool check metrics` naming lint (_total, base units, reserved suffixes, camelCase).",
    # proves: the exposition breaks the naming conventions the static metric-naming rule checks; matched by
    # rule (an exposition has no source line).
    proves=("SG510",),
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, mtype: str, problems: list[str]) -> Finding:
    msg = f"{mtype} {family!r}: " + "; ".join(problems)
    return evidence_finding(EXPOSED_NAME_CONVENTIONS, source, line, msg, identity=family)
