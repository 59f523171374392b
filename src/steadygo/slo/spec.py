"""Load and validate an SLO spec.  Every error names the file, the line, the
key path and what is wrong, in one line (``spec.yaml:12: slos[1].objective:
100.5 is outside (0, 100)``); the generator only ever sees a valid ``Spec``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from steadygo.errors import UserError
from steadygo.slo import ladder, selector, yamlsrc
from steadygo.slo.yamlsrc import LocatedDict, LocatedList

TIERS = ("L1", "L2", "L3")
# PagerDuty's severity vocabulary, so the label works with its integration as is.
DEFAULT_SEVERITY = {"L1": "warning", "L2": "error", "L3": "critical"}

# Buckets of client_golang's prometheus.DefBuckets: what a Go histogram gets
# when nobody declares buckets.  An SLO threshold that is not a boundary
# selects no series, the SLI is empty, and the alerts can never fire.
GO_DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# Labels the generator sets; user labels may not shadow them, or routing and
# the recording-rule joins would silently break.  steadygo's own tier label is
# ``slo_tier``, namespaced as sloth namespaces its ``sloth_*`` labels: ``tier``
# is a common user label (9 of the 18 files in sloth v0.16.0's examples/ set
# it, getting-started.yml among them) and stays the user's.
RESERVED_LABELS = frozenset(
    {"alertname", "service", "slo", "sli", "objective", "slo_window", "slo_tier", "severity",
     "burn_rate", "long_window", "short_window", "le", "events"}
)

_SLO_NAME = re.compile(r"^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
MIN_WINDOW_S = 7 * ladder.DAY
MAX_WINDOW_S = 90 * ladder.DAY


@dataclass(frozen=True)
class TierSettings:
    severity: str
    labels: dict = field(default_factory=dict)
    remediation: str | None = None
    annotations: dict = field(default_factory=dict)  # sloth's per-alert annotations; override ours


@dataclass(frozen=True)
class ErrorsSLI:
    """Error ratio from counters: ``bad/total`` or ``1 - good/total``."""

    total: selector.Selector
    bad: selector.Selector | None = None
    good: selector.Selector | None = None
    kind: str = "errors"


@dataclass(frozen=True)
class LatencySLI:
    """Share of requests slower than ``le`` from a histogram's ``_bucket`` series."""

    bucket: selector.Selector
    le: str  # label value exactly as the exporter writes it
    buckets: tuple[float, ...]
    kind: str = "latency"


@dataclass(frozen=True)
class QuerySLI:
    """An error ratio from PromQL templates, as sloth and OpenSLO write them:
    ``error_query``/``total_query`` (kind ``events``) or one
    ``error_ratio_query`` (kind ``raw``), each with ``{{.window}}`` where the
    range goes.  Kept as text: they are arbitrary PromQL, not selectors."""

    kind: str
    error_query: str | None = None
    total_query: str | None = None
    error_ratio_query: str | None = None


DEFAULT_ALERT_NAME = "SLOErrorBudgetBurn"


@dataclass(frozen=True)
class SLO:
    name: str
    objective: Decimal  # percent, e.g. Decimal("99.9")
    window_s: int
    sli: ErrorsSLI | LatencySLI | QuerySLI
    description: str = ""
    labels: dict = field(default_factory=dict)
    runbook_url: str | None = None
    alerts: dict = field(default_factory=dict)  # ladder name -> tier, or None when off
    tiers: dict = field(default_factory=dict)  # tier -> TierSettings
    line: int = 0  # where the SLO starts in the spec, for promtool errors
    path: str = field(default="", compare=False)  # the spec file it came from (several may be given)
    alert_name: str = DEFAULT_ALERT_NAME  # sloth's alerting.name
    # Labels every sum keeps (`sum by (cluster)`), so each alert carries them
    # for Alertmanager to route on; empty: one series per SLO.
    group_by: tuple[str, ...] = ()
    annotations: dict = field(default_factory=dict)  # sloth's alerting.annotations, on every tier

    @property
    def error_budget(self) -> Decimal:
        """Allowed error ratio, exact: 99.9 -> 0.001."""
        return (Decimal(100) - self.objective) / Decimal(100)


@dataclass(frozen=True)
class Spec:
    service: str
    slos: tuple[SLO, ...]
    labels: dict = field(default_factory=dict)


def load(path: str) -> Spec:
    return validate(yamlsrc.load(path), path)


