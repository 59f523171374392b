"""`promtool test rules` on the generated rules with synthetic series.

Each scenario feeds counters that start after three clean days (so even the
3d window has full history), then checks which alerts are firing via the
ALERTS series at chosen instants.  The instants are derived from
``explain``'s time-to-detection math: every alert must be silent at the last
evaluation before its predicted detection time and firing at the first one
after it, so these tests check the generator and the explain table against
the real rule engine at once."""

from __future__ import annotations

import math
import subprocess

import pytest
import yaml

from steadygo.slo import explain, ladder, rules, spec

from .scenario import counter

SPEC = """
service: shop
slos:
  - name: avail
    objective: 99.9
    sli:
      errors:
        bad: http_requests_total{job="shop",code=~"5.."}
        total: http_requests_total{job="shop"}
  - name: lat
    objective: 99
    sli:
      latency:
        bucket: http_request_duration_seconds_bucket{job="shop",route="/order"}
        le: 0.35
        buckets: [0.1, 0.35, 1]
"""
CLEAN_MIN = 3 * 24 * 60  # three clean days before anything happens
ALERT_LABELS = ("burn_rate", "long_window", "objective", "service", "severity", "short_window", "sli", "slo", "slo_tier", "slo_window")


@pytest.fixture(scope="module")
def shop():
    return spec.loads(SPEC, "shop.yaml")


def _row(shop, slo: str, rung: str) -> explain.Row:
    return next(r for r in explain.rows(shop) if r.slo == slo and r.rung == rung)


def alerts_sample(shop, slo_name: str, rung_name: str) -> dict:
    """The ALERTS sample promtool should see for one firing rung: every label
    the generator sets, exactly."""
    slo = next(s for s in shop.slos if s.name == slo_name)
    labels = rules.alert_rule(shop, slo, next(r for r in ladder.LADDER if r.name == rung_name), slo.alerts[rung_name])["labels"]
    assert tuple(sorted(labels)) == ALERT_LABELS  # the test spec has no extra labels
    name = rules.alert_name(slo, slo.alerts[rung_name])
    body = ",".join(f'{k}="{v}"' for k, v in sorted({**labels, "alertname": name, "alertstate": "firing"}.items()))
    return {"labels": "ALERTS{" + body + "}", "value": 1}


def checkpoints(ttd_s: float, step_min: int, slack: int = 0) -> tuple[int, int]:
    """(last evaluation minute strictly before detection, first one strictly
    after), each pushed out by ``slack`` more steps.  An evaluation landing
    exactly on the threshold is skipped: there the ratio equals it and float
    rounding may go either way."""
    after = math.floor(ttd_s / 60 / step_min) * step_min + step_min * (1 + slack)
    before = math.ceil(ttd_s / 60 / step_min) * step_min - step_min * (1 + slack)
    return before, after


def slack_steps(rung: str) -> int:
    """A long window summed from recorded short-window rates is sampled once
    per evaluation, while explain's prediction integrates continuously: the
    two differ by up to about one evaluation step, so those rungs get one step
    more either side."""
    return 1 if next(r for r in ladder.LADDER if r.name == rung).derived_long else 0


