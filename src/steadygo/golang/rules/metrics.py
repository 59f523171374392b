"""Prometheus metric definitions (SG51x): names, help, labels, cardinality.

Names are joined from ``Namespace``/``Subsystem``/``Name`` the way
``prometheus.BuildFQName`` joins them.  The naming checks are a port of the
lints ``promtool check metrics`` runs (client_golang ``testutil/promlint``),
with the same wording, so a finding here is a finding there;
``tests/test_promtool_agreement.py`` holds the two side by side.
"""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.facts import PROMAUTO, PROMETHEUS, Metric, extract_facts, node_of, service_facts_for
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta
from steadygo.golang.values import assigned_from

PROM = (PROMETHEUS, PROMAUTO)




# --------------------------------------------------------------------------
# promlint, ported

_UNITS = {
    "amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams", "joules": "joules",
    "kelvin": "kelvin", "meters": "meters", "metres": "metres", "seconds": "seconds", "volts": "volts",
    "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
    "kelvins": "kelvin", "fahrenheit": "celsius", "rankine": "celsius",
    "inches": "meters", "yards": "meters", "miles": "meters", "bits": "bytes", "calories": "joules",
    "pounds": "grams", "ounces": "grams",
}
_PREFIXES = ("pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi",
             "giga", "gibi", "tera", "tebi", "peta", "pebi")
_ABBREVIATIONS = ("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d")
_TYPES = ("counter", "gauge", "summary", "histogram", "gauge_histogram")
_CAMEL = re.compile(r"[a-z][A-Z]")
LEGAL_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LEGAL_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _unit_of(name: str) -> tuple[str, str] | None:
    words = name.split("_")
    hits = []
    for unit, base in _UNITS.items():
        for p in (*_PREFIXES, ""):
            if p + unit in words:
                hits.append((p + unit, base))
    # promlint stops at the first hit in Go map order (random); prefer a
    # non-base unit so the advice is deterministic and never misses one.
    for u, b in hits:
        if u != b:
            return u, b
    return hits[0] if hits else None


def promlint(name: str, mtype: str, labels=()) -> list[str]:
    """The problems ``promtool check metrics`` reports for a metric family
    with this name, type and label names, except "no help text" (SG511)."""
    out = []
    unit = _unit_of(name)
    if unit is not None and unit[0] != unit[1]:
        out.append(f'use base unit "{unit[1]}" instead of "{unit[0]}"')
    is_total = name.endswith("_total")
    if mtype == "counter" and not is_total:
        out.append('counter metrics should have "_total" suffix')
    elif mtype != "counter" and is_total:
        out.append('non-counter metrics should not have "_total" suffix')
    if mtype != "histogram" and name.endswith("_bucket"):
        out.append('non-histogram metrics should not have "_bucket" suffix')
    if mtype not in ("histogram", "summary") and name.endswith("_count"):
        out.append('non-histogram and non-summary metrics should not have "_count" suffix')
    if mtype not in ("histogram", "summary") and name.endswith("_sum"):
        out.append('non-histogram and non-summary metrics should not have "_sum" suffix')
    if mtype != "histogram" and "le" in labels:
        out.append('non-histogram metrics should not have "le" label')
    if mtype != "summary" and "quantile" in labels:
        out.append('non-summary metrics should not have "quantile" label')
    low = name.lower()
    for t in _TYPES:
        if f"_{t}_" in low or low.endswith(f"_{t}"):
            out.append(f"metric name should not include type '{t}'")
    if ":" in name:
        out.append("metric names should not contain ':'")
    if _CAMEL.search(name):
        out.append("metric names should be written in 'snake_case' not 'camelCase'")
    for lab in labels:
        if _CAMEL.search(lab):
            out.append("label names should be written in 'snake_case' not 'camelCase'")
    for a in _ABBREVIATIONS:
        if f"_{a}_" in low or low.endswith(f"_{a}"):
            out.append("metric names should not contain abbreviated units")
    return out


def _advice(problem: str) -> str:
    if "abbreviated units" in problem:
        return "spell the base unit out (_seconds, _bytes)"
    if "base unit" in problem:
        return "convert to the base unit when observing"
    if "_total" in problem and "should have" in problem:
        return "rate() and increase() dashboards expect it"
    if "':'" in problem:
        return "colons are reserved for recording rules"
    return ""


def _metrics_in_file(ctx: FileContext) -> list[Metric]:
    facts = extract_facts(ctx.pkg)
    return [m for m in facts.metrics if m.location.path == ctx.file.relpath]


