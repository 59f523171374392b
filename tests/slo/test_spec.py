"""Spec validation: every mistake is one line naming file, line and key."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from steadygo.errors import UserError
from steadygo.slo import spec

GOOD = """\
service: shop
slos:
  - name: avail
    objective: 99.9
    sli:
      errors:
        bad: http_requests_total{code=~"5.."}
        total: http_requests_total
  - name: lat
    objective: 99
    window: 28d
    sli:
      latency:
        bucket: http_request_duration_seconds_bucket{route="/order"}
        le: 0.35
        buckets: [0.1, 0.35, 1]
"""


def test_good_spec_loads_with_defaults():
    s = spec.loads(GOOD, "shop.yaml")
    assert s.service == "shop"
    avail, lat = s.slos
    assert avail.objective == Decimal("99.9") and avail.error_budget == Decimal("0.001")
    assert avail.window_s == 30 * 86400
    assert avail.alerts == {"fast": "L3", "medium": "L2", "slow": "L1", "slowest": "L1"}
    assert {t: v.severity for t, v in avail.tiers.items()} == {"L1": "warning", "L2": "error", "L3": "critical"}
    assert avail.sli.bad.text() == 'http_requests_total{code=~"5.."}' and avail.sli.good is None
    assert avail.line == 3 and lat.line == 9
    assert lat.window_s == 28 * 86400
    assert lat.sli.le == "0.35" and lat.sli.buckets == (0.1, 0.35, 1.0)


def test_examples_and_overrides_load():
    s = spec.load("examples/slo/order-service.yaml")
    avail, lat = s.slos
    assert avail.tiers["L3"].remediation == "kubectl scale deployment order-api --replicas=8"
    assert avail.labels == {"team": "orders"}
    assert lat.alerts == {"fast": "L2", "medium": "L2", "slow": "L1", "slowest": "L1"}


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


BAD = [
    # (spec text, exact error)
    ("service: shop\nslos: [\n", "shop.yaml:3: invalid YAML: expected the node content, but found '<stream end>'"),
    ("service: [shop\n", "shop.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("", "shop.yaml:1: the spec is empty"),
    ("- 1\n", "shop.yaml:1: expected a mapping, got a list"),
    (replace("service: shop\n", "service: shop\nservise: shop\n"),
     "shop.yaml:2: servise: unknown key (expected one of: version, service, labels, runbook_url, tiers, slos)"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    objectve: 99\n"),
     "shop.yaml:5: slos[0].objectve: unknown key (expected one of: name, description, objective, window, sli, labels, runbook_url, tiers, alerts, group_by)"),
    (replace("service: shop\n", "service: shop\nservice: cart\n"), "shop.yaml:2: duplicate key 'service'"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    group_by: [slo_tier]\n"),
     "shop.yaml:5: slos[0].group_by[0]: is set by steadygo; it cannot also come from the series"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    group_by: [cluster, cluster]\n"),
     "shop.yaml:5: slos[0].group_by[1]: 'cluster' is listed twice"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    group_by: []\n"),
     "shop.yaml:5: slos[0].group_by: expected a non-empty list of label names, got a list"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    labels: {cluster: eu}\n    group_by: [cluster]\n"),
     "shop.yaml:6: slos[0].group_by[0]: is also a static label of this SLO: the static value would overwrite every series' own"),
    (replace("objective: 99.9", "objective: 100.5"), "shop.yaml:4: slos[0].objective: 100.5 is outside (0, 100)"),
    (replace("objective: 99.9", "objective: 100"), "shop.yaml:4: slos[0].objective: 100 is outside (0, 100)"),
    (replace("objective: 99.9", "objective: 0"), "shop.yaml:4: slos[0].objective: 0 is outside (0, 100)"),
    (replace("objective: 99.9", "objective: -5"), "shop.yaml:4: slos[0].objective: -5 is outside (0, 100)"),
    (replace("objective: 99.9", "objective: .nan"), "shop.yaml:4: slos[0].objective: nan is outside (0, 100)"),
    (replace("objective: 99.9", "objective: high"), "shop.yaml:4: slos[0].objective: 'high' is not a number"),
    (replace("objective: 99.9", "objective: true"), "shop.yaml:4: slos[0].objective: expected a percentage like 99.9, got a boolean"),
    (replace("    objective: 99.9\n", ""), "shop.yaml:3: slos[0]: missing required key 'objective'"),
    (replace("window: 28d", "window: 30x"), "shop.yaml:11: slos[1].window: '30x' is not a whole number of days or weeks (e.g. 30d, 28d, 4w)"),
    (replace("window: 28d", "window: 36h"), "shop.yaml:11: slos[1].window: '36h' is not a whole number of days or weeks (e.g. 30d, 28d, 4w)"),
    (replace("window: 28d", "window: 2d"),
     "shop.yaml:11: slos[1].window: 2d must be between 7d and 90d: alert windows scale with it (here 20s to 4h48m) and must stay above a few scrapes and within retention"),
    (replace("window: 28d", "window: 26w"),
     "shop.yaml:11: slos[1].window: 26w must be between 7d and 90d: alert windows scale with it (here 30m20s to 18d4h48m) and must stay above a few scrapes and within retention"),
    (replace("window: 28d", "window: 30"), "shop.yaml:11: slos[1].window: expected a duration like 30d or 4w, got the number 30"),
    (replace('bad: http_requests_total{code=~"5.."}', "bad:"), "shop.yaml:7: slos[0].sli.errors.bad: empty selector"),
    (replace('bad: http_requests_total{code=~"5.."}', 'bad: ""'), "shop.yaml:7: slos[0].sli.errors.bad: empty selector"),
    (replace('bad: http_requests_total{code=~"5.."}', "bad: '{}'"), "shop.yaml:7: slos[0].sli.errors.bad: no metric name and no matchers: '{}'"),
    (replace('bad: http_requests_total{code=~"5.."}', "bad: sum(rate(http_requests_total[5m]))"),
     "shop.yaml:7: slos[0].sli.errors.bad: unexpected '(rate(http_requests_': give a series selector like metric{label=\"value\"}, not an expression: 'sum(rate(http_requests_total[5m]))'"),
    (replace('bad: http_requests_total{code=~"5.."}', 'bad: http_requests_total{code="5xx"'),
     "shop.yaml:7: slos[0].sli.errors.bad: unclosed '{' or missing ',' between matchers: 'http_requests_total{code=\"5xx\"'"),
    (replace('bad: http_requests_total{code=~"5.."}', "bad: http_requests_total{code=5}"),
     "shop.yaml:7: slos[0].sli.errors.bad: expected a quoted value for 'code': 'http_requests_total{code=5}'"),
    (replace("        total: http_requests_total\n", ""), "shop.yaml:6: slos[0].sli.errors: missing required key 'total'"),
    (replace("        total: http_requests_total\n", "        good: a\n        total: http_requests_total\n"),
     "shop.yaml:6: slos[0].sli.errors: give exactly one of 'bad' or 'good' next to 'total'"),
    (replace("      errors:\n", "      latency: {}\n      errors:\n"),
     "shop.yaml:5: slos[0].sli: give exactly one of 'errors' (bad/total or good/total) or 'latency'"),
    (replace("le: 0.35", "le: 0.3"),
     "shop.yaml:15: slos[1].sli.latency.le: 0.3 is not a bucket boundary (sli.latency.buckets: 0.1, 0.35, 1); no series would match and the alerts could never fire"),
    (replace("        buckets: [0.1, 0.35, 1]\n", ""),
     "shop.yaml:15: slos[1].sli.latency.le: 0.35 is not a bucket boundary (client_golang's default buckets; list the histogram's own under sli.latency.buckets: "
     "0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10); no series would match and the alerts could never fire"),
    (replace("le: 0.35", "le: -1"), "shop.yaml:15: slos[1].sli.latency.le: -1 must be a finite positive bucket bound"),
    (replace("buckets: [0.1, 0.35, 1]", "buckets: [0.35, 0.1, 1]"), "shop.yaml:16: slos[1].sli.latency.buckets: bucket bounds must be strictly increasing"),
    (replace('http_request_duration_seconds_bucket{route="/order"}', 'http_request_duration_seconds_bucket{le="0.35"}'),
     "shop.yaml:14: slos[1].sli.latency.bucket: must not match on 'le': steadygo adds le from sli.latency.le and le=\"+Inf\" for the total"),
    (replace('http_request_duration_seconds_bucket{route="/order"}', "http_request_duration_seconds_count"),
     "shop.yaml:14: slos[1].sli.latency.bucket: 'http_request_duration_seconds_count' is not a histogram bucket series (name should end in _bucket)"),
    (replace("  - name: lat\n", "  - name: avail\n"), "shop.yaml:9: slos[1].name: duplicate SLO name 'avail' (first used at line 3)"),
    (replace("  - name: lat\n", "  - name: Latency P99\n"),
     "shop.yaml:9: slos[1].name: 'Latency P99' must be lowercase letters, digits, '-' or '_' (it becomes a label value and a group name)"),
    (replace("slos:\n", "labels: {slo: x}\nslos:\n"), "shop.yaml:2: labels.slo: is set by steadygo; choose another label name"),
    (replace("slos:\n", "labels: {slo_tier: L3}\nslos:\n"), "shop.yaml:2: labels.slo_tier: is set by steadygo; choose another label name"),
    (replace("slos:\n", "tiers:\n  L1: {labels: {slo_tier: x}}\nslos:\n"),
     "shop.yaml:3: tiers.L1.labels.slo_tier: is set by steadygo; choose another label name"),
    (replace("slos:\n", "labels: {team: 7}\nslos:\n"), "shop.yaml:2: labels.team: label value must be a string (quote it), got the number 7"),
    (replace("slos:\n", "tiers:\n  L1: {remediation: restart}\nslos:\n"),
     "shop.yaml:3: tiers.L1.remediation: only L3 may carry a remediation hook: automated actions belong to the tier that already calls a human"),
    (replace("slos:\n", "tiers:\n  L4: {severity: info}\nslos:\n"), "shop.yaml:3: tiers.L4: unknown key (expected one of: L1, L2, L3)"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    alerts: {fast: L5}\n"),
     "shop.yaml:5: slos[0].alerts.fast: 'L5' is not a tier (expected L1, L2, L3 or off)"),
    (replace("    objective: 99.9\n", "    objective: 99.9\n    alerts: {quick: L3}\n"),
     "shop.yaml:5: slos[0].alerts.quick: unknown key (expected one of: fast, medium, slow, slowest)"),
    ("service: shop\nslos: []\n", "shop.yaml:2: slos: expected a non-empty list of SLOs"),
    ("version: 2\nservice: shop\nslos: []\n", "shop.yaml:1: version: unsupported version 2 (expected 1)"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m.split(": ", 1)[1][:50] for _, m in BAD])
def test_bad_spec_is_one_line_error(text, message):
    with pytest.raises(UserError) as exc:
        spec.loads(text, "shop.yaml")
    assert str(exc.value) == message
    assert "\n" not in str(exc.value)
    assert exc.value.exit_code == 2


def test_alerts_can_be_turned_off_with_bare_off():
    # YAML 1.1 reads a bare `off` as False; both spellings disable the rung.
    s = spec.loads(replace("    objective: 99.9\n", "    objective: 99.9\n    alerts: {slow: off, slowest: 'off', fast: L2}\n"), "x")
    assert s.slos[0].alerts == {"fast": "L2", "medium": "L2", "slow": None, "slowest": None}


def test_tier_is_an_ordinary_user_label_and_group_by_label():
    # steadygo's own tier label is slo_tier; `tier` belongs to the user.
    s = spec.loads(replace("slos:\n", "labels: {tier: '2'}\nslos:\n"), "x")
    assert all(slo.labels == {"tier": "2"} for slo in s.slos)
    grouped = spec.loads(replace("    objective: 99.9\n", "    objective: 99.9\n    group_by: [tier]\n"), "x")
    assert grouped.slos[0].group_by == ("tier",)


def test_slo_tiers_override_service_tiers_key_by_key():
    text = replace("slos:\n", "tiers:\n  L3: {severity: page, labels: {notify: phone}}\nslos:\n")
    text = text.replace("    objective: 99.9\n", "    objective: 99.9\n    tiers:\n      L3: {remediation: scale-up}\n", 1)
    t = spec.loads(text, "x").slos[0].tiers["L3"]
    assert t == spec.TierSettings(severity="page", labels={"notify": "phone"}, remediation="scale-up")


@pytest.mark.parametrize("value,text", [(0.35, "0.35"), (1.0, "1"), (2.5, "2.5"), (10.0, "10"), (0.005, "0.005"),
                                        (1e-05, "1e-05"), (1e6, "1e+06"), (123456.0, "123456"), (float("inf"), "+Inf")])
def test_le_is_formatted_like_client_golang_text_exposition(value, text):
    assert spec.go_float(value) == text


def test_string_le_is_used_verbatim_for_openmetrics_exporters():
    s = spec.loads(replace("le: 0.35", 'le: "1.0"'), "x")
    assert s.slos[1].sli.le == "1.0"


def test_file_errors(tmp_path):
    with pytest.raises(UserError, match=r"^nope\.yaml: no such file$"):
        spec.load("nope.yaml")
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(UserError, match="cannot read"):
        spec.load(str(p))
    p.write_text(textwrap.dedent(GOOD))
    assert spec.load(str(p)).service == "shop"
