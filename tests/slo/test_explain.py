"""The explain table: the SRE workbook's numbers for the spec at hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from steadygo.slo import explain, spec

EXAMPLE = "examples/slo/order-service.yaml"


def test_example_table_text():
    assert explain.render_text(spec.load(EXAMPLE)) == """\
service order-api
  order-availability: 99.9% over 30d (errors SLI); budget 0.1% of requests (43.2m of total outage)
  order-latency: 99% over 30d (latency SLI); budget 1% of requests (7.2h of total outage)

SLO                 ALERT    TIER  SEVERITY  BURN   WINDOWS  FIRES ABOVE  BUDGET USED  TTD 100% OUTAGE  TTD 2x BURN
order-availability  fast     L3    critical  14.4x  1h/5m    1.44%        2%           51.8s            never
order-availability  medium   L2    error     6x     6h/30m   0.6%         5%           2.2m             never
order-availability  slow     L1    warning   3x     1d/2h    0.3%         10%          32.2m            never
order-availability  slowest  L1    warning   1x     3d/6h    0.1%         10%          55.8m            39h
order-latency       fast     L2    error     14.4x  1h/5m    14.4%        2%           8.6m             never
order-latency       medium   L2    error     6x     6h/30m   6%           5%           21.6m            never
order-latency       slow     L1    warning   3x     1d/2h    3%           10%          1.7h             never
order-latency       slowest  L1    warning   1x     3d/6h    1%           10%          2.9h             39h

BUDGET USED: share of the window's error budget spent when the alert fires (burn x long window / SLO window).
TTD: time to detection from a clean state; 'never' when the error ratio does not exceed the threshold.
Slow and slowest long windows are summed from the recorded short-window rates: about half a short window later.
"""


def test_time_to_detection_formula():
    # Workbook: burn * budget * long window / error ratio; 14.4 * 0.001 * 1h / 100% = 51.84 s.
    assert explain.time_to_detection(Decimal("14.4"), Decimal("0.001"), 3600, Decimal(1)) == pytest.approx(51.84)
    # 1x over 3d at twice the budget rate: half of 3d.
    assert explain.time_to_detection(Decimal(1), Decimal("0.001"), 3 * 86400, Decimal("0.002")) == pytest.approx(36 * 3600)
    # Exactly at the threshold, or below it: never.
    assert explain.time_to_detection(Decimal(3), Decimal("0.001"), 86400, Decimal("0.003")) is None
    assert explain.time_to_detection(Decimal(6), Decimal("0.001"), 6 * 3600, Decimal("0.002")) is None
    # Summed from 6h recordings: a 2x burn crosses 3h (half the short window) later,
    # a full outage (raw 259.2 s, under 3h) where the ramp of the first 6h recording does.
    assert explain.time_to_detection(Decimal(1), Decimal("0.001"), 3 * 86400, Decimal("0.002"), 6 * 3600) == pytest.approx(39 * 3600)
    assert explain.time_to_detection(Decimal(1), Decimal("0.001"), 3 * 86400, Decimal(1), 6 * 3600) == pytest.approx((2 * 21600 * 259.2) ** 0.5)


def test_scaled_window_keeps_budget_fractions():
    s = spec.loads("service: a\nslos:\n  - name: x\n    objective: 99\n    window: 7d\n    sli:\n      errors: {bad: e, total: t}\n", "x")
    rows = explain.rows(s)
    assert [r.budget_consumed for r in rows] == [Decimal("0.02"), Decimal("0.05"), Decimal("0.1"), Decimal("0.1")]
    assert [(r.long_s, r.short_s) for r in rows] == [(840, 70), (5040, 420), (20160, 1680), (60480, 5040)]
    # 100% outage against a 1% budget over 7d: 14.4 * 0.01 * 14m = 121 s.
    assert rows[0].ttd_outage_s == pytest.approx(120.96)


def test_low_objective_makes_fast_alert_impossible():
    # 90%: 14.4x the 10% budget is 144% errors, which cannot happen.
    s = spec.loads("service: a\nslos:\n  - name: x\n    objective: 90\n    sli:\n      errors: {bad: e, total: t}\n", "x")
    rows = {r.rung: r for r in explain.rows(s)}
    assert rows["fast"].ttd_outage_s is None
    assert rows["medium"].ttd_outage_s == pytest.approx(0.6 * 6 * 3600)


def test_json_rows():
    first = explain.render_json(spec.load(EXAMPLE))[0]
    assert first == {
        "slo": "order-availability", "alert": "fast", "tier": "L3", "severity": "critical", "burn_rate": 14.4,
        "long_window": "1h", "short_window": "5m", "threshold_error_ratio": 0.0144, "budget_consumed": 0.02,
        "ttd_outage_seconds": pytest.approx(51.84), "ttd_2x_burn_seconds": None,
    }
