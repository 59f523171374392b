"""What each generated alert means in time and budget: the SRE workbook's
table, computed for the spec's own objectives and windows.

For an error ratio ``r`` that starts abruptly and stays, the long window's
ratio after ``t`` seconds is ``r * t / long``; the alert fires once that
exceeds ``burn * budget`` (the short window, being shorter, crosses first).
So detection takes ``burn * budget * long / r``, and never happens when
``r <= burn * budget``.  The budget spent by then is ``r * t / (budget * W)``
= ``burn * long / W``, whatever ``r`` is: the workbook's 2%, 5%, 10%."""

from __future__ import annotations

import math

from dataclasses import dataclass
from decimal import Decimal

from steadygo.slo import ladder
from steadygo.slo.spec import SLO, Spec


@dataclass(frozen=True)
class Row:
    slo: str
    rung: str
    tier: str
    severity: str
    burn_rate: Decimal
    long_s: int
    short_s: int
    threshold: Decimal  # error ratio the alert needs over both windows
    budget_consumed: Decimal  # fraction of the whole budget spent before it fires
    ttd_outage_s: float | None  # time to detection, 100% errors
    ttd_2x_s: float | None  # time to detection, errors at twice the budget rate


def time_to_detection(burn: Decimal, budget: Decimal, long_s: int, error_ratio: Decimal,
                      derived_from_s: int | None = None) -> float | None:
    """Seconds from the start of a constant burn at ``error_ratio`` (after a
    clean history) until the long window's error ratio crosses the rung's
    threshold; the short window, as short as 1/12 of it, crosses first.

    A raw long window crosses at threshold x long / ratio.  A long window
    summed from the recorded rates of a short window S (``derived_from_s``)
    sees each of those samples ramp up over S, so it lags: it reads
    ratio x (t - S/2) / long once t >= S, and ratio x t^2 / (2 S long) before."""
    threshold = burn * budget
    if error_ratio <= threshold or error_ratio > 1:
        return None
    raw = float(threshold * long_s / error_ratio)
    if not derived_from_s:
        return raw
    s = float(derived_from_s)
    if raw >= s / 2:
        return raw + s / 2
    return math.sqrt(2 * s * raw)


def _specs(spec: Spec | list[Spec]) -> list[Spec]:
    return spec if isinstance(spec, list) else [spec]


def rows(spec: Spec | list[Spec]) -> list[Row]:
    out = []
    for slo in (slo for s in _specs(spec) for slo in s.slos):
        e = slo.error_budget
        for rung in ladder.LADDER:
            tier = slo.alerts[rung.name]
            if tier is None:
                continue
            long_s = ladder.scaled(rung.long_s, slo.window_s)
            derived = ladder.scaled(rung.short_s, slo.window_s) if rung.derived_long else None
            out.append(
                Row(
                    slo=slo.name,
                    rung=rung.name,
                    tier=tier,
                    severity=slo.tiers[tier].severity,
                    burn_rate=rung.burn_rate,
                    long_s=long_s,
                    short_s=ladder.scaled(rung.short_s, slo.window_s),
                    threshold=rung.burn_rate * e,
                    budget_consumed=rung.burn_rate * long_s / Decimal(slo.window_s),
                    ttd_outage_s=time_to_detection(rung.burn_rate, e, long_s, Decimal(1), derived),
                    ttd_2x_s=time_to_detection(rung.burn_rate, e, long_s, 2 * e, derived),
                )
            )
    return out


def _pct(d: Decimal) -> str:
    return format((d * 100).normalize(), "f") + "%"


def _ttd(seconds: float | None) -> str:
    return "never" if seconds is None else ladder.human(seconds)


def bracket(silent_s: int, fired_s: int) -> str:
    """A detection time measured to one evaluation step: silent at the first
    instant, firing at the second."""
    return f"{ladder.human(silent_s) if silent_s else '0s'}-{ladder.human(fired_s)}"


HEADERS = ("SLO", "ALERT", "TIER", "SEVERITY", "BURN", "WINDOWS", "FIRES ABOVE", "BUDGET USED", "TTD 100% OUTAGE", "TTD 2x BURN")


def slo_line(slo: SLO) -> str:
    budget_minutes = float(slo.error_budget) * slo.window_s / 60
    return (
        f"{slo.name}: {format(slo.objective.normalize(), 'f')}% over {ladder.format_duration(slo.window_s)} "
        f"({slo.sli.kind} SLI); budget {_pct(slo.error_budget)} of requests "
        f"({ladder.human(budget_minutes * 60)} of total outage)"
    )


def _measured(measured: dict | None, service: str, r: Row) -> tuple:
    if measured is None:
        return ()
    m = measured.get((service, r.slo, r.rung))
    return ("never" if m is None else bracket(*m),)


def render_text(spec: Spec | list[Spec], measured: dict | None = None) -> str:
    """``measured``: promtool's detection brackets (``slo explain --measure``)."""
    headers = HEADERS + (("MEASURED 100% OUTAGE",) if measured is not None else ())
    table = [headers]
    for s in _specs(spec):
        for r in rows(s):
            table.append(
                (
                    r.slo, r.rung, r.tier, r.severity, format(r.burn_rate.normalize(), "f") + "x",
                    f"{ladder.format_duration(r.long_s)}/{ladder.format_duration(r.short_s)}",
                    _pct(r.threshold), _pct(r.budget_consumed), _ttd(r.ttd_outage_s), _ttd(r.ttd_2x_s),
                ) + _measured(measured, s.service, r)
            )
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = []
    for s in _specs(spec):
        lines.append(f"service {s.service}")
        lines += [f"  {slo_line(slo)}" for slo in s.slos]
    lines.append("")
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    lines.append("")
    lines.append("BUDGET USED: share of the window's error budget spent when the alert fires (burn x long window / SLO window).")
    lines.append("TTD: time to detection from a clean state; 'never' when the error ratio does not exceed the threshold.")
    lines.append("Slow and slowest long windows are summed from the recorded short-window rates: about half a short window later.")
    if measured is not None:
        lines.append("MEASURED: promtool test rules proves the alert silent at the first time and firing at the second (one-minute evaluations).")
    return "\n".join(lines) + "\n"


def render_json(spec: Spec | list[Spec], measured: dict | None = None) -> list[dict]:
    out = [
        {
            "slo": r.slo, "alert": r.rung, "tier": r.tier, "severity": r.severity,
            "burn_rate": float(r.burn_rate), "long_window": ladder.format_duration(r.long_s),
            "short_window": ladder.format_duration(r.short_s), "threshold_error_ratio": float(r.threshold),
            "budget_consumed": float(r.budget_consumed), "ttd_outage_seconds": r.ttd_outage_s,
            "ttd_2x_burn_seconds": r.ttd_2x_s,
            **({} if measured is None else {"measured_outage_seconds": _measured_json(measured.get((s.service, r.slo, r.rung)))}),
        }
        for s in _specs(spec)
        for r in rows(s)
    ]
    return out


def _measured_json(m):
    return None if m is None else {"silent_at": m[0], "firing_at": m[1]}
