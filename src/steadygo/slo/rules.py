"""Turn a validated ``Spec`` into Prometheus rule groups: one group per SLO
with the error-ratio recording rules for every ladder window, two metadata
series, and one multi-window burn-rate alert per enabled ladder rung, named
after its tier.

The ticket rungs' long windows (1d and 3d at 30 days) are not raw rates over
the SLI's series: they are summed from the event rates recorded for their
short windows (2h and 6h), so Prometheus reads a few thousand samples of two
recorded series instead of three days of every matching raw series on every
evaluation.  Rules in a group are evaluated in order, so the event rates are
recorded before the windows summed from them."""

from __future__ import annotations

import json
from decimal import Decimal

import yaml

from steadygo.slo import ladder
from steadygo.slo.selector import Matcher, Selector
from steadygo.slo.sloth import WINDOW_VAR
from steadygo.slo.spec import SLO, ErrorsSLI, LatencySLI, QuerySLI, Spec



def record_name(window_s: int) -> str:
    # level:metric:operations, the Prometheus naming convention for recording rules.
    return f"slo:sli_error:ratio_rate{ladder.format_duration(window_s)}"


def events_name(window_s: int) -> str:
    """Bad and all events per second over the window, one recording with an
    ``events`` label ("bad" | "all"): both sides come from one query at one
    instant, so a scrape landing between two rules' evaluations cannot give
    the numerator one sample fewer than the denominator."""
    return f"slo:sli_events:rate{ladder.format_duration(window_s)}"


def alert_name(slo: SLO, tier: str) -> str:
    """One alert name per tier (``SLOErrorBudgetBurnL3``): Alertmanager groups
    by alert name first, so a page and a ticket of one SLO never arrive as one
    notification, and a route can match the name alone."""
    return f"{slo.alert_name}{tier}"


def group_name(spec: Spec, slo: SLO) -> str:
    """Also how promtool errors are traced back to an SLO (see promtool.py)."""
    return f"slo:{spec.service}:{slo.name}"


def _q(value: str) -> str:
    """A PromQL double-quoted string literal."""
    return json.dumps(value, ensure_ascii=False)


def _num(d: Decimal) -> str:
    """Exact decimal text without exponent or trailing zeros: 0.001, 14.4, 6."""
    return format(d.normalize(), "f")


def _sum(by: tuple[str, ...]) -> str:
    return f"sum by ({', '.join(by)}) " if by else "sum"


def _rate(sel: Selector, w: str, by: tuple[str, ...] = ()) -> str:
    return f"{_sum(by)}(rate({sel.text()}[{w}]))"


def _bad_or_zero(bad: Selector, total: Selector, w: str, by: tuple[str, ...]) -> str:
    # client_golang creates a labelled series on first use, so a service
    # that never failed has no 5xx series at all; "or vector(0)" makes that
    # a 0 ratio instead of no data.  Grouped, the zero must carry the group's
    # labels, so it comes from the total side.
    if not by:
        return f"({_rate(bad, w)} or vector(0))"
    return f"({_rate(bad, w, by)} or 0 * {_rate(total, w, by)})"


def event_exprs(slo: SLO, window_s: int) -> tuple[str, str] | None:
    """(bad events per second, all events per second) over the window, or
    None for an SLI given only as a ratio (sloth's error_ratio_query)."""
    w = ladder.format_duration(window_s)
    sli = slo.sli
    if isinstance(sli, QuerySLI):
        if sli.error_ratio_query is not None:
            return None
        return WINDOW_VAR.sub(w, sli.error_query), WINDOW_VAR.sub(w, sli.total_query)
    by = slo.group_by
    if isinstance(sli, ErrorsSLI):
        total = _rate(sli.total, w, by)
        if sli.bad is not None:
            return _bad_or_zero(sli.bad, sli.total, w, by), total
        return f"{total} - {_rate(sli.good, w, by)}", total
    good = sli.bucket.with_matcher(Matcher("le", "=", _q(sli.le)))
    total = _rate(sli.bucket.with_matcher(Matcher("le", "=", _q("+Inf"))), w, by)
    return f"{total} - {_rate(good, w, by)}", total


def derived_ratio_expr(spec: Spec, slo: SLO, long_s: int, short_s: int) -> str:
    """The long window's error ratio from the short window's recordings: the
    sums of the recorded bad and total rates over the long window keep the
    ratio of event counts (the sampling interval cancels).  A ratio-only SLI
    can only average its short-window ratios."""
    w = ladder.format_duration(long_s)
    ident = _identity_matchers(spec, slo)
    if event_exprs(slo, short_s) is None:
        return f"avg_over_time({record_name(short_s)}{ident}[{w}])"
    bad, every = _identity_matchers(spec, slo, events="bad"), _identity_matchers(spec, slo, events="all")
    return (f"sum_over_time({events_name(short_s)}{bad}[{w}])\n/ ignoring(events)\n"
            f"sum_over_time({events_name(short_s)}{every}[{w}])")


def events_expr(bad: str, total: str) -> str:
    return (f'label_replace({bad}, "events", "bad", "", "")\nor\n'
            f'label_replace({total}, "events", "all", "", "")')


