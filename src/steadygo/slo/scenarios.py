"""``promtool test rules`` scenarios that prove when each alert fires.

Per SLO, after a clean history as long as the longest window: a full
outage, a burn just above each rung's factor, and a slow burn just under
the slowest rung; a clean period is asserted before each of them starts.
The expectations come from ``explain``'s time-to-detection math: each rung
is silent at the last evaluation before its predicted detection time and
firing at the first one after it, so a pass *measures* detection to within
one evaluation step.

The SLI's own queries are arbitrary PromQL (sloth, OpenSLO), so no series
can be synthesised for them in general: the test rules are the real
generated rules with the SLI replaced by two stand-in counters
(``slo_test_errors_total`` / ``slo_test_requests_total``).  Everything that
decides *when* an alert fires — objective, window, ladder, tiers, labels,
alert names — is the spec's own; ``slo check`` covers the queries."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from decimal import Decimal

import yaml

from steadygo.slo import explain, ladder, rules
from steadygo.slo.spec import SLO, QuerySLI, Spec

STEP_S = 60  # scrape and evaluation interval of the scenarios
REQUESTS_PER_STEP = 10000  # whole error counts down to a 0.01% error ratio
ABOVE, UNDER = Decimal("1.25"), Decimal("0.8")


@dataclass(frozen=True)
class Scenario:
    """One rung under test: its own clean history (its long window), then a
    constant error ratio.  Only that rung is asserted: slower rungs see a
    history shorter than their window, which is what keeps each scenario
    days instead of weeks of evaluations."""

    name: str
    rung: str
    error_ratio: Decimal  # exact: errors per step / REQUESTS_PER_STEP
    ttd_s: float | None  # predicted detection, seconds after the burn starts
    interval_s: int  # scrape interval: a fifth of the rung's short window
    clean_s: int
    end_s: int  # seconds after the burn starts at which the scenario stops
    checkpoints: dict  # seconds after the start -> whether the rung fires then


def stand_in(spec: Spec, slo: SLO) -> SLO:
    ident = f'service="{spec.service}",slo="{slo.name}"'
    return dataclasses.replace(slo, sli=QuerySLI(
        "events",
        error_query=f"sum(rate(slo_test_errors_total{{{ident}}}[{{{{.window}}}}]))",
        total_query=f"sum(rate(slo_test_requests_total{{{ident}}}[{{{{.window}}}}]))",
    ))


def stand_in_specs(specs: list[Spec]) -> list[Spec]:
    return [dataclasses.replace(s, slos=tuple(stand_in(s, slo) for slo in s.slos)) for s in specs]


def _rungs(slo: SLO) -> list[tuple[ladder.BurnAlert, int, Decimal]]:
    """(rung, long window seconds, error-ratio threshold) of the enabled rungs."""
    return [
        (r, ladder.scaled(r.long_s, slo.window_s), r.burn_rate * slo.error_budget)
        for r in ladder.LADDER if slo.alerts[r.name] is not None
    ]


def _interval(short_s: int) -> int:
    return max(STEP_S, short_s // 5 // STEP_S * STEP_S)


def _scenario(name: str, slo: SLO, rung: ladder.BurnAlert, ratio: Decimal) -> Scenario | None:
    errors = int(ratio * REQUESTS_PER_STEP)  # floor: "under" stays under
    exact = Decimal(errors) / REQUESTS_PER_STEP
    if exact <= 0 or exact > 1:
        return None
    long_s = ladder.scaled(rung.long_s, slo.window_s)
    interval = _interval(ladder.scaled(rung.short_s, slo.window_s))
    derived = ladder.scaled(rung.short_s, slo.window_s) if rung.derived_long else None
    ttd = explain.time_to_detection(rung.burn_rate, slo.error_budget, long_s, exact, derived)
    # One scrape interval either side of the prediction: rate() extrapolates
    # to the window's edges, so the real crossing sits within about one.
    margin = interval
    if ttd is None:
        end_s = long_s + interval
        points = {interval: False, long_s // 2 // interval * interval: False, end_s: False}
    else:
        after = (math.floor((ttd + margin) / interval) + 1) * interval
        before = (math.ceil((ttd - margin) / interval) - 1) * interval
        end_s = after
        points = {after: True}
        if before > 0:
            points[before] = False
    return Scenario(name, rung.name, exact, ttd, interval, long_s, end_s, dict(sorted(points.items())))


def scenarios(slo: SLO) -> list[Scenario]:
    rungs = _rungs(slo)
    out: list[Scenario | None] = []
    for rung, _, threshold in rungs:
        out.append(_scenario(f"full outage ({rung.name})", slo, rung, Decimal(1)))
        out.append(_scenario(f"burn at {format((rung.burn_rate * ABOVE).normalize(), 'f')}x ({rung.name})", slo, rung, threshold * ABOVE))
    if rungs:
        slowest, _, threshold = min(rungs, key=lambda r: r[2])
        out.append(_scenario(f"slow burn just under the slowest alert ({slowest.name})", slo, slowest, threshold * UNDER))
    return [s for s in out if s is not None and (s.ttd_s is not None or "under" in s.name)]


def _counter(per_step: int, clean_steps: int, burn_steps: int) -> str:
    if per_step == 0:
        return f"0x{clean_steps + burn_steps}"
    return f"0x{clean_steps} {per_step}+{per_step}x{burn_steps - 1}"


def _sample(spec: Spec, slo: SLO, rung_name: str) -> dict:
    rung = next(r for r in ladder.LADDER if r.name == rung_name)
    labels = rules.alert_rule(spec, slo, rung, slo.alerts[rung_name])["labels"]
    body = {**labels, "alertname": rules.alert_name(slo, slo.alerts[rung_name]), "alertstate": "firing"}
    return {"labels": "ALERTS{" + ",".join(f"{k}={json.dumps(v)}" for k, v in sorted(body.items())) + "}", "value": 1}


def _fmt(seconds: int) -> str:
    return ladder.format_duration(seconds)


def group_for(spec: Spec, slo: SLO, sc: Scenario) -> dict:
    clean_steps = sc.clean_s // sc.interval_s
    burn_steps = sc.end_s // sc.interval_s + 1
    ident = f'service="{spec.service}",slo="{slo.name}"'
    start = clean_steps * sc.interval_s
    per_step = REQUESTS_PER_STEP * sc.interval_s // STEP_S
    errors = int(sc.error_ratio * per_step)
    long_w = _fmt(ladder.scaled(next(r for r in ladder.LADDER if r.name == sc.rung).long_s, slo.window_s))
    expr = f'ALERTS{{{ident},long_window="{long_w}",alertstate="firing"}}'
    # Nothing fires at the end of the clean history: the "clean period".
    tier = slo.alerts[sc.rung]
    alert_tests = [{"eval_time": _fmt(start), "alertname": rules.alert_name(slo, tier), "exp_alerts": []}]
    expr_tests = [
        {"expr": expr, "eval_time": _fmt(start + t), "exp_samples": [_sample(spec, slo, sc.rung)] if fires else []}
        for t, fires in sc.checkpoints.items()
    ]
    return {
        "name": f"{spec.service}/{slo.name}: {sc.name}, error ratio {format((sc.error_ratio * 100).normalize(), 'f')}%",
        "interval": _fmt(sc.interval_s),
        "input_series": [
            {"series": f"slo_test_requests_total{{{ident}}}", "values": f"0+{per_step}x{clean_steps + burn_steps}"},
            {"series": f"slo_test_errors_total{{{ident}}}", "values": _counter(errors, clean_steps, burn_steps)},
        ],
        "alert_rule_test": alert_tests,
        "promql_expr_test": expr_tests,
    }


def render_tests(specs: list[Spec], rules_file: str) -> str:
    stand = stand_in_specs(specs)
    tests = [group_for(s, slo, sc) for s in stand for slo in s.slos for sc in scenarios(slo)]
    doc = {"rule_files": [rules_file], "evaluation_interval": _fmt(STEP_S), "tests": tests}
    header = (
        "# Generated by `steadygo slo test`: when each SLO alert must fire, checked by\n"
        "# `promtool test rules` against the rules in rule_files (the spec's rules with\n"
        "# the SLI replaced by the stand-in counters slo_test_*). Regenerate with the spec.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, width=100000, allow_unicode=True)


def measured(specs: list[Spec]) -> dict:
    """(service, slo, rung) -> (silent_at, firing_at) seconds after a full
    outage starts: the detection bracket a passing test proves."""
    out = {}
    for s in specs:
        for slo in s.slos:
            for sc in scenarios(slo):
                if sc.name.startswith("full outage"):
                    silent = [t for t, fires in sc.checkpoints.items() if not fires]
                    out[(s.service, slo.name, sc.rung)] = (max([0] + silent), max(sc.checkpoints))
    return out
