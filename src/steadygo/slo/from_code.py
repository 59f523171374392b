"""SLIs from the code: draft a spec from the metrics a Go service defines
(``slo init --src``), and check a spec's selectors against them (``slo check
--src``).

The metrics come from the engine's facts pass (``steadygo facts``): each
client_golang constructor with its constant name, label names and histogram
bucket bounds.  A selector that names a metric or label the code never
defines gives an alert that can never fire, and a latency threshold that is
not a bucket bound selects a series that does not exist; both stay silent in
Prometheus, which is why they are worth a check before deploying.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from steadygo.slo import promql_selectors
from steadygo.slo.selector import Selector
from steadygo.slo.spec import SLO, ErrorsSLI, LatencySLI, QuerySLI, Spec

# Labels Prometheus adds at scrape time (target labels) or that service
# discovery commonly attaches: the code never declares them.
TARGET_LABELS = frozenset({
    "job", "instance", "namespace", "pod", "container", "service", "node", "endpoint", "cluster", "region", "zone",
    "env", "environment", "app", "team",
})
STATUS_LABELS = ("code", "status", "status_code", "http_status", "response_code", "http_code")
_REQUESTISH = re.compile(r"(?i)request|http|rpc|handled")
_LATENCYISH = re.compile(r"(?i)duration|latency|response_time|request.*seconds")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def code_metrics(paths: list[str]):
    """(metrics with constant names, count of metrics named at run time,
    routes, module path) of the Go code under ``paths``."""
    from steadygo.config import Config
    from steadygo.engine import collect_facts

    facts, _ = collect_facts(paths, Config(), base=os.getcwd())
    named = [m for m in facts.metrics if m.name]
    return named, len(facts.metrics) - len(named), facts.routes, facts.module


def _where(m) -> str:
    return f"{m.location.path}:{m.location.line}"


def _status_label(m) -> str | None:
    return next((label for label in STATUS_LABELS if label in (m.labels or [])), None)


def request_counter(metrics):
    """The request counter an availability SLI counts: a counter with a
    status label, request-like names first."""
    counters = [m for m in metrics if m.type == "counter" and _status_label(m)]
    counters.sort(key=lambda m: (not _REQUESTISH.search(m.name), not m.name.endswith("_total"), m.name))
    return counters[0] if counters else None


def latency_histogram(metrics):
    hs = [m for m in metrics if m.type == "histogram" and m.name.endswith("_seconds") and _LATENCYISH.search(m.name)]
    hs.sort(key=lambda m: (not _REQUESTISH.search(m.name), m.bucket_bounds is None, m.name))
    return hs[0] if hs else None


def bound_text(v: float) -> str:
    """A bucket bound as client_golang writes it in ``le`` (Go's shortest
    float formatting: 0.5, 1, 2.5)."""
    return format(v, "g") if v != int(v) or abs(v) >= 1e21 else str(int(v))


def _pick_threshold(bounds: list[float]) -> float:
    # A typical API latency target; the bound nearest 0.5 s the code declares.
    return min(bounds, key=lambda b: (abs(b - 0.5), b))


def draft(paths: list[str]) -> tuple[str, list[str]]:
    """The drafted spec text, and notes on what could not be drafted."""
    metrics, unnamed, routes, module = code_metrics(paths)
    notes: list[str] = []
    counter = request_counter(metrics)
    hist = latency_histogram(metrics)
    service = re.sub(r"[^A-Za-z0-9_.-]+", "-", (module or os.path.basename(os.path.abspath(paths[0]))).rstrip("/").split("/")[-1])
    service = service.strip("-_.") or "my-service"
    if re.fullmatch(r"v[0-9]+", service) and module and module.count("/") >= 1:
        service = module.rstrip("/").split("/")[-2]
    head = [
        f"# Drafted by `steadygo slo init --src` from the metrics the Go code under {', '.join(paths)} defines.",
        "# Review the objectives and add the labels your alerts route on; `steadygo slo check --src` keeps",
        "# the selectors in step with the code.  Docs: docs/slo.md",
    ]
    route_paths = sorted({r.path for r in routes if getattr(r, "path", None)})
    if route_paths:
        shown = ", ".join(route_paths[:12]) + (f", ... ({len(route_paths)} in all)" if len(route_paths) > 12 else "")
        head.append(f"# Routes the code registers: {shown}")
    lines = head + ["version: 1", f"service: {service}", "slos:"]
    if counter is not None:
        status = _status_label(counter)
        lines += [
            f"  # {counter.name} ({_where(counter)}), labels: {', '.join(counter.labels)}",
            "  - name: availability",
            f"    description: Requests that do not fail with a 5xx (label {status!r}).",
            "    objective: 99.9",
            "    window: 30d",
            "    sli:",
            "      errors:",
            f"        bad: {counter.name}{{{status}=~\"5..\"}}",
            f"        total: {counter.name}",
        ]
    else:
        notes.append("no request counter with a status label (" + ", ".join(STATUS_LABELS) + ") found: no availability SLO drafted")
    if hist is not None and hist.bucket_bounds:
        le = _pick_threshold(hist.bucket_bounds)
        lines += [
            f"  # {hist.name} ({_where(hist)}), buckets: {', '.join(bound_text(b) for b in hist.bucket_bounds)}",
            "  - name: latency",
            f"    description: Requests served within {bound_text(le)} s (a bucket bound of the histogram).",
            "    objective: 99",
            "    window: 30d",
            "    sli:",
            "      latency:",
            f"        bucket: {hist.name}_bucket",
            f"        le: {bound_text(le)}",
            f"        buckets: [{', '.join(bound_text(b) for b in hist.bucket_bounds)}]",
        ]
    elif hist is not None:
        notes.append(f"{hist.name} ({_where(hist)}): its buckets are computed at run time; no latency SLO drafted")
    else:
        notes.append("no request-latency histogram (a _seconds histogram named like duration/latency) found: no latency SLO drafted")
    if unnamed:
        notes.append(f"{unnamed} metric(s) have names built at run time and were not considered")
    if counter is None and (hist is None or not hist.bucket_bounds):
        return "", notes
    return "\n".join(lines) + "\n", notes


def _selectors(sli) -> list[tuple[str, Selector]]:
    if isinstance(sli, ErrorsSLI):
        return [(k, s) for k, s in (("bad", sli.bad), ("good", sli.good), ("total", sli.total)) if s is not None]
    if isinstance(sli, LatencySLI):
        return [("bucket", sli.bucket)]
    return []


def check(specs: list[Spec], paths: list[str]) -> tuple[list[Problem], list[str]]:
    """Problems (spec path and line) with the selectors of ``specs`` against
    the code's metrics, and notes on what could not be checked."""
    metrics, unnamed, _, _ = code_metrics(paths)
    by_name = {m.name: m for m in metrics}
    problems: list[Problem] = []
    notes: list[str] = []
    if unnamed:
        notes.append(f"{unnamed} metric(s) of the code have names built at run time: a selector naming one of them "
                     "is reported as undefined")
    for spec in specs:
        for slo in spec.slos:
            if isinstance(slo.sli, QuerySLI):
                problems += _check_queries(slo, by_name, paths, notes)
                continue
            problems += _check_slo(slo, by_name, paths)
    return problems, notes