def error_ratio_expr(slo: SLO, window_s: int) -> str:
    w = ladder.format_duration(window_s)
    sli = slo.sli
    if isinstance(sli, QuerySLI):
        def fill(template: str) -> str:
            return WINDOW_VAR.sub(w, template)
        if sli.error_ratio_query is not None:
            return fill(sli.error_ratio_query)
        # sloth's own events shape, so the two outputs stay comparable.
        return f"({fill(sli.error_query)})\n/\n({fill(sli.total_query)})"
    by = slo.group_by
    if isinstance(sli, ErrorsSLI):
        if sli.bad is not None:
            return f"{_bad_or_zero(sli.bad, sli.total, w, by)} / {_rate(sli.total, w, by)}"
        return f"1 - ({_rate(sli.good, w, by)} / {_rate(sli.total, w, by)})"
    assert isinstance(sli, LatencySLI)
    good = sli.bucket.with_matcher(Matcher("le", "=", _q(sli.le)))
    total = sli.bucket.with_matcher(Matcher("le", "=", _q("+Inf")))
    return f"1 - ({_rate(good, w, by)} / {_rate(total, w, by)})"


def _identity(spec: Spec, slo: SLO) -> dict:
    return {"service": spec.service, "slo": slo.name}


def _identity_matchers(spec: Spec, slo: SLO, **extra: str) -> str:
    return "{" + ",".join(f"{k}={_q(v)}" for k, v in {**_identity(spec, slo), **extra}.items()) + "}"


def _pct(d: Decimal) -> str:
    return _num(d * 100) + "%"


def alert_rule(spec: Spec, slo: SLO, rung: ladder.BurnAlert, tier: str) -> dict:
    long_s = ladder.scaled(rung.long_s, slo.window_s)
    short_s = ladder.scaled(rung.short_s, slo.window_s)
    long_w, short_w = ladder.format_duration(long_s), ladder.format_duration(short_s)
    slo_w = ladder.format_duration(slo.window_s)
    threshold = f"({_num(rung.burn_rate)} * {_num(slo.error_budget)})"
    ident = _identity_matchers(spec, slo)
    expr = (
        f"{record_name(long_s)}{ident} > {threshold}\n"
        f"and\n"
        f"{record_name(short_s)}{ident} > {threshold}\n"
    )
    settings = slo.tiers[tier]
    labels = {
        **slo.labels,
        **settings.labels,
        **_identity(spec, slo),
        "sli": slo.sli.kind,
        "objective": _num(slo.objective),
        "slo_window": slo_w,
        "slo_tier": tier,
        "severity": settings.severity,
        "burn_rate": _num(rung.burn_rate),
        "long_window": long_w,
        "short_window": short_w,
    }
    consumed = rung.burn_rate * Decimal(long_s) / Decimal(slo.window_s)
    lasts = ladder.human(slo.window_s / float(rung.burn_rate))
    annotations = {
        "summary": (
            f"{spec.service} {slo.name}: error budget burning at {_num(rung.burn_rate)}x "
            f"({_pct(consumed)} of the {slo_w} budget in {long_w})"
        ),
        "description": (
            f"Error ratio over the last {long_w} is {{{{ $value | humanizePercentage }}}} and over "
            f"{short_w} is also above {_num(rung.burn_rate)}x the allowed {_pct(slo.error_budget)} "
            f"(SLO {_num(slo.objective)}% over {slo_w}). At this burn rate the whole budget lasts {lasts}."
        ),
    }
    if slo.runbook_url:
        annotations["runbook_url"] = slo.runbook_url
    # sloth's alerting.annotations, then its page/ticket ones, override ours.
    annotations.update(slo.annotations)
    annotations.update(settings.annotations)
    if settings.remediation:
        annotations["remediation"] = settings.remediation
    return {"alert": alert_name(slo, tier), "expr": expr, "labels": labels, "annotations": annotations}


def slo_group(spec: Spec, slo: SLO) -> dict:
    ident = _identity(spec, slo)
    rules: list[dict] = []
    derived = ladder.derived_windows(slo.window_s)
    sources = set(derived.values())
    for w in ladder.windows_needed(slo.window_s):
        if w in derived:
            continue
        events = event_exprs(slo, w) if w in sources else None
        if events is None:
            rules.append({"record": record_name(w), "expr": error_ratio_expr(slo, w), "labels": dict(ident)})
            continue
        rules.append({"record": events_name(w), "expr": events_expr(*events), "labels": dict(ident)})
        bad, every = _identity_matchers(spec, slo, events="bad"), _identity_matchers(spec, slo, events="all")
        rules.append({"record": record_name(w), "expr": f"{events_name(w)}{bad}\n/ ignoring(events)\n{events_name(w)}{every}",
                      "labels": dict(ident)})
    for long_s, short_s in sorted(derived.items()):
        rules.append({"record": record_name(long_s), "expr": derived_ratio_expr(spec, slo, long_s, short_s),
                      "labels": dict(ident)})
    # Constant series so dashboards can draw the objective and budget lines
    # without repeating numbers that live in the spec.
    rules.append({"record": "slo:objective:ratio", "expr": f"vector({_num(slo.objective / 100)})", "labels": dict(ident)})
    rules.append({"record": "slo:error_budget:ratio", "expr": f"vector({_num(slo.error_budget)})", "labels": dict(ident)})
    for rung in ladder.LADDER:
        tier = slo.alerts[rung.name]
        if tier is not None:
            rules.append(alert_rule(spec, slo, rung, tier))
    return {"name": group_name(spec, slo), "rules": rules}


def rule_groups(spec: Spec | list[Spec]) -> dict:
    specs = spec if isinstance(spec, list) else [spec]
    return {"groups": [slo_group(s, slo) for s in specs for slo in s.slos]}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    # Multi-line PromQL reads far better as a literal block than a quoted line.
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def render(spec: Spec | list[Spec], source: str) -> str:
    header = (
        f"# Generated by `steadygo slo generate` from {source}. Do not edit by hand:\n"
        f"# change the spec and generate again.\n"
    )
    body = yaml.dump(rule_groups(spec), Dumper=_Dumper, sort_keys=False, width=100000, allow_unicode=True)
    return header + body
