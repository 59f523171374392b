"""SG944 metric-label-value-unbounded: A label's values look like ids, e-mails, IP addresses, paths with ids, or UUIDs: unbounded cardinality.

Doc: docs/rules/SG944.md.  Evidence: FIXTURES below."""

from __future__ import annotations

from steadygo.findings import Finding, Layer, Severity
from steadygo.evidence.rules.base import evidence_finding
from steadygo.rulemeta import EvidenceRule, RuleMeta

LABEL_VALUE_UNBOUNDED = EvidenceRule(RuleMeta(
    id="SG944",
    name="metric-label-value-unbounded",
    layer=Layer.RUNTIME,
    severity=Severity.WARNING,
    breakpoint="A label holding user ids, e-mails, IPs, raw paths or UUIDs gains a series for every new value: the series count grows with traffic until Prometheus runs out of memory.",
    summary="A label's values look like ids, e-mails, IP addresses, paths with ids, or UUIDs: unbounded cardinality.",
    # proves: label values that look like ids/UUIDs/paths are the unbounded, request-derived labels the static
    # rules predict; matched by rule.
    proves=("SG515", "SG516"),
    status="preview",
))

# Where this rule's evidence comes from in the tests: stored expositions, and
# the real Prometheus server's own /metrics (tests/runtime/test_metrics_promtool.py).
FIXTURES = (
    "tests/fixtures/metrics/broken.prom",
)


def finding(source: str, line: int, family: str, label: str, shape: str, distinct: int, example: str) -> Finding:
    msg = (f"{family!r} label {label!r} holds {shape} ({distinct:,} distinct values, e.g. {example!r}): every new "
           "value is a new series; drop the label or map it to a bounded set (route template, class, bucket)")
    return evidence_finding(LABEL_VALUE_UNBOUNDED, source, line, msg, identity=f"{family}/{label}")