def _series_metric(series: str, by_name: dict):
    """(code metric, suffix) a series name belongs to: the metric itself, or a
    histogram's _bucket/_count/_sum or a summary's _count/_sum; (None, "")."""
    if series in by_name:
        return by_name[series], ""
    for suffix in ("_bucket", "_count", "_sum"):
        base = by_name.get(series[: -len(suffix)]) if series.endswith(suffix) else None
        if base is not None and (base.type == "histogram" or (base.type == "summary" and suffix != "_bucket")):
            return base, suffix
    return None, ""


def _undefined(role: str, series: str, by_name: dict, paths: list[str]) -> str:
    near = sorted(n for n in by_name if n.split("_")[-1] == series.split("_")[-1])[:3]
    hint = f" (the code defines {', '.join(near)})" if near else ""
    return f"{role} selects {series}, which the code under {', '.join(paths)} never defines: the alert can never fire{hint}"


def _label_problems(role: str, sel: Selector, m, suffix: str) -> list[str]:
    if m.labels is None:
        return []
    allowed = set(m.labels) | TARGET_LABELS
    if m.type == "histogram" and suffix in ("", "_bucket"):
        allowed.add("le")
    if m.type == "summary" and suffix == "":
        allowed.add("quantile")
    out = []
    for matcher in sel.matchers:
        if matcher.label not in allowed and not matcher.label.startswith("__"):
            status = _status_label(m)
            hint = f"; its status label is {status!r}" if status and matcher.label in STATUS_LABELS else ""
            out.append(f"{role} matches label {matcher.label!r}, which {m.name} ({_where(m)}) does not have "
                       f"(labels: {', '.join(m.labels) or 'none'}){hint}: the selector matches nothing")
    return out