# --------------------------------------------------------------------------
# Rules


class MetricNameBreaksConventions(GoRule):
    meta = _meta(
        "SG510",
        "metric-name-breaks-conventions",
        Severity.WARNING,
        "Dashboards, alerts and recording rules written to the Prometheus conventions silently match nothing, or mis-scale by 1000x, when names and units do not follow them.",
        "Metric name fails a `promtool check metrics` naming lint (_total suffix, base units, reserved suffixes, type in name, camelCase, colons).",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            if not m.name or not LEGAL_NAME.match(m.name):
                continue  # unknown, or illegal (SG512)
            problems = promlint(m.name, m.type, m.labels or ())
            if problems:
                adv = _advice(problems[0])
                ctx.report(node_of(ctx.pkg, m), f"{m.type} {m.name!r}: " + "; ".join(problems) + (f" ({adv})" if adv else ""))


class MetricWithoutHelp(GoRule):
    meta = _meta(
        "SG511",
        "metric-without-help",
        Severity.INFO,
        "Whoever is paged at 3 a.m. sees a metric name and no explanation of what it counts or in which unit.",
        "Metric defined with no Help text, or an empty one.",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            if m.help is not None and not m.help.strip():
                ctx.report(node_of(ctx.pkg, m), f"metric {m.name or '(computed name)'!r} has no Help text: say what it "
                           "measures and in which unit")


class InvalidMetricName(GoRule):
    meta = _meta(
        "SG512",
        "invalid-metric-name",
        Severity.ERROR,
        "A metric or label name outside [a-zA-Z_:][a-zA-Z0-9_:]* is refused at registration by client_golang releases without UTF-8 names (MustRegister panics at start-up) and needs quoting or escaping everywhere else.",
        "Metric or label name with characters that are not legal in a classic Prometheus name (-, ., %, space, leading digit).",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            node = node_of(ctx.pkg, m)
            if m.name is not None and m.name and not LEGAL_NAME.match(m.name):
                ctx.report(node, f"metric name {m.name!r} is not a legal Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*): "
                           "older client_golang panics when registering it, PromQL needs quoting; use snake_case")
            elif m.name == "":
                ctx.report(node, "metric has an empty Name: registration fails (prometheus.NewDesc rejects it)")
            for lab in m.labels or ():
                if not LEGAL_LABEL.match(lab) or lab.startswith("__"):
                    ctx.report(node, f"label name {lab!r} is not a legal Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, "
                               "no leading __): registration fails")


_QUANTILE = re.compile(r"(?:^|_)(p\d{2,3}|p99\d*|percentile\d*|quantile\d*|median)(?:_|$)")
_STATUS = re.compile(r"(?:^|_)(status_?[1-5]\d\d|[1-5]xx|[1-5]\d\d)(?:_|$)")
_METHOD = re.compile(r"^(?:[a-z0-9]+_)*?(get|post|put|delete|patch)_(?:[a-z0-9]+_)*(requests?|calls?)(?:_|$)")


class MetricNameEncodesLabel(GoRule):
    meta = _meta(
        "SG513",
        "metric-name-encodes-label-or-quantile",
        Severity.WARNING,
        "Values baked into names (status 200, GET, p99) multiply metrics, cannot be summed or re-aggregated, and pre-computed quantiles cannot be combined across instances.",
        "Metric name that carries a label value (status code, HTTP method) or a pre-computed quantile (p95, p99).",
        status="preview",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            if not m.name or not LEGAL_NAME.match(m.name):
                continue
            low = m.name.lower()
            q = _QUANTILE.search(low)
            node = node_of(ctx.pkg, m)
            if q:
                ctx.report(node, f"metric {m.name!r} encodes a quantile ({q.group(1)}) in its name: quantiles cannot be "
                           "aggregated across instances; use a histogram and histogram_quantile()")
                continue
            s = _STATUS.search(low) or _METHOD.search(low)
            if s:
                ctx.report(node, f"metric {m.name!r} bakes a label value ({s.group(1)}) into its name: use one metric "
                           "with a label (code, method) so it can be summed and filtered")


class DuplicateMetricName(GoRule):
    meta = _meta(
        "SG514",
        "duplicate-metric-name",
        Severity.ERROR,
        "Registering the same name twice makes MustRegister (and every promauto constructor) panic at start-up; with separate registries the two series collide at scrape time.",
        "Two metric definitions with the same fully-qualified name in one module.",
    )
    module_facts = ('metrics',)
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        mine = _metrics_in_file(ctx)
        if not mine:
            return
        # Module facts and the package's own name files alike (by the path
        # reports show), so a definition is found at one place only.
        everything = service_facts_for(ctx.pkg, "metrics").metrics
        for m in mine:
            if not m.name:
                continue
            me = (m.location.path, m.location.line)
            same = sorted({(o.location.path, o.location.line) for o in everything if o.name == m.name} | {me})
            if len(same) < 2 or same[0] == me:
                continue  # report the later definitions, each pointing at the first
            shown, line = same[0]
            ctx.report(node_of(ctx.pkg, m), f"metric {m.name!r} is also defined at {shown}:{line}: "
                       "registering both in one registry panics; share one definition")


_UNBOUNDED = re.compile(
    r"^(user(_?id)?|uid|email|e_?mail|ip|ip_?addr(ess)?|client_?ip|remote_?addr(ess)?|request_?id|req_?id|trace_?id|span_?id"
    r"|session(_?id)?|url|uri|raw_?path|raw_?url|query|query_?string|token|uuid|(customer|order|account|tenant_user|device)_?id|phone|username)$"
)


class UnboundedMetricLabel(GoRule):
    meta = _meta(
        "SG515",
        "unbounded-metric-label",
        Severity.WARNING,
        "Every distinct user, IP, request id or URL becomes a new time series: memory in the service and in Prometheus grows without bound until one of them is OOM-killed.",
        "Metric label whose name denotes an unbounded value (user_id, email, ip, request_id, trace_id, session, url, query).",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            bad = [lab for lab in (m.labels or ()) if _UNBOUNDED.match(lab.lower())]
            if bad:
                ctx.report(node_of(ctx.pkg, m), f"metric {m.name or '(computed name)'!r} has label(s) {', '.join(bad)} whose values are "
                           "unbounded: one time series per value; put such values in logs or traces, not labels")


_REQUEST_DATA = re.compile(
    r"\.URL\.(Path|String\(\)|RawQuery|RawPath|Query\(\))|\.URL\b(?!\.)|\.RequestURI\b|\.RemoteAddr\b|\.Header\.Get\(|\.UserAgent\(\)|\.Referer\(\)"
    r"|\.PathValue\(|\.ClientIP\(\)|\.RealIP\(\)|\.OriginalURL\(\)|\.Param\(|\.Params\(|\.Query\(|\.QueryParam\(|\.FormValue\(|\.PostFormValue\("
    r"|\bmux\.Vars\(|\bchi\.URLParam\(|\.IP\(\)|\.Hostname\(\)"
)
_LABEL_CALLS_Q = """
(call_expression function: (selector_expression field: (field_identifier) @m
  (#any-of? @m "WithLabelValues" "GetMetricWithLabelValues" "With" "GetMetricWith" "MustCurryWith" "CurryWith")) arguments: (argument_list) @args) @call
"""


class MetricLabelFromRequest(GoRule):
    meta = _meta(
        "SG516",
        "metric-label-from-request-data",
        Severity.WARNING,
        "A label value taken straight from the request (raw path, query, client IP, header) lets any client create new time series: a scanner walking URLs exhausts memory.",
        "Metric label value taken from raw request data (r.URL.Path, query, params, headers, client IP).",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in captures(_LABEL_CALLS_Q, f.root).get("call", []):
            fn = call.child_by_field_name("function")
            method = text(fn.child_by_field_name("field"))
            args = call.child_by_field_name("arguments").named_children
            values = args
            if method in ("With", "GetMetricWith", "MustCurryWith", "CurryWith"):
                if len(args) != 1:
                    continue
                lit = unparen(args[0])
                if lit is None or lit.type != "composite_literal" or not f.is_member(lit.child_by_field_name("type"), PROMETHEUS, "Labels"):
                    continue
                body = lit.child_by_field_name("body")
                values = [el.named_child(1) for el in body.named_children if el.type == "keyed_element"]
            fi = ctx.funcs.enclosing(call)
            scope = fi.body if fi is not None else None
            for v in values:
                src = self._request_source(v, scope)
                if src:
                    ctx.report(call, f"metric label value comes from request data ({src}): every distinct value is a new "
                               "time series; use the route pattern (r.Pattern, c.FullPath()) or a bounded set of values")
                    break

    @staticmethod
    def _request_source(v, scope) -> str:
        v = unparen(v)
        if v is None:
            return ""
        v = v.named_child(0) if v.type == "literal_element" else v
        t = text(v)
        if "FullPath()" in t or ".Pattern" in t or ".Route()" in t:
            return ""
        m = _REQUEST_DATA.search(t)
        if m:
            return " ".join(t.split())[:60]
        if v.type == "identifier" and scope is not None:
            for rhs in assigned_from(scope, t):
                rt = text(rhs)
                if "FullPath()" not in rt and _REQUEST_DATA.search(rt):
                    return f"{t} := {' '.join(rt.split())[:50]}"
        return ""


class HistogramDefaultBuckets(GoRule):
    meta = _meta(
        "SG517",
        "histogram-default-buckets",
        Severity.INFO,
        "The default buckets (5ms to 10s) rarely match the latency SLO or the unit measured: quantiles and SLO burn rates computed from them are off by a bucket width.",
        "Histogram defined without explicit Buckets.",
        status="preview",
    )
    requires_imports = PROM

    def check(self, ctx: FileContext) -> None:
        for m in _metrics_in_file(ctx):
            if m.type != "histogram" or m.buckets or m.help is None:
                continue  # help None: the options were not visible, so neither are the buckets
            name = m.name or ""
            if name and not name.endswith("_seconds") and "seconds" not in name.split("_"):
                msg = (f"histogram {name!r} uses the default buckets, which are latencies in seconds (0.005..10): "
                       "meaningless for this unit; set Buckets (prometheus.ExponentialBuckets)")
            else:
                msg = (f"histogram {name or '(computed name)'!r} uses the default buckets (5ms..10s): set Buckets around "
                       "your latency SLO so quantiles and burn rates are accurate")
            ctx.report(node_of(ctx.pkg, m), msg)


_REQUEST_METRIC = re.compile(r"request|http|rpc|grpc|latency|duration|handled|response")
_REQUEST_MIDDLEWARE = ("github.com/slok/go-http-metrics", "github.com/zsais/go-gin-prometheus", "github.com/labstack/echo-contrib",
                       "github.com/grpc-ecosystem/go-grpc-prometheus", "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus",
                       "github.com/penglongli/gin-metrics", "go.opentelemetry.io/otel/exporters/prometheus",
                       "github.com/ansrivas/fiberprometheus")


class ServiceWithoutRequestMetrics(GoRule):
    meta = _meta(
        "SG518",
        "metrics-endpoint-without-request-metrics",
        Severity.INFO,
        "The service exposes /metrics but no request rate, error or latency series: the first question of every incident (is it slow, is it failing, for whom) has no graph and no alert.",
        "A service serves promhttp's metrics handler but defines no request/latency metric and uses no HTTP/gRPC metrics middleware.",
        status="preview",
    )
    module_facts = ('metrics',)
    requires_imports = ("net/http", "github.com/gin-gonic/gin", "github.com/labstack/echo", "github.com/gofiber/fiber")

    def check(self, ctx: FileContext) -> None:
        from steadygo.golang.facts import module_import_paths
        from steadygo.golang.rules.shutdown import file_listeners

        if ctx.file.package_name != "main":
            return
        listeners = file_listeners(ctx)
        if not listeners:
            return
        own = extract_facts(ctx.pkg)
        facts = service_facts_for(ctx.pkg, "metrics")
        kinds = {m.kind for m in own.metrics_handlers + facts.metrics_handlers}
        if not kinds & {"promhttp.Handler", "promhttp.HandlerFor"}:
            return
        if any(k.startswith("promhttp.InstrumentHandler") for k in kinds):
            return
        if any(m.name and _REQUEST_METRIC.search(m.name) for m in own.metrics + facts.metrics):
            return
        required = module_import_paths(ctx.pkg.module.root) if ctx.pkg.module.root else frozenset()
        imported = {p for f in ctx.pkg.files for p in f.imports.paths}
        if any(r.startswith(m) for r in required | imported for m in _REQUEST_MIDDLEWARE):
            return
        ctx.report(node_of(ctx.pkg, listeners[0]), "the service exposes Prometheus metrics but no request metrics: no rate, "
                   "error or latency series to alert on; wrap handlers with promhttp.InstrumentHandlerDuration/Counter "
                   "(or a metrics middleware) keyed by route pattern")


RULES = [
    MetricNameBreaksConventions(),
    MetricWithoutHelp(),
    InvalidMetricName(),
    MetricNameEncodesLabel(),
    DuplicateMetricName(),
    UnboundedMetricLabel(),
    MetricLabelFromRequest(),
    HistogramDefaultBuckets(),
    ServiceWithoutRequestMetrics(),
]