def run_promtool(promtool: str, tmp_path, shop, eval_step_min: int, series: list[dict], expr_tests: list[dict]) -> subprocess.CompletedProcess:
    (tmp_path / "rules.yml").write_text(rules.render(shop, "shop.yaml"))
    doc = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": f"{eval_step_min}m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": expr_tests}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=100000))
    return subprocess.run([promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=600)


def firing_at(minute: int, slo: str, samples: list[dict]) -> dict:
    return {"expr": f'ALERTS{{slo="{slo}"}}', "eval_time": f"{minute}m", "exp_samples": samples}


def ratio_at(minute: int, slo: str, window: str, value: float) -> dict:
    # Rounded to 4 decimals: promtool compares floats exactly, and 1 - 0.9
    # computed from rates is 0.1000000000000009.  1/0.0001 is exact in
    # binary, so the rounding itself adds no error.
    return {
        "expr": f'round(slo:sli_error:ratio_rate{window}{{slo="{slo}"}}, 0.0001)',
        "eval_time": f"{minute}m",
        "exp_samples": [{"labels": f'{{service="shop",slo="{slo}"}}', "value": value}],
    }


def availability_series(ok_phases, bad_phases) -> list[dict]:
    return [
        {"series": 'http_requests_total{job="shop",code="200"}', "values": counter(*ok_phases)},
        {"series": 'http_requests_total{job="shop",code="500"}', "values": counter(*bad_phases)},
    ]


def timeline(shop, slo: str, error_ratio_ttd: dict, start: int, step: int, end: int) -> list[dict]:
    """ALERTS expectations at every checkpoint of every rung: the set of
    rungs whose detection time has passed, no more, no less."""
    points = {start, end}
    brackets = {rung: checkpoints(ttd, step, slack_steps(rung)) for rung, ttd in error_ratio_ttd.items() if ttd is not None}
    for before, after in brackets.values():
        points.update((start + before, start + after))
    tests = []
    for minute in sorted(points):
        elapsed_s = (minute - start) * 60
        # Inside a widened bracket a rung may or may not fire yet: no
        # checkpoint of another rung may land there.
        unsure = [r for r, (b, a) in brackets.items() if b * 60 < elapsed_s < a * 60]
        assert not unsure, f"checkpoint at +{minute - start}m falls inside the bracket of {unsure}"
        firing = [rung for rung, ttd in error_ratio_ttd.items() if ttd is not None and elapsed_s > ttd]
        tests.append(firing_at(minute, slo, [alerts_sample(shop, slo, r) for r in firing]))
    return tests


def assert_passes(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_clean_period_no_alerts_and_zero_ratios(promtool, tmp_path, shop):
    # 5xx series exists but never moves; latency all under 0.35 s.
    series = availability_series([(1000, CLEAN_MIN)], [(0, CLEAN_MIN)]) + latency_series([(1000, CLEAN_MIN)], [(1000, CLEAN_MIN)])
    tests = [firing_at(m, s, []) for m in (60, 24 * 60, CLEAN_MIN) for s in ("avail", "lat")]
    tests += [ratio_at(CLEAN_MIN, s, w, 0) for s in ("avail", "lat") for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")]
    # 5m evaluations: nothing here depends on finer timing, and it is 5x faster.
    assert_passes(run_promtool(promtool, tmp_path, shop, 5, series, tests))


def test_missing_error_series_reads_as_zero_not_no_data(promtool, tmp_path, shop):
    # client_golang creates the code="500" series on the first 5xx; before
    # that the ratio must be 0, not absent (the `or vector(0)`).
    series = [{"series": 'http_requests_total{job="shop",code="200"}', "values": counter((1000, 120))}]
    assert_passes(run_promtool(promtool, tmp_path, shop, 1, series, [ratio_at(120, "avail", "1h", 0), ratio_at(120, "avail", "5m", 0)]))


def test_full_outage_fires_in_ladder_order_and_fast_alert_resets(promtool, tmp_path, shop):
    outage_min, recovery_min = 60, 60
    series = availability_series(
        [(1000, CLEAN_MIN), (0, outage_min), (1000, recovery_min)],
        [(0, CLEAN_MIN), (1000, outage_min), (0, recovery_min)],
    )
    ttd = {r.rung: r.ttd_outage_s for r in explain.rows(shop) if r.slo == "avail"}
    # The workbook's numbers for 99.9% over 30d are 51.84 s, 129.6 s, 259.2 s and 259.2 s
    # for raw windows; the ticket rungs' long windows are summed from the 2h and 6h
    # recordings, whose ramp delays them to sqrt(2 x short x 259.2 s): 32.2 and 55.8 min.
    assert ttd == pytest.approx({"fast": 51.84, "medium": 129.6, "slow": (2 * 7200 * 259.2) ** 0.5,
                                 "slowest": (2 * 21600 * 259.2) ** 0.5})
    tests = timeline(shop, "avail", ttd, CLEAN_MIN, 1, CLEAN_MIN + outage_min)
    # Sanity of the timeline itself: silent at +0, fast at +1m, medium by +3m,
    # slow between +31m and +34m, slowest between +54m and +57m.
    assert [t["eval_time"] for t in tests] == [f"{CLEAN_MIN + m}m" for m in (0, 1, 2, 3, 31, 34, 54, 57, 60)]
    # The short window is why alerts stop soon after the burn stops: 5m
    # after recovery the 5m ratio is 0, so the fast (L3) alert resolves even
    # though its 1h ratio is still far above 14.4x; the 30m short window
    # keeps the medium (L2) one going.
    end = CLEAN_MIN + outage_min
    tests.append(firing_at(end + 6, "avail", [alerts_sample(shop, "avail", r) for r in ("medium", "slow", "slowest")]))
    tests.append(ratio_at(end, "avail", "5m", 1))
    assert_passes(run_promtool(promtool, tmp_path, shop, 1, series, tests))


def test_slow_2x_burn_only_fires_the_3d_ticket_after_36h(promtool, tmp_path, shop):
    burn_min = 40 * 60
    # 2 errors per 1000 requests: twice the 0.1% budget.
    series = availability_series([(1000, CLEAN_MIN), (998, burn_min)], [(0, CLEAN_MIN), (2, burn_min)])
    ttd = {r.rung: r.ttd_2x_s for r in explain.rows(shop) if r.slo == "avail"}
    # 36 h for a raw 3d window, plus half the 6h short window it is summed from.
    assert ttd == {"fast": None, "medium": None, "slow": None, "slowest": 39 * 3600}
    tests = timeline(shop, "avail", ttd, CLEAN_MIN, 5, CLEAN_MIN + burn_min)
    assert [t["eval_time"] for t in tests] == [f"{CLEAN_MIN + m}m" for m in (0, 2330, 2350, 2400)]
    tests.append(ratio_at(CLEAN_MIN + burn_min, "avail", "6h", 0.002))
    assert_passes(run_promtool(promtool, tmp_path, shop, 5, series, tests))


def latency_series(fast_phases, total_phases) -> list[dict]:
    sel = 'http_request_duration_seconds_bucket{job="shop",route="/order",le="%s"}'
    return [
        {"series": sel % "0.35", "values": counter(*fast_phases)},
        {"series": sel % "+Inf", "values": counter(*total_phases)},
    ]


def test_latency_regression_pages_l2_not_l3(promtool, tmp_path, shop):
    regress_min = 11 * 60
    # 10% of requests now slower than 350 ms: 10x the 1% budget.
    series = latency_series([(1000, CLEAN_MIN), (900, regress_min)], [(1000, CLEAN_MIN), (1000, regress_min)])
    series.append(
        {"series": 'http_request_duration_seconds_bucket{job="shop",route="/order",le="0.1"}', "values": counter((700, CLEAN_MIN), (500, regress_min))}
    )
    rows = {r.rung: r for r in explain.rows(shop) if r.slo == "lat"}
    derived = {r.name: r.short_s if r.derived_long else None for r in ladder.LADDER}
    ttd = {name: explain.time_to_detection(r.burn_rate, spec_budget(shop, "lat"), r.long_s, spec_budget(shop, "lat") * 10, derived[name])
           for name, r in rows.items()}
    # 7.2 h for raw 1d and 3d windows, plus half of the 2h and 6h short windows.
    assert ttd == {"fast": None, "medium": pytest.approx(3.6 * 3600), "slow": pytest.approx(8.2 * 3600), "slowest": pytest.approx(10.2 * 3600)}
    tests = timeline(shop, "lat", ttd, CLEAN_MIN, 5, CLEAN_MIN + regress_min)
    assert [t["eval_time"] for t in tests] == [f"{CLEAN_MIN + m}m" for m in (0, 215, 220, 485, 500, 605, 620, 660)]
    tests.append(ratio_at(CLEAN_MIN + regress_min, "lat", "1h", 0.1))
    # Default tiers: at 10x the 6x rung (L2) pages; the 14.4x rung (L3) never fires.
    assert all('slo_tier="L3"' not in s["labels"] for t in tests for s in t["exp_samples"])
    assert_passes(run_promtool(promtool, tmp_path, shop, 5, series, tests))


def spec_budget(shop, name):
    return next(s for s in shop.slos if s.name == name).error_budget


def test_harness_detects_a_wrong_expectation(promtool, tmp_path, shop):
    # Negative control: the same outage, but claiming the fast alert is
    # silent one minute in.  promtool must fail, or the tests above prove nothing.
    series = availability_series([(1000, 60), (0, 5)], [(0, 60), (1000, 5)])
    proc = run_promtool(promtool, tmp_path, shop, 1, series, [firing_at(61, "avail", [])])
    assert proc.returncode != 0
    assert 'burn_rate="14.4"' in proc.stdout + proc.stderr


GROUPED = """
service: shop
slos:
  - name: avail
    objective: 99.9
    group_by: [cluster]
    sli:
      errors:
        bad: http_requests_total{job="shop",code=~"5.."}
        total: http_requests_total{job="shop"}
"""


def test_group_by_keeps_the_routing_label_and_alerts_per_cluster(promtool, tmp_path):
    # Two clusters; only eu burns (a full outage), us stays clean and has no
    # 5xx series at all.  The fast alert must fire for eu alone, carrying
    # cluster="eu", and us must read a 0 ratio (the grouped `or 0 * total`).
    grouped = spec.loads(GROUPED, "grouped.yaml")
    minutes = 90
    series = [
        {"series": 'http_requests_total{job="shop",cluster="eu",code="200"}', "values": counter((1000, minutes), (0, 10))},
        {"series": 'http_requests_total{job="shop",cluster="eu",code="500"}', "values": counter((0, minutes), (1000, 10))},
        {"series": 'http_requests_total{job="shop",cluster="us",code="200"}', "values": counter((1000, minutes + 10))},
    ]
    slo = grouped.slos[0]
    fast = next(r for r in ladder.LADDER if r.name == "fast")
    labels = {**rules.alert_rule(grouped, slo, fast, "L3")["labels"], "cluster": "eu"}
    body = ",".join(f'{k}="{v}"' for k, v in sorted({**labels, "alertname": "SLOErrorBudgetBurnL3", "alertstate": "firing"}.items()))
    tests = [
        {"expr": 'ALERTS{slo="avail",slo_tier="L3"}', "eval_time": f"{minutes + 2}m",
         "exp_samples": [{"labels": "ALERTS{" + body + "}", "value": 1}]},
        {"expr": 'slo:sli_error:ratio_rate5m{slo="avail",cluster="us"}', "eval_time": f"{minutes + 2}m",
         "exp_samples": [{"labels": 'slo:sli_error:ratio_rate5m{cluster="us",service="shop",slo="avail"}', "value": 0}]},
    ]
    assert 'sum by (cluster) (rate(http_requests_total{job="shop",code=~"5.."}[5m])) or 0 * sum by (cluster)' in rules.render(grouped, "g")
    assert_passes(run_promtool(promtool, tmp_path, grouped, 1, series, tests))
