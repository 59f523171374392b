"""The generated rule groups: names, expressions, labels, and promtool's verdict."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from steadygo.errors import UserError
from steadygo.slo import ladder, promtool as promtool_mod, rules, spec
from steadygo.slo.starter import STARTER

EXAMPLE = "examples/slo/order-service.yaml"


def group_rules(text: str, index: int = 0) -> list[dict]:
    return yaml.safe_load(text)["groups"][index]["rules"]


def mini(window: str = "30d", sli: str = "errors:\n        bad: req_total{code=~\"5..\"}\n        total: req_total", extra: str = "") -> spec.Spec:
    return spec.loads(
        f"service: shop\nslos:\n  - name: s\n    objective: 99.5\n    window: {window}\n{extra}    sli:\n      {sli}\n", "mini.yaml"
    )


@pytest.mark.parametrize(
    "window,names",
    [
        ("30d", ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]),
        ("28d", ["4m40s", "28m", "56m", "1h52m", "5h36m", "22h24m", "2d19h12m"]),
        ("7d", ["1m10s", "7m", "14m", "28m", "1h24m", "5h36m", "16h48m"]),
        ("4w", ["4m40s", "28m", "56m", "1h52m", "5h36m", "22h24m", "2d19h12m"]),
        ("90d", ["15m", "1h30m", "3h", "6h", "18h", "3d", "9d"]),
    ],
)
def test_recording_windows_scale_with_the_slo_window(window, names):
    recs = [r["record"] for r in group_rules(rules.render(mini(window), "m")) if "record" in r]
    ratio = [f"slo:sli_error:ratio_rate{n}" for n in names]
    # The ticket rungs' short windows (names[3], names[4]) record their event
    # rates first; their long windows (names[5], names[6]) are summed from them.
    events = [[f"slo:sli_events:rate{n}", f"slo:sli_error:ratio_rate{n}"] for n in names[3:5]]
    assert recs == ratio[:3] + events[0] + events[1] + ratio[5:] + ["slo:objective:ratio", "slo:error_budget:ratio"]


def test_ticket_long_windows_are_summed_from_recorded_short_window_rates():
    by_name = {r["record"]: r["expr"] for r in group_rules(rules.render(mini(), "m")) if "record" in r}
    assert by_name["slo:sli_error:ratio_rate3d"] == (
        'sum_over_time(slo:sli_events:rate6h{service="shop",slo="s",events="bad"}[3d])\n/ ignoring(events)\n'
        'sum_over_time(slo:sli_events:rate6h{service="shop",slo="s",events="all"}[3d])')
    # Bad and all events come from one query (one instant), as two series of one recording.
    assert by_name["slo:sli_events:rate2h"] == (
        'label_replace((sum(rate(req_total{code=~"5.."}[2h])) or vector(0)), "events", "bad", "", "")\nor\n'
        'label_replace(sum(rate(req_total[2h])), "events", "all", "", "")')
    # No raw rate over a day or more of the SLI's own series anywhere.
    assert not any("[1d]))" in e or "[3d]))" in e for e in by_name.values())
    # The page rungs keep raw long windows: paging is not delayed.
    assert by_name["slo:sli_error:ratio_rate1h"].startswith('(sum(rate(req_total{code=~"5.."}[1h]))')
    good = mini(sli='errors:\n        good: req_total{code!~"5.."}\n        total: req_total')
    events_2h = {r["record"]: r["expr"] for r in group_rules(rules.render(good, "m")) if "record" in r}["slo:sli_events:rate2h"]
    assert events_2h.startswith('label_replace(sum(rate(req_total[2h])) - sum(rate(req_total{code!~"5.."}[2h])), "events", "bad"')


def test_one_alert_name_per_tier():
    names = [(r["alert"], r["labels"]["slo_tier"]) for r in group_rules(rules.render(mini(), "m")) if "alert" in r]
    assert names == [("SLOErrorBudgetBurnL3", "L3"), ("SLOErrorBudgetBurnL2", "L2"),
                     ("SLOErrorBudgetBurnL1", "L1"), ("SLOErrorBudgetBurnL1", "L1")]


def test_alert_pairs_follow_the_workbook_for_30d():
    alerts = [r for r in group_rules(rules.render(mini(), "m")) if "alert" in r]
    got = [(a["labels"]["burn_rate"], a["labels"]["long_window"], a["labels"]["short_window"], a["labels"]["slo_tier"], a["labels"]["severity"]) for a in alerts]
    assert got == [("14.4", "1h", "5m", "L3", "critical"), ("6", "6h", "30m", "L2", "error"),
                   ("3", "1d", "2h", "L1", "warning"), ("1", "3d", "6h", "L1", "warning")]
    assert alerts[0]["expr"] == (
        'slo:sli_error:ratio_rate1h{service="shop",slo="s"} > (14.4 * 0.005)\n'
        "and\n"
        'slo:sli_error:ratio_rate5m{service="shop",slo="s"} > (14.4 * 0.005)\n'
    )


def test_error_ratio_expressions():
    bad = mini()
    assert rules.error_ratio_expr(bad.slos[0], 300) == '(sum(rate(req_total{code=~"5.."}[5m])) or vector(0)) / sum(rate(req_total[5m]))'
    good = mini(sli='errors:\n        good: req_total{code!~"5.."}\n        total: req_total')
    assert rules.error_ratio_expr(good.slos[0], 3600) == '1 - (sum(rate(req_total{code!~"5.."}[1h])) / sum(rate(req_total[1h])))'
    lat = mini(sli="latency:\n        bucket: d_bucket{job=\"a\"}\n        le: 1\n        buckets: [0.5, 1]")
    assert rules.error_ratio_expr(lat.slos[0], 300) == '1 - (sum(rate(d_bucket{job="a",le="1"}[5m])) / sum(rate(d_bucket{job="a",le="+Inf"}[5m])))'


def test_example_l3_alert_carries_routing_labels_and_remediation():
    s = spec.load(EXAMPLE)
    fast = next(r for r in group_rules(rules.render(s, "order-service.yaml")) if "alert" in r)
    assert fast == {
        "alert": "SLOErrorBudgetBurnL3",
        "expr": (
            'slo:sli_error:ratio_rate1h{service="order-api",slo="order-availability"} > (14.4 * 0.001)\n'
            "and\n"
            'slo:sli_error:ratio_rate5m{service="order-api",slo="order-availability"} > (14.4 * 0.001)\n'
        ),
        "labels": {
            "team": "orders", "service": "order-api", "slo": "order-availability", "sli": "errors",
            "objective": "99.9", "slo_window": "30d", "slo_tier": "L3", "severity": "critical",
            "burn_rate": "14.4", "long_window": "1h", "short_window": "5m",
        },
        "annotations": {
            "summary": "order-api order-availability: error budget burning at 14.4x (2% of the 30d budget in 1h)",
            "description": (
                "Error ratio over the last 1h is {{ $value | humanizePercentage }} and over 5m is also above "
                "14.4x the allowed 0.1% (SLO 99.9% over 30d). At this burn rate the whole budget lasts 50h."
            ),
            "runbook_url": "https://runbooks.example.com/order-api/slo",
            "remediation": "kubectl scale deployment order-api --replicas=8",
        },
    }
    # Remediation is an L3 thing: no other alert carries it.
    others = [r for g in yaml.safe_load(rules.render(s, "x"))["groups"] for r in g["rules"] if "alert" in r and r is not fast]
    assert [r["labels"]["slo_tier"] for r in others if "remediation" in r["annotations"]] == ["L3"]


def test_disabled_rungs_produce_no_alert():
    s = mini(extra="    alerts: {slow: off, slowest: off}\n")
    alerts = [r["labels"]["burn_rate"] for r in group_rules(rules.render(s, "m")) if "alert" in r]
    assert alerts == ["14.4", "6"]


def _promtool_check(promtool: str, tmp_path, text: str) -> str:
    path = tmp_path / "rules.yml"
    path.write_text(text)
    proc = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.parametrize("window", ["7d", "28d", "30d", "90d"])
def test_every_window_passes_promtool(promtool, tmp_path, window):
    out = _promtool_check(promtool, tmp_path, rules.render(mini(window), "m"))
    assert "SUCCESS: 15 rules found" in out  # 7 windows + 2 event recordings + 2 metadata + 4 alerts


def test_example_and_starter_pass_promtool(promtool, tmp_path):
    assert "SUCCESS: 30 rules found" in _promtool_check(promtool, tmp_path, rules.render(spec.load(EXAMPLE), "x"))
    assert "SUCCESS: 30 rules found" in _promtool_check(promtool, tmp_path, rules.render(spec.loads(STARTER, "starter"), "x"))


@pytest.mark.parametrize(
    "selector,message",
    [
        ('req_total{code=~"5(.."}',
         "mini.yaml:3: slos[0] s: promtool rejects the generated rules: could not parse expression: 1:21: parse error: error parsing regexp: missing closing ): `^(?:5(..)$`"),
        ('{code=~".*"}',
         "mini.yaml:3: slos[0] s: promtool rejects the generated rules: could not parse expression: 1:11: parse error: vector selector must contain at least one non-empty matcher"),
    ],
)
def test_promtool_rejection_names_the_slo(promtool, selector, message):
    s = mini(sli=f"errors:\n        bad: '{selector}'\n        total: req_total")
    with pytest.raises(UserError) as exc:
        promtool_mod.validate(s, "mini.yaml", rules.render(s, "m"), promtool)
    assert str(exc.value) == message


def test_ladder_constants_are_the_workbook():
    assert [(float(a.burn_rate), a.long_s, a.short_s) for a in ladder.LADDER] == [
        (14.4, 3600, 300), (6, 6 * 3600, 1800), (3, 86400, 7200), (1, 3 * 86400, 6 * 3600)]
    # Budget consumed over the long window at exactly the threshold: 2%, 5%, 10%, 10%.
    assert [float(a.burn_rate) * a.long_s / ladder.REFERENCE_WINDOW_S for a in ladder.LADDER] == pytest.approx([0.02, 0.05, 0.10, 0.10])
    assert all(a.long_s == 12 * a.short_s for a in ladder.LADDER)