def _check_queries(slo: SLO, by_name: dict, paths: list[str], notes: list[str]) -> list[Problem]:
    """The selectors with a metric name in a sloth/OpenSLO SLI's PromQL;
    recording-rule names (with a colon) come from rules, not the code."""
    out: list[Problem] = []
    queries = (("error_query", slo.sli.error_query), ("total_query", slo.sli.total_query),
               ("error_ratio_query", slo.sli.error_ratio_query))
    for role, query in queries:
        if not query:
            continue
        try:
            sels = promql_selectors.selectors(query)
        except promql_selectors.Unreadable as exc:
            notes.append(f"{slo.name}: {role} not checked against the code (cannot read its selectors: {exc})")
            continue
        for sel in sels:
            if ":" in sel.metric:
                notes.append(f"{slo.name}: {role} reads the recorded series {sel.metric}, not checked against the code")
                continue
            m, suffix = _series_metric(sel.metric, by_name)
            if m is None:
                messages = [_undefined(role, sel.metric, by_name, paths)]
            else:
                messages = _label_problems(role, sel, m, suffix)
                le = next((x for x in sel.matchers if x.label == "le" and x.op == "="), None)
                if le is not None and suffix == "_bucket":
                    problem = _le_problem(le.literal.strip("\"'`"), m)
                    messages += [f"{role}: {problem}"] if problem else []
            out += [Problem(slo.path, slo.line, f"slo {slo.name}: {msg}") for msg in messages]
    return out


def _check_slo(slo: SLO, by_name: dict, paths: list[str]) -> list[Problem]:
    out: list[Problem] = []

    def report(message: str) -> None:
        out.append(Problem(slo.path, slo.line, f"slo {slo.name}: {message}"))

    for role, sel in _selectors(slo.sli):
        if not sel.metric:
            continue
        if isinstance(slo.sli, LatencySLI):
            name = sel.metric[: -len("_bucket")] if sel.metric.endswith("_bucket") else sel.metric
            m, suffix = by_name.get(name), "_bucket"
        else:
            m, suffix = _series_metric(sel.metric, by_name)
        if m is None:
            report(_undefined(role, sel.metric, by_name, paths))
            continue
        if isinstance(slo.sli, LatencySLI) and m.type != "histogram":
            report(f"{sel.metric}: {m.name} is a {m.type} in the code ({_where(m)}), not a histogram")
            continue
        for message in _label_problems(role, sel, m, suffix):
            report(message)
        if isinstance(slo.sli, LatencySLI):
            message = _le_problem(str(slo.sli.le), m)
            if message:
                report(message)
    return out


def _le_problem(le_text: str, m) -> str | None:
    """A threshold that is none of the histogram's bucket bounds: no such series."""
    if not m.bucket_bounds:
        return None
    try:
        le = float(le_text)
    except ValueError:
        return None
    if any(abs(le - b) <= 1e-12 * max(1.0, abs(b)) for b in m.bucket_bounds):
        return None
    return (f"le {le_text} is not a bucket bound of {m.name} ({_where(m)}: "
            f"{', '.join(bound_text(b) for b in m.bucket_bounds)}): no such series exists")
