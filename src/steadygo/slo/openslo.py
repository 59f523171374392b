"""Read OpenSLO ``SLO`` objects (``openslo/v1alpha`` and ``openslo/v1``)
with ratio metrics into steadygo's model.

Field names follow the OpenSLO Go types in github.com/OpenSLO/oslo v0.12.0
(pkg/manifest/v1alpha, pkg/manifest/v1), the module sloth itself reads
OpenSLO with:

- v1alpha: ``spec.objectives[].ratioMetrics.{good,total}.{source,queryType,query}``,
  ``target`` (a ratio), ``spec.timeWindows[{count, unit}]``;
- v1: ``spec.indicator.spec.ratioMetric.{good|bad,total}.metricSource.{type,spec.query}``
  (or ``spec.indicatorRef`` naming an ``SLI`` object of the same file),
  ``spec.objectives[].target``, ``spec.timeWindow[{duration, isRolling}]``.

As in sloth, queries are Prometheus templates with ``{{.window}}``: the
alerts need the ratio over several windows, so a fixed range cannot work.
An SLO object with one objective keeps its name; with several, objective
``i`` becomes ``<name>-<i>`` (sloth's convention)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from steadygo.slo import ladder, sloth
from steadygo.slo.spec import (
    DEFAULT_SEVERITY, SLO, QuerySLI, Spec, TierSettings, Where, kind_of, mapping, objective_percent,
    slo_window, string_value,
)

API_VERSIONS = ("openslo/v1alpha", "openslo/v1")
_UNITS = {"Day": "d", "Week": "w"}  # v1alpha units steadygo's ladder can scale to
_DURATION = re.compile(r"^([0-9]+)([a-zA-Z]+)$")


def _default_tiers() -> dict:
    return {t: TierSettings(DEFAULT_SEVERITY[t]) for t in ("L1", "L2", "L3")}


def _target(value, where: Where) -> Decimal:
    """OpenSLO's target is a ratio (0.999); steadygo's objective a percentage."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.fail(f"expected a ratio like 0.999, got {kind_of(value)}")
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation:
        raise where.fail(f"{value!r} is not a number") from None
    if not ratio.is_finite() or not Decimal(0) < ratio <= 1:
        raise where.fail(f"{value} is outside (0, 1]")
    return objective_percent(str(ratio * 100), where, hundred_ok=True)


def _v1alpha_window(spec, where: Where) -> int:
    if "timeWindows" not in spec:
        return sloth.DEFAULT_PERIOD_S
    tw = spec["timeWindows"]
    w = where.key(spec, "timeWindows")
    if not isinstance(tw, list) or len(tw) != 1:
        raise w.fail("expected exactly one time window")
    iw = w.item(tw, 0)
    t = mapping(tw[0], iw, ("count", "unit", "isRolling", "calendar"), ("count", "unit"))
    unit = t["unit"]
    if unit not in _UNITS:
        raise iw.key(t, "unit").fail(f"unknown window unit {unit!r} (steadygo supports Day and Week)")
    count = t["count"]
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        raise iw.key(t, "count").fail(f"expected a positive whole number, got {kind_of(count)}")
    return slo_window(f"{count}{_UNITS[unit]}", iw.key(t, "count"))


def _v1_window(spec, where: Where) -> int:
    if "timeWindow" not in spec:
        raise where.fail("missing required key 'timeWindow'")
    tw = spec["timeWindow"]
    w = where.key(spec, "timeWindow")
    if not isinstance(tw, list) or len(tw) != 1:
        raise w.fail("expected exactly one time window")
    iw = w.item(tw, 0)
    t = mapping(tw[0], iw, ("duration", "isRolling", "calendar"), ("duration",))
    dw = iw.key(t, "duration")
    text = string_value(t["duration"], dw)
    m = _DURATION.match(text.strip())
    if not m or m.group(2) not in ("d", "w"):
        unit = m.group(2) if m else text
        raise dw.fail(f"unknown window unit in {text!r} ({unit!r}; steadygo supports whole days or weeks: 28d, 30d, 4w)")
    return slo_window(text.strip(), dw)


def _v1alpha_sli(objective, where: Where) -> QuerySLI:
    if "ratioMetrics" not in objective:
        raise where.fail("missing required key 'ratioMetrics' (steadygo reads ratio metrics only)")
    rw = where.key(objective, "ratioMetrics")
    rm = mapping(objective["ratioMetrics"], rw, ("good", "total", "counter"), ("good", "total"))
    queries = {}
    for part in ("good", "total"):
        pw = rw.key(rm, part)
        src = mapping(rm[part], pw, ("source", "queryType", "query", "metadata"), ("source", "queryType", "query"))
        if src["source"] not in ("prometheus", "sloth"):
            raise pw.key(src, "source").fail(f"source {src['source']!r} is not supported (expected prometheus)")
        if src["queryType"] != "promql":
            raise pw.key(src, "queryType").fail(f"query type {src['queryType']!r} is not supported (expected promql)")
        queries[part] = sloth.query_template(src["query"], pw.key(src, "query"))
    return _good_total(queries["good"], queries["total"], rw)


def _good_total(good: str, total: str, where: Where) -> QuerySLI:
    if good == total:
        raise where.fail("the good and total queries must not be the same")
    # The same shape sloth maps OpenSLO to: 1 - good/total as a raw ratio.
    return QuerySLI("raw", error_ratio_query=f"1 - (({good}) / ({total}))")


