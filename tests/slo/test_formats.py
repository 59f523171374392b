"""sloth and OpenSLO specs map into steadygo's model, and bad ones fail
the way sloth's validation does: one line naming file and line, exit 2."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal

import pytest
import yaml

from steadygo.errors import UserError
from steadygo.slo import rules, sources
from steadygo.slo.spec import QuerySLI

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "formats")


def fixture(name: str) -> str:
    return os.path.join(FIX, name)


def by_name(specs):
    return {(s.service, slo.name): slo for s in specs for slo in s.slos}


def test_sloth_file_maps_alerting_onto_tiers():
    slos = by_name(sources.load_all([fixture("sloth-events.yaml")]))
    avail = slos[("checkout", "requests-availability")]
    assert avail.objective == Decimal("99.9") and avail.window_s == 30 * 86400
    assert avail.sli == QuerySLI(
        "events",
        error_query='sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
        total_query='sum(rate(http_requests_total{job="checkout"}[{{.window}}]))',
    )
    assert avail.alert_name == "CheckoutHighErrorRate"
    assert avail.alerts == {"fast": "L3", "medium": "L2", "slow": "L1", "slowest": "L1"}
    # page_alert -> L3 and L2, ticket_alert -> L1; severity becomes the tier's severity.
    assert avail.tiers["L3"].severity == avail.tiers["L2"].severity == "page"
    assert avail.tiers["L1"].severity == "ticket"
    assert avail.tiers["L3"].labels == {"category": "availability", "routing_key": "payments-oncall"}
    assert avail.tiers["L1"].labels == {"category": "availability", "channel": "payments-alerts"}
    assert avail.labels == {"team": "payments"}
    assert avail.annotations == {"summary": "Checkout is failing requests"}
    latency = slos[("checkout", "requests-latency")]
    assert latency.sli.kind == "raw" and "{{ .window }}" in latency.sli.error_ratio_query
    assert latency.alerts == {"fast": "L3", "medium": "L2", "slow": None, "slowest": None}


def test_sloth_annotations_override_ours_and_window_is_filled():
    groups = rules.rule_groups(sources.load_all([fixture("sloth-events.yaml")]))["groups"]
    g = groups[0]["rules"]
    rec = next(r for r in g if r.get("record") == "slo:sli_error:ratio_rate1h")
    assert rec["expr"] == (
        '(sum(rate(http_requests_total{job="checkout",code=~"5.."}[1h])))\n/\n'
        '(sum(rate(http_requests_total{job="checkout"}[1h])))'
    )
    alerts = [r for r in g if "alert" in r]
    assert {a["alert"] for a in alerts} == {"CheckoutHighErrorRateL3", "CheckoutHighErrorRateL2", "CheckoutHighErrorRateL1"}
    assert all(a["annotations"]["summary"] == "Checkout is failing requests" for a in alerts)
    assert "whole budget lasts" in alerts[0]["annotations"]["description"]  # ours kept where sloth's says nothing
    # A ratio-only SLI (error_ratio_query) cannot be split into event rates: its
    # 3d window averages the recorded 6h ratios.
    raw = next(r for r in groups[1]["rules"] if r.get("record") == "slo:sli_error:ratio_rate3d")
    assert raw["expr"] == 'avg_over_time(slo:sli_error:ratio_rate6h{service="checkout",slo="requests-latency"}[3d])'
    six = next(r for r in groups[1]["rules"] if r.get("record") == "slo:sli_error:ratio_rate6h")
    assert "[6h]" in six["expr"] and "{{" not in six["expr"]


def test_sloth_crd_in_kubernetes_yaml_skips_other_objects():
    specs = sources.load_all([fixture("sloth-k8s.yaml")])
    assert [(s.service, [x.name for x in s.slos]) for s in specs] == [("search", ["query-errors"]), ("indexer", ["index-freshness"])]
    search = specs[0].slos[0]
    assert search.sli.error_query.startswith('sum(rate(search_queries_total{status="error"}')
    assert search.tiers["L3"].severity == "critical" and search.tiers["L1"].severity == "warning"
    assert search.labels == {"team": "discovery"}
    assert all(t is None for t in specs[1].slos[0].alerts.values())


def test_sloth_multi_document_file_is_one_spec_per_document():
    # sloth reads each document of a prometheus/v1 file as its own spec.
    specs = sources.load_all([fixture("sloth-multifile.yaml")])
    assert [(s.service, [x.name for x in s.slos]) for s in specs] == [
        ("billing", ["invoices-availability"]), ("ledger", ["writes-availability"])]
    assert specs[0].labels == {"team": "finance"}
    assert specs[1].slos[0].sli.kind == "raw" and specs[1].slos[0].objective == Decimal("99.95")
    assert specs[1].slos[0].alerts == {"fast": "L3", "medium": "L2", "slow": None, "slowest": None}


def test_openslo_v1alpha_good_total_and_days():
    (s,) = sources.load_all([fixture("openslo-v1alpha.yaml")])
    (slo,) = s.slos
    assert (s.service, slo.name, slo.objective, slo.window_s) == ("cart", "cart-availability", Decimal("99.5"), 28 * 86400)
    assert slo.sli.error_ratio_query == (
        '1 - ((sum(rate(http_requests_total{job="cart",code!~"5.."}[{{.window}}]))) / '
        '(sum(rate(http_requests_total{job="cart"}[{{.window}}]))))'
    )


def test_openslo_v1_indicator_ref_inline_and_several_objectives():
    slos = by_name(sources.load_all([fixture("openslo-v1.yaml")]))
    assert sorted(slos) == [("auth", "login-availability"), ("auth", "token-availability-0"), ("auth", "token-availability-1")]
    login = slos[("auth", "login-availability")]
    assert login.sli.kind == "events" and login.sli.error_query.startswith('sum(rate(login_attempts_total{result="error"}')
    assert login.window_s == 30 * 86400 and login.objective == Decimal("99.9")
    assert slos[("auth", "token-availability-1")].window_s == 28 * 86400
    assert [slos[("auth", f"token-availability-{i}")].objective for i in (0, 1)] == [Decimal("99"), Decimal("99.9")]


@pytest.mark.parametrize("name", sorted(os.listdir(FIX)))
def test_every_fixture_passes_promtool(run_cli, promtool, name):
    code, out, err = run_cli("slo", "check", fixture(name))
    assert code == 0, err
    assert "pass promtool check rules" in out


SLOTH = """\
version: prometheus/v1
service: svc
slos:
  - name: avail
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
    alerting:
      name: Avail
