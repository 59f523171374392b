"""SG946 histogram-no-bucket-near-slo: A latency histogram (_seconds) has no bucket bound near the --slo-latency threshold.

Doc: docs/rules/SG946.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HISTOGRAM_NO_BUCKET_NEAR_SLO = EvidenceRule(RuleMeta(
    id="SG946",
    name="histogram-no-bucket-near-slo",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="A latency SLO counts requests under a threshold; when no bucket bound sits at it, the good-request ratio is interpolated and the SLO burn alerts fire on the wrong traffic.",
    summary="A latency histogram (_seconds) has no bucket bound near the --slo-latency threshold.",
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, slo: float, nearest: float | None) -> Finding:
    near = f"the nearest bound is {nearest:g} s" if nearest is not None else "it has no finite bound"
    msg = (f"histogram {family!r} has no bucket bound near the {slo:g} s latency SLO ({near}): the SLO's good-request "
           f"count is interpolated; add a bucket at {slo:g}")
    return evidence_finding(HISTOGRAM_NO_BUCKET_NEAR_SLO, source, line, msg, identity=family)
