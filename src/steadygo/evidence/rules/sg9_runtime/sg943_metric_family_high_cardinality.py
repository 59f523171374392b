"""SG943 metric-family-high-cardinality: A metric family exposes more series than the threshold; the label with the most distinct values is named.

Doc: docs/rules/SG943.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

FAMILY_HIGH_CARDINALITY = EvidenceRule(RuleMeta(
    id="SG943",
    name="metric-family-high-cardinality",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="Every series costs Prometheus memory and every query touches it: one family with tens of thousands of series slows dashboards, blows the scrape sample limit and can take the monitoring down with the service.",
    summary="A metric family exposes more series than the threshold; the label with the most distinct values is named.",
    # proves: a family's series count is what an unbounded label (static SG515) produces; matched by rule.
    proves=("SG515",),
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, series: int, limit: int, top_label: str | None,
            top_values: int) -> Finding:
    top = f"; label {top_label!r} has the most distinct values ({top_values:,})" if top_label else ""
    msg = f"{family!r} exposes {series:,} series (threshold {limit:,}){top}"
    return evidence_finding(FAMILY_HIGH_CARDINALITY, source, line, msg, identity=family)