"""

OPENSLO_V1 = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: avail
spec:
  service: svc
  indicator:
    spec:
      ratioMetric:
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(e[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(t[{{.window}}]))
  timeWindow:
    - duration: 30d
  objectives:
    - target: 0.999
"""

OPENSLO_V1ALPHA = open(fixture("openslo-v1alpha.yaml"), encoding="utf-8").read()
SLOTH_K8S = open(fixture("sloth-k8s.yaml"), encoding="utf-8").read()

BAD = [
    ("sloth-objective-high", SLOTH, "objective: 99.9", "objective: 100.5", "x.yaml:5: slos[0].objective: 100.5 is outside (0, 100]"),
    ("sloth-objective-zero", SLOTH, "objective: 99.9", "objective: 0", "x.yaml:5: slos[0].objective: 0 is outside (0, 100]"),
    ("sloth-no-window-var", SLOTH, "t[{{.window}}]", "t[5m]", "x.yaml:9: slos[0].sli.events.total_query: the query must contain {{.window}}"),
    ("sloth-missing-query", SLOTH, "        total_query: sum(rate(t[{{.window}}]))\n", "",
     "x.yaml:7: slos[0].sli.events: missing required key 'total_query'"),
    ("sloth-same-queries", SLOTH, "t[{{.window}}]", "e[{{.window}}]", "x.yaml:7: slos[0].sli.events: the error and total queries must not be the same"),
    ("sloth-no-alert-name", SLOTH, "      name: Avail\n", "      labels: {a: b}\n",
     "x.yaml:10: slos[0].alerting: missing required key 'name'"),
    ("sloth-bad-name", SLOTH, "name: avail", "name: -avail", "x.yaml:4: slos[0].name: SLO name '-avail' must start and end"),
    ("sloth-plugin", SLOTH, "      events:\n", "      plugin: {id: x}\n      events:\n",
     "x.yaml:7: slos[0].sli.plugin: sloth SLI plugins are not supported"),
    ("sloth-version", SLOTH, "prometheus/v1", "prometheus/v2", "x.yaml:1: version: unsupported version 'prometheus/v2'"),
    ("sloth-unknown-key", SLOTH, "    objective", "    objectiv: 1\n    objective", "x.yaml:5: slos[0].objectiv: unknown key"),
    ("sloth-reserved-label", SLOTH, "service: svc\n", "service: svc\nlabels: {slo_tier: '2'}\n",
     "x.yaml:3: labels.slo_tier: is set by steadygo; choose another label name"),
    ("sloth-reserved-alert-label", SLOTH, "      name: Avail\n", "      name: Avail\n      page_alert: {labels: {slo_tier: L3}}\n",
     "x.yaml:12: slos[0].alerting.page_alert.labels.slo_tier: is set by steadygo; choose another label name"),
    ("multi-doc-steadygo", SLOTH + "---\n" + SLOTH, "---\nversion: prometheus/v1", "---\nversion: 1",
     "x.yaml:13: a file with several documents holds sloth prometheus/v1 specs, Kubernetes or OpenSLO objects only"),
    ("multi-doc-duplicate", SLOTH + "---\n" + SLOTH, "", "",
     "x.yaml:16: slos[0].name: duplicate SLO name 'avail' in service 'svc' (first defined at x.yaml:4)"),
    ("k8s-no-slo", SLOTH_K8S.split("---")[0], "replicas: 2", "replicas: 3", "x.yaml: no SLO found"),
    ("crd-objective", SLOTH_K8S, "objective: 99.5", "objective: 101", "x.yaml:20: spec.slos[0].objective: 101 is outside (0, 100]"),
    ("crd-snake-case", SLOTH_K8S, "errorQuery", "error_query", "x.yaml:23: spec.slos[0].sli.events.error_query: unknown key"),
    ("v1alpha-unit", OPENSLO_V1ALPHA, "unit: Day", "unit: Month", "x.yaml:23: spec.timeWindows[0].unit: unknown window unit 'Month'"),
    ("v1alpha-target", OPENSLO_V1ALPHA, "target: 0.995", "target: 1.5", "x.yaml:20: spec.objectives[0].target: 1.5 is outside (0, 1]"),
    ("v1alpha-source", OPENSLO_V1ALPHA, "source: prometheus\n          queryType: promql\n          query: sum(rate(http_requests_total{job=\"cart\"}",
     "source: datadog\n          queryType: promql\n          query: sum(rate(http_requests_total{job=\"cart\"}",
     "x.yaml:17: spec.objectives[0].ratioMetrics.total.source: source 'datadog' is not supported"),
    ("v1-unit", OPENSLO_V1, "duration: 30d", "duration: 1M", "x.yaml:21: spec.timeWindow[0].duration: unknown window unit in '1M'"),
    ("v1-window-range", OPENSLO_V1, "duration: 30d", "duration: 1d", "x.yaml:21: spec.timeWindow[0].duration: 1d must be between 7d and 90d"),
    ("v1-missing-query", OPENSLO_V1, "              query: sum(rate(t[{{.window}}]))\n", "              q: 1\n",
     "x.yaml:18: spec.indicator.spec.ratioMetric.total.metricSource.spec: missing required key 'query'"),
    ("v1-version", OPENSLO_V1, "openslo/v1", "openslo/v2", "x.yaml:1: apiVersion: unsupported OpenSLO version 'openslo/v2'"),
    ("v1-timeslices", OPENSLO_V1, "  timeWindow:", "  budgetingMethod: Timeslices\n  timeWindow:",
     "x.yaml:20: spec.budgetingMethod: budgeting method 'Timeslices' is not supported"),
]