def _metric_query(value, where: Where) -> str:
    holder = mapping(value, where, ("metricSource",), ("metricSource",))
    mw = where.key(holder, "metricSource")
    ms = mapping(holder["metricSource"], mw, ("metricSourceRef", "type", "spec"), ("spec",))
    kind = ms.get("type", "Prometheus")
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        raise mw.key(ms, "type").fail(f"metric source type {kind!r} is not supported (expected Prometheus)")
    sw = mw.key(ms, "spec")
    spec = ms["spec"]
    if not isinstance(spec, dict):
        raise sw.fail(f"expected a mapping, got {kind_of(spec)}")
    if "query" not in spec:
        raise sw.fail("missing required key 'query'")
    return sloth.query_template(spec["query"], sw.key(spec, "query"))


def _v1_indicator(spec, where: Where, slis: dict) -> QuerySLI:
    if "indicator" in spec:
        iw = where.key(spec, "indicator")
        ind = mapping(spec["indicator"], iw, ("metadata", "spec"), ("spec",))
        sli_spec, sw = ind["spec"], iw.key(ind, "spec")
    elif "indicatorRef" in spec:
        rw = where.key(spec, "indicatorRef")
        ref = string_value(spec["indicatorRef"], rw)
        if ref not in slis:
            raise rw.fail(f"no SLI object named {ref!r} in this file (steadygo resolves indicatorRef within the file)")
        sli_spec, sw = slis[ref]
    else:
        raise where.fail("missing required key 'indicator' or 'indicatorRef'")
    s = mapping(sli_spec, sw, ("description", "ratioMetric", "thresholdMetric"))
    if "ratioMetric" not in s:
        raise sw.fail("missing required key 'ratioMetric' (steadygo reads ratio metrics only)")
    rw = sw.key(s, "ratioMetric")
    rm = mapping(s["ratioMetric"], rw, ("counter", "good", "bad", "total", "rawType", "raw"), ("total",))
    if ("good" in rm) == ("bad" in rm):
        raise rw.fail("give exactly one of 'good' or 'bad' next to 'total'")
    total = _metric_query(rm["total"], rw.key(rm, "total"))
    if "bad" in rm:
        bad = _metric_query(rm["bad"], rw.key(rm, "bad"))
        if bad == total:
            raise rw.fail("the bad and total queries must not be the same")
        return QuerySLI("events", error_query=bad, total_query=total)
    return _good_total(_metric_query(rm["good"], rw.key(rm, "good")), total, rw)


def sli_objects(docs_with_where) -> dict:
    """``SLI`` objects of an ``openslo/v1`` file by name, for ``indicatorRef``."""
    out = {}
    for doc, where in docs_with_where:
        if doc.get("apiVersion") == "openslo/v1" and doc.get("kind") == "SLI":
            meta = doc.get("metadata")
            if isinstance(meta, dict) and isinstance(meta.get("name"), str) and "spec" in doc:
                out[meta["name"]] = (doc["spec"], where.key(doc, "spec"))
    return out


def to_spec(doc, where: Where, path: str, seen: dict, slis: dict) -> Spec:
    version = doc["apiVersion"]
    mapping(doc, where, ("apiVersion", "kind", "metadata", "spec"), ("metadata", "spec"))
    mw = where.key(doc, "metadata")
    meta = mapping(doc["metadata"], mw, ("name", "displayName", "labels", "annotations", "namespace"), ("name",))
    base = sloth.name(meta["name"], mw.key(meta, "name"), "SLO name")
    sw = where.key(doc, "spec")
    allowed = ("service", "description", "budgetingMethod", "objectives", "indicator", "alertPolicies")
    allowed += ("timeWindows",) if version == "openslo/v1alpha" else ("timeWindow", "indicatorRef")
    spec = mapping(doc["spec"], sw, allowed, ("service", "objectives"))
    service = sloth.name(spec["service"], sw.key(spec, "service"), "service")
    method = spec.get("budgetingMethod", "Occurrences")
    if method != "Occurrences":
        raise sw.key(spec, "budgetingMethod").fail(f"budgeting method {method!r} is not supported (burn-rate alerts need Occurrences)")
    window_s = _v1alpha_window(spec, sw) if version == "openslo/v1alpha" else _v1_window(spec, sw)
    shared_sli = None if version == "openslo/v1alpha" else _v1_indicator(spec, sw, slis)
    ow = sw.key(spec, "objectives")
    objectives = spec["objectives"]
    if not isinstance(objectives, list) or not objectives:
        raise ow.fail("expected a non-empty list of objectives")
    description = string_value(spec["description"], sw.key(spec, "description"), empty_ok=True) if "description" in spec else ""
    slos = []
    for i, obj in enumerate(objectives):
        w = ow.item(objectives, i)
        keys = ("displayName", "value", "target", "op", "timeSliceTarget", "timeSliceWindow")
        keys += ("ratioMetrics",) if version == "openslo/v1alpha" else ()
        mapping(obj, w, keys, ("target",))
        name = base if len(objectives) == 1 else f"{base}-{i}"
        if (service, name) in seen:
            raise w.fail(f"duplicate SLO name {name!r} in service {service!r} (first defined at {seen[(service, name)]})")
        seen[(service, name)] = f"{path}:{w.line}"
        slos.append(SLO(
            name=name,
            objective=_target(obj["target"], w.key(obj, "target")),
            window_s=window_s,
            sli=shared_sli or _v1alpha_sli(obj, w),
            description=description,
            alerts={a.name: a.default_tier for a in ladder.LADDER},
            tiers=_default_tiers(),
            line=w.line,
            path=path,
        ))
    return Spec(service=service, slos=tuple(slos))
