"""Judge a parsed exposition (``runtime.exposition``): naming by the same
promlint the code rules use (SG510's ``golang.metric_defs.promlint``, so an
exposed name and a name in Go source get one verdict, the one
``promtool check metrics`` gives), plus what only a live exposition shows:
series per family, the label with the most distinct values, label values
shaped like ids, and histogram bucket layouts (SG941-SG946)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from steadygo.evidence.rules.sg9_runtime import sg941_exposed_metric_name_breaks_conventions as sg941
from steadygo.evidence.rules.sg9_runtime import sg942_exposed_metric_without_help as sg942
from steadygo.evidence.rules.sg9_runtime import sg943_metric_family_high_cardinality as sg943
from steadygo.evidence.rules.sg9_runtime import sg944_metric_label_value_unbounded as sg944
from steadygo.evidence.rules.sg9_runtime import sg945_histogram_too_few_buckets as sg945
from steadygo.evidence.rules.sg9_runtime import sg946_histogram_no_bucket_near_slo as sg946
from steadygo.findings import Finding
from steadygo.golang.metric_defs import promlint
from steadygo.runtime.exposition import Exposition, Family, finite_buckets

CHECKED_RULES = ("SG941", "SG942", "SG943", "SG944", "SG945", "SG946")


@dataclass(frozen=True)
class Thresholds:
    max_series: int = 1000  # series per family above this: SG943
    min_distinct: int = 20  # a label needs this many distinct values before its shape counts (SG944)
    min_buckets: int = 5  # finite bucket bounds below this: SG945
    slo_latency: float | None = None  # seconds; SG946 only when given
    slo_tolerance: float = 0.10  # a bound within 10% of the SLO counts as "at" it


# Value shapes that grow with traffic.  Checked on a sample of a label's
# distinct values; the shape must hold for most of them.
_SHAPES = (
    ("UUIDs", re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\Z")),
    ("e-mail addresses", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\Z")),
    ("paths with ids in them", re.compile(r"/(?:[^/]*/)*(?:\d+|[0-9a-fA-F]{8,}|[0-9a-fA-F-]{36})(?:/.*)?\Z")),
    ("numeric ids", re.compile(r"\d{4,}\Z")),
    ("hex ids or hashes", re.compile(r"(?=.*\d)[0-9a-fA-F]{16,}\Z")),
)
_SAMPLE = 100  # distinct values looked at per label
_MAJORITY = 0.8


# Cheap shape tests first: ipaddress is exact but slow, so it only sees
# values that already look like an address.
_IPV4ISH = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\Z")
_IPV6ISH = re.compile(r"\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:%\w+)?\]?(?::\d{1,5})?\Z")


def _is_ip(value: str) -> bool:
    if _IPV4ISH.match(value):
        return all(int(octet) <= 255 for octet in value.split(":", 1)[0].split("."))
    if not _IPV6ISH.match(value):
        return False
    host = value
    if value.startswith("[") and "]" in value:  # [::1]:9090
        host = value[1:value.index("]")]
    elif value.count(":") == 1:  # 10.0.0.1:9090
        host = value.split(":", 1)[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _mostly(values: list[str], test, need: int) -> bool:
    """At least ``need`` of ``values`` pass ``test``; stops as soon as that is
    decided either way."""
    hits, misses, allowed = 0, 0, len(values) - need
    for v in values:
        if test(v):
            hits += 1
            if hits >= need:
                return True
        else:
            misses += 1
            if misses > allowed:
                return False
    return False


def value_shape(values: list[str]) -> str | None:
    """The unbounded shape most of ``values`` share, or None."""
    if not values:
        return None
    need = max(1, int(len(values) * _MAJORITY))
    if _mostly(values, _is_ip, need):
        return "IP addresses"
    for shape, rx in _SHAPES:
        if _mostly(values, rx.match, need):
            return shape
    return None


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def top_label(fam: Family) -> tuple[str | None, int]:
    if not fam.labels:
        return None, 0
    name = max(sorted(fam.labels), key=lambda k: len(fam.labels[k]))
    return name, len(fam.labels[name])


def findings(expo: Exposition, th: Thresholds) -> list[Finding]:
    out: list[Finding] = []
    src = expo.source
    for fam in expo.families:
        problems = promlint(fam.name, fam.type, sorted(fam.labels))
        if problems:
            out.append(sg941.finding(src, fam.line, fam.name, fam.type, problems))
        if fam.help is None:
            out.append(sg942.finding(src, fam.line, fam.name, fam.type))
        if fam.series > th.max_series:
            label, distinct = top_label(fam)
            out.append(sg943.finding(src, fam.line, fam.name, fam.series, th.max_series, label, distinct))
        for label in sorted(fam.labels):
            values = fam.labels[label]
            if len(values) < th.min_distinct:
                continue
            sample = sorted(values)[:_SAMPLE] if len(values) <= 10 * _SAMPLE else _spread(values)
            shape = value_shape(sample)
            if shape:
                out.append(sg944.finding(src, fam.line, fam.name, label, shape, len(values), _shown(sample[0])))
        if fam.type == "histogram" and fam.buckets:
            out.extend(_bucket_findings(src, fam, th))
    return out


def _spread(values: set[str]) -> list[str]:
    """A deterministic sample of a big value set (sorted order, evenly spaced)."""
    ordered = sorted(values)
    step = max(1, len(ordered) // _SAMPLE)
    return ordered[::step][:_SAMPLE]


def _bucket_findings(src: str, fam: Family, th: Thresholds) -> list[Finding]:
    out = []
    bounds = finite_buckets(fam)
    if len(bounds) < th.min_buckets:
        out.append(sg945.finding(src, fam.line, fam.name, bounds, th.min_buckets))
    slo = th.slo_latency
    if slo is not None and "_seconds" in fam.name:
        near = [b for b in bounds if abs(b - slo) <= th.slo_tolerance * slo]
        if not near:
            nearest = min(bounds, key=lambda b: abs(b - slo)) if bounds else None
            out.append(sg946.finding(src, fam.line, fam.name, slo, nearest))
    return out


def summary(expo: Exposition, top: int) -> dict:
    """The cardinality view: totals, and the biggest families first."""
    rows = []
    for fam in sorted(expo.families, key=lambda f: (-f.series, f.name))[:top]:
        label, distinct = top_label(fam)
        rows.append({"family": fam.name, "type": fam.type, "series": fam.series, "line": fam.line,
                     "top_label": label, "top_label_values": distinct,
                     "buckets": len(finite_buckets(fam)) if fam.type == "histogram" else None})
    return {"format": expo.format, "families": len(expo.families), "series": expo.series, "lines": expo.lines,
            "top_families": rows}