def loads(text: str, path: str = "<spec>") -> Spec:
    return validate(yamlsrc.loads(text, path), path)


class Where:
    """A position in the document: file, line and dotted key path."""

    def __init__(self, path: str, line: int, keypath: str):
        self.path, self.line, self.keypath = path, line, keypath

    def key(self, d: LocatedDict, key: str) -> "Where":
        line = d.key_lines.get(key, d.line) if isinstance(d, LocatedDict) else self.line
        kp = f"{self.keypath}.{key}" if self.keypath else key
        return Where(self.path, line, kp)

    def item(self, lst: LocatedList, i: int) -> "Where":
        line = lst.item_lines[i] if isinstance(lst, LocatedList) else self.line
        return Where(self.path, line, f"{self.keypath}[{i}]")

    def fail(self, message: str) -> UserError:
        where = f"{self.keypath}: " if self.keypath else ""
        return UserError(f"{self.path}:{self.line}: {where}{message}")


def mapping(value, where: Where, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> LocatedDict:
    if not isinstance(value, dict):
        raise where.fail(f"expected a mapping, got {kind_of(value)}")
    for key in value:
        if key not in allowed:
            raise where.key(value, key).fail(f"unknown key (expected one of: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            raise where.fail(f"missing required key {key!r}")
    return value


def kind_of(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return type(value).__name__


def string_value(value, where: Where, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise where.fail(f"expected a string, got {kind_of(value)}")
    if not empty_ok and not value.strip():
        raise where.fail("must not be empty")
    return value


def label_map(value, where: Where, skip: tuple[str, ...] = ()) -> dict:
    """``skip``: keys the caller reads itself (sloth's ``severity``)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.fail(f"expected a mapping of label names to strings, got {kind_of(value)}")
    out = {}
    for k, v in value.items():
        if k in skip:
            continue
        w = where.key(value, k)
        if not isinstance(k, str) or not _LABEL_NAME.match(k) or k.startswith("__"):
            raise w.fail("not a valid Prometheus label name")
        if k in RESERVED_LABELS:
            raise w.fail("is set by steadygo; choose another label name")
        if not isinstance(v, str):
            raise w.fail(f"label value must be a string (quote it), got {kind_of(v)}")
        out[k] = v
    return out


def _selector(value, where: Where) -> selector.Selector:
    if value is None:
        raise where.fail("empty selector")
    text = string_value(value, where, empty_ok=True)
    try:
        return selector.parse(text)
    except selector.SelectorError as exc:
        raise where.fail(f"{exc}: {text.strip()!r}" if text.strip() else str(exc)) from None


def _tier_settings(value, where: Where, base: dict) -> dict:
    """Per-tier settings merged over ``base`` (service-level or defaults)."""
    out = dict(base)
    if value is None:
        return out
    mapping(value, where, TIERS)
    for tier, settings in value.items():
        w = where.key(value, tier)
        if settings is None:
            continue
        mapping(settings, w, ("severity", "labels", "remediation"))
        prev = out[tier]
        severity = string_value(settings["severity"], w.key(settings, "severity")) if "severity" in settings else prev.severity
        labels = {**prev.labels, **label_map(settings.get("labels"), w.key(settings, "labels"))}
        remediation = prev.remediation
        if "remediation" in settings:
            rw = w.key(settings, "remediation")
            if tier != "L3":
                raise rw.fail("only L3 may carry a remediation hook: automated actions belong to the tier that already calls a human")
            remediation = string_value(settings["remediation"], rw)
        out[tier] = TierSettings(severity, labels, remediation)
    return out


def objective_percent(value, where: Where, *, hundred_ok: bool = False) -> Decimal:
    """``hundred_ok``: sloth and OpenSLO accept 100% (a zero budget, where
    any error burns); steadygo's own format keeps rejecting it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.fail(f"expected a percentage like 99.9, got {kind_of(value)}")
    try:
        obj = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise where.fail(f"{value!r} is not a number") from None
    if not obj.is_finite() or not (Decimal(0) < obj < Decimal(100) or (hundred_ok and obj == 100)):
        raise where.fail(f"{value} is outside (0, {'100]' if hundred_ok else '100)'}")
    return obj


def slo_window(value, where: Where) -> int:
    if not isinstance(value, str):
        raise where.fail(f"expected a duration like 30d or 4w, got {kind_of(value)}")
    secs = ladder.parse_slo_window(value.strip())
    if secs is None:
        raise where.fail(f"{value!r} is not a whole number of days or weeks (e.g. 30d, 28d, 4w)")
    if not MIN_WINDOW_S <= secs <= MAX_WINDOW_S:
        shortest = ladder.format_duration(ladder.scaled(ladder.LADDER[0].short_s, secs))
        longest = ladder.format_duration(ladder.scaled(ladder.LADDER[-1].long_s, secs))
        raise where.fail(
            f"{value} must be between 7d and 90d: alert windows scale with it "
            f"(here {shortest} to {longest}) and must stay above a few scrapes and within retention"
        )
    return secs


def go_float(v: float) -> str:
    """Format a bucket bound the way client_golang's text exposition writes
    the ``le`` label (Go's ``strconv.FormatFloat(v, 'g', -1, 64)``)."""
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    d = Decimal(repr(abs(v))).normalize()
    digits = "".join(map(str, d.as_tuple().digits))
    exp10 = d.adjusted()  # exponent of the leading digit
    if exp10 < -4 or exp10 >= 6:
        # Go's shortest 'g' uses exponent form below 1e-4 and from 1e6 up.
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'+' if exp10 >= 0 else '-'}{abs(exp10):02d}"
    return sign + format(d, "f")


def _le(value, where: Where) -> tuple[str, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise where.fail(f"expected a bucket bound in seconds like 0.35, got {kind_of(value)}")
    try:
        num = float(value)
    except ValueError:
        raise where.fail(f"{value!r} is not a number") from None
    if not math.isfinite(num) or num <= 0:
        raise where.fail(f"{value} must be a finite positive bucket bound")
    # A string is taken verbatim: the escape hatch for exporters that write
    # bounds differently (OpenMetrics writes 1 as "1.0").
    return (value.strip() if isinstance(value, str) else go_float(num)), num


def _buckets(value, where: Where) -> tuple[float, ...]:
    if value is None:
        return GO_DEFAULT_BUCKETS
    if not isinstance(value, list) or not value:
        raise where.fail("expected a non-empty list of bucket upper bounds")
    out = []
    for i, b in enumerate(value):
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not math.isfinite(b) or b <= 0:
            raise where.item(value, i).fail(f"{b!r} is not a finite positive number")
        out.append(float(b))
    if out != sorted(set(out)):
        raise where.fail("bucket bounds must be strictly increasing")
    return tuple(out)


def _sli(value, where: Where):
    sli = mapping(value, where, ("errors", "latency"))
    if len(sli) != 1:
        raise where.fail("give exactly one of 'errors' (bad/total or good/total) or 'latency'")
    if "errors" in sli:
        w = where.key(sli, "errors")
        e = mapping(sli["errors"], w, ("bad", "good", "total"), ("total",))
        if ("bad" in e) == ("good" in e):
            raise w.fail("give exactly one of 'bad' or 'good' next to 'total'")
        total = _selector(e["total"], w.key(e, "total"))
        if "bad" in e:
            return ErrorsSLI(total=total, bad=_selector(e["bad"], w.key(e, "bad")))
        return ErrorsSLI(total=total, good=_selector(e["good"], w.key(e, "good")))
    w = where.key(sli, "latency")
    lat = mapping(sli["latency"], w, ("bucket", "le", "buckets"), ("bucket", "le"))
    bw = w.key(lat, "bucket")
    sel = _selector(lat["bucket"], bw)
    if sel.metric and not sel.metric.endswith("_bucket"):
        raise bw.fail(f"{sel.metric!r} is not a histogram bucket series (name should end in _bucket)")
    if any(m.label == "le" for m in sel.matchers):
        raise bw.fail("must not match on 'le': steadygo adds le from sli.latency.le and le=\"+Inf\" for the total")
    lw = w.key(lat, "le")
    le_text, le_num = _le(lat["le"], lw)
    buckets = _buckets(lat.get("buckets"), w.key(lat, "buckets"))
    if not any(math.isclose(le_num, b, rel_tol=0, abs_tol=1e-12) for b in buckets):
        source = "sli.latency.buckets" if "buckets" in lat else "client_golang's default buckets; list the histogram's own under sli.latency.buckets"
        raise lw.fail(
            f"{lat['le']} is not a bucket boundary ({source}: {', '.join(go_float(b) for b in buckets)}); "
            "no series would match and the alerts could never fire"
        )
    return LatencySLI(bucket=sel, le=le_text, buckets=buckets)


def _alerts(value, where: Where) -> dict:
    out = {a.name: a.default_tier for a in ladder.LADDER}
    if value is None:
        return out
    mapping(value, where, ladder.LADDER_NAMES)
    for name, tier in value.items():
        w = where.key(value, name)
        if tier is False or tier == "off":  # YAML 1.1 reads a bare off as False
            out[name] = None
        elif tier in TIERS:
            out[name] = tier
        else:
            raise w.fail(f"{tier!r} is not a tier (expected L1, L2, L3 or off)")
    return out


TOP_KEYS = ("version", "service", "labels", "runbook_url", "tiers", "slos")
SLO_KEYS = ("name", "description", "objective", "window", "sli", "labels", "runbook_url", "tiers", "alerts", "group_by")


def validate(doc, path: str) -> Spec:
    root = Where(path, getattr(doc, "line", 1) or 1, "")
    if doc is None:
        raise root.fail("the spec is empty")
    mapping(doc, root, TOP_KEYS, ("service", "slos"))
    if "version" in doc and doc["version"] != 1:
        raise root.key(doc, "version").fail(f"unsupported version {doc['version']!r} (expected 1)")
    service = string_value(doc["service"], root.key(doc, "service"))
    svc_labels = label_map(doc.get("labels"), root.key(doc, "labels"))
    svc_runbook = string_value(doc["runbook_url"], root.key(doc, "runbook_url")) if "runbook_url" in doc else None
    default_tiers = {t: TierSettings(DEFAULT_SEVERITY[t]) for t in TIERS}
    svc_tiers = _tier_settings(doc.get("tiers"), root.key(doc, "tiers"), default_tiers)

    sw = root.key(doc, "slos")
    raw_slos = doc["slos"]
    if not isinstance(raw_slos, list) or not raw_slos:
        raise sw.fail("expected a non-empty list of SLOs")
    slos: list[SLO] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_slos):
        w = sw.item(raw_slos, i)
        mapping(raw, w, SLO_KEYS, ("name", "objective", "sli"))
        nw = w.key(raw, "name")
        name = string_value(raw["name"], nw)
        if not _SLO_NAME.match(name):
            raise nw.fail(f"{name!r} must be lowercase letters, digits, '-' or '_' (it becomes a label value and a group name)")
        if name in seen:
            raise nw.fail(f"duplicate SLO name {name!r} (first used at line {seen[name]})")
        seen[name] = nw.line
        slos.append(
            SLO(
                name=name,
                objective=objective_percent(raw["objective"], w.key(raw, "objective")),
                window_s=slo_window(raw.get("window", "30d"), w.key(raw, "window")),
                sli=_sli(raw["sli"], w.key(raw, "sli")),
                description=string_value(raw["description"], w.key(raw, "description"), empty_ok=True) if "description" in raw else "",
                labels={**svc_labels, **label_map(raw.get("labels"), w.key(raw, "labels"))},
                runbook_url=string_value(raw["runbook_url"], w.key(raw, "runbook_url")) if "runbook_url" in raw else svc_runbook,
                alerts=_alerts(raw.get("alerts"), w.key(raw, "alerts")),
                tiers=_tier_settings(raw.get("tiers"), w.key(raw, "tiers"), svc_tiers),
                line=w.line,
                path=path,
                group_by=_group_by(raw.get("group_by"), w.key(raw, "group_by"), {**svc_labels, **label_map(raw.get("labels"), w.key(raw, "labels"))}),
            )
        )
    return Spec(service=service, slos=tuple(slos), labels=svc_labels)


def _group_by(value, where: Where, static_labels: dict) -> tuple[str, ...]:
    """``group_by: [cluster, namespace]``: label names the SLI's series carry."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise where.fail(f"expected a non-empty list of label names, got {kind_of(value)}")
    out: list[str] = []
    for i, name in enumerate(value):
        w = where.item(value, i)
        if not isinstance(name, str) or not _LABEL_NAME.match(name) or name.startswith("__"):
            raise w.fail("not a valid Prometheus label name")
        if name in RESERVED_LABELS:
            raise w.fail("is set by steadygo; it cannot also come from the series")
        if name in static_labels:
            raise w.fail("is also a static label of this SLO: the static value would overwrite every series' own")
        if name in out:
            raise w.fail(f"{name!r} is listed twice")
        out.append(name)
    return tuple(out)
