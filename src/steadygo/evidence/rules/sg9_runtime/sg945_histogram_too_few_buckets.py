"""SG945 histogram-too-few-buckets: A histogram has fewer finite buckets than the threshold.

Doc: docs/rules/SG945.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

HISTOGRAM_TOO_FEW_BUCKETS = EvidenceRule(RuleMeta(
    id="SG945",
    name="histogram-too-few-buckets",
    layer=Layer.RUNTIME,
    severity=Severity.INFO,
    breakpoint="With a handful of buckets histogram_quantile() interpolates across a wide range: a p99 read off it can be wrong by the width of a bucket, and alerts fire (or stay quiet) on an artefact.",
    summary="A histogram has fewer finite buckets than the threshold.",
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, bounds: list[float], minimum: int) -> Finding:
    shown = ", ".join(f"{b:g}" for b in bounds) or "none"
    msg = (f"histogram {family!r} has {len(bounds)} finite bucket(s) ({shown}), fewer than {minimum}: quantiles "
           "read off it are interpolated over wide ranges")
    return evidence_finding(HISTOGRAM_TOO_FEW_BUCKETS, source, line, msg, identity=family)