@pytest.mark.parametrize("text, old, new, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_spec_is_one_line_naming_file_and_line(text, old, new, message):
    assert old in text, "the test's replacement must apply"
    with pytest.raises(UserError) as exc:
        sources.loads(text.replace(old, new, 1), "x.yaml")
    assert str(exc.value).startswith(message), str(exc.value)
    assert "\n" not in str(exc.value)


def test_objective_100_is_accepted_like_sloth():
    (s,) = sources.loads(SLOTH.replace("objective: 99.9", "objective: 100"), "x.yaml")
    assert s.slos[0].error_budget == 0


def test_v1_indicator_ref_must_exist_in_the_file():
    start, end = OPENSLO_V1.index("  indicator:\n"), OPENSLO_V1.index("  timeWindow:")
    text = OPENSLO_V1[:start] + "  indicatorRef: nope\n" + OPENSLO_V1[end:]
    with pytest.raises(UserError, match=r"^x\.yaml:7: spec\.indicatorRef: no SLI object named 'nope'"):
        sources.loads(text, "x.yaml")


def test_sloth_user_tier_label_rides_beside_slo_tier(run_cli, promtool, tmp_path):
    # The shape of sloth's getting-started spec: `tier: "2"` among the
    # service labels.  It is the user's label; steadygo's own is slo_tier.
    out = tmp_path / "rules.yml"
    code, _, err = run_cli("slo", "generate", fixture("sloth-tier-label.yaml"), "-o", str(out))
    assert code == 0, err
    assert "promtool not found" not in err
    proc = subprocess.run([promtool, "check", "rules", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    alerts = [r for g in yaml.safe_load(out.read_text())["groups"] for r in g["rules"] if "alert" in r]
    assert [(a["alert"], a["labels"]["slo_tier"], a["labels"]["tier"], a["labels"]["severity"]) for a in alerts] == [
        ("InventoryHighErrorRateL3", "L3", "2", "pageteam"),
        ("InventoryHighErrorRateL2", "L2", "2", "pageteam"),
        ("InventoryHighErrorRateL1", "L1", "2", "slack"),
        ("InventoryHighErrorRateL1", "L1", "2", "slack"),
    ]
    assert all(a["labels"]["owner"] == "stock-team" and a["labels"]["repo"] == "acme/inventory" for a in alerts)


def test_sloth_user_slo_tier_label_is_refused_on_one_line(run_cli, tmp_path):
    spec_file = tmp_path / "x.yaml"
    spec_file.write_text(SLOTH.replace("service: svc\n", "service: svc\nlabels: {slo_tier: L3}\n"))
    out = tmp_path / "rules.yml"
    code, stdout, err = run_cli("slo", "generate", str(spec_file), "-o", str(out))
    assert code == 2
    assert err.strip().endswith(f"{spec_file}:3: labels.slo_tier: is set by steadygo; choose another label name")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and stdout == ""


def test_duplicate_slo_across_files_exits_2_and_writes_nothing(run_cli, tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(SLOTH)
    # Same service and SLO name, another format: still one rule group name.
    b.write_text(OPENSLO_V1)
    out = tmp_path / "rules.yml"
    code, stdout, err = run_cli("slo", "generate", str(a), str(b), "-o", str(out))
    assert code == 2
    assert err.strip().endswith(f"{b}:23: spec.objectives[0]: duplicate SLO name 'avail' in service 'svc' (first defined at {a}:4)")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() and stdout == ""


def test_two_files_generate_one_rule_file(run_cli, tmp_path):
    out = tmp_path / "rules.yml"
    code, _, err = run_cli("slo", "generate", fixture("sloth-k8s.yaml"), fixture("openslo-v1.yaml"), "-o", str(out), "--no-promtool")
    assert code == 0, err
    text = out.read_text()
    for group in ("slo:search:query-errors", "slo:indexer:index-freshness", "slo:auth:login-availability"):
        assert f"- name: {group}\n" in text
