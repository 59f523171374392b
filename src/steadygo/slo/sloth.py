"""Read sloth's specs into steadygo's model: the ``prometheus/v1`` file
format and the ``sloth.slok.dev/v1`` ``PrometheusServiceLevel`` CRD.

Field names follow sloth's Go types (github.com/slok/sloth v0.16.0,
pkg/prometheus/api/v1 and pkg/kubernetes/api/sloth/v1): the file format
spells keys in snake_case, the CRD in camelCase; the shape is the same.
Validation follows sloth's pkg/common/validation: names match
``^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$``, the objective is in (0, 100],
every query carries ``{{.window}}``, and an enabled alert needs a name.

sloth has two alert kinds; steadygo has four ladder rungs on three tiers:
``page_alert`` is the fast (L3) and medium (L2) rungs, ``ticket_alert`` the
slow and slowest (L1) rungs.  sloth's spec has no window: it takes the
period from the command line (30d by default), and so do we (30d)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from steadygo.slo import ladder
from steadygo.slo.spec import (
    DEFAULT_ALERT_NAME, DEFAULT_SEVERITY, SLO, QuerySLI, Spec, TierSettings, Where, label_map, mapping,
    objective_percent, string_value,
)

NAME = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$")
WINDOW_VAR = re.compile(r"{{ *\.window *}}")
_ALERT_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
DEFAULT_PERIOD_S = 30 * ladder.DAY
PAGE_TIERS = ("L3", "L2")
TICKET_TIERS = ("L1",)


@dataclass(frozen=True)
class Keys:
    """Key spellings of one dialect."""

    plugins_top: str
    error_query: str
    total_query: str
    error_ratio_query: str
    page_alert: str
    ticket_alert: str


FILE_KEYS = Keys("slo_plugins", "error_query", "total_query", "error_ratio_query", "page_alert", "ticket_alert")
CRD_KEYS = Keys("sloPlugins", "errorQuery", "totalQuery", "errorRatioQuery", "pageAlert", "ticketAlert")


def name(value, where: Where, what: str) -> str:
    text = string_value(value, where)
    if not NAME.match(text):
        raise where.fail(f"{what} {text!r} must start and end with a letter or digit and contain only letters, digits, '.', '_' and '-'")
    return text


def query_template(value, where: Where) -> str:
    """A PromQL template with ``{{.window}}``; sloth rejects one without."""
    if value is None:
        raise where.fail("missing query")
    text = string_value(value, where)
    if not WINDOW_VAR.search(text):
        raise where.fail("the query must contain {{.window}} where the range goes, e.g. rate(x[{{.window}}])")
    if "{{" in WINDOW_VAR.sub("", text):
        raise where.fail("only the {{.window}} template variable is supported in queries")
    return text.strip()


def _no_plugins(doc, key: str, where: Where) -> None:
    # Plugins are Go code inside sloth; steadygo cannot run them, and
    # silently generating rules without them would change what alerts.
    if doc.get(key):
        raise where.key(doc, key).fail("sloth plugins are not supported by steadygo; inline the SLI as events or raw queries")


def _sli(value, where: Where, keys: Keys) -> QuerySLI:
    sli = mapping(value, where, ("raw", "events", "plugin"))
    if "plugin" in sli:
        raise where.key(sli, "plugin").fail("sloth SLI plugins are not supported by steadygo; use events or raw queries")
    if ("raw" in sli) == ("events" in sli):
        raise where.fail("give exactly one SLI type: events (error and total queries) or raw (error ratio query)")
    if "raw" in sli:
        w = where.key(sli, "raw")
        raw = mapping(sli["raw"], w, (keys.error_ratio_query,), (keys.error_ratio_query,))
        return QuerySLI("raw", error_ratio_query=query_template(raw[keys.error_ratio_query], w.key(raw, keys.error_ratio_query)))
    w = where.key(sli, "events")
    ev = mapping(sli["events"], w, (keys.error_query, keys.total_query), (keys.error_query, keys.total_query))
    error = query_template(ev[keys.error_query], w.key(ev, keys.error_query))
    total = query_template(ev[keys.total_query], w.key(ev, keys.total_query))
    if error == total:
        raise w.fail("the error and total queries must not be the same")
    return QuerySLI("events", error_query=error, total_query=total)


def _annotations(value, where: Where) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.fail("expected a mapping of annotation names to strings")
    out = {}
    for k, v in value.items():
        w = where.key(value, k)
        if not isinstance(k, str) or not _ALERT_NAME.match(k):
            raise w.fail("not a valid Prometheus annotation name")
        out[k] = string_value(v, w, empty_ok=True)
    return out


def _alert_labels(value, where: Where) -> tuple[str | None, dict]:
    """sloth users route on ``severity``; steadygo sets that label per tier,
    so a severity given here becomes the tier's severity instead of a clash."""
    severity = None
    if isinstance(value, dict) and "severity" in value:
        severity = string_value(value["severity"], where.key(value, "severity"))
    return severity, label_map(value, where, skip=("severity",))


def _alert(value, where: Where) -> tuple[bool, str | None, dict, dict]:
    """(disabled, severity, labels, annotations) of a page or ticket alert."""
    if value is None:
        return False, None, {}, {}
    a = mapping(value, where, ("disable", "labels", "annotations"))
    disable = a.get("disable", False)
    if not isinstance(disable, bool):
        raise where.key(a, "disable").fail("expected true or false")
    severity, labels = _alert_labels(a.get("labels"), where.key(a, "labels"))
    return disable, severity, labels, _annotations(a.get("annotations"), where.key(a, "annotations"))


def _alerting(value, where: Where, keys: Keys) -> tuple[str, dict, dict, dict]:
    """(alert name, common annotations, ladder rung -> tier or None, tier settings)."""
    al = mapping(value if value is not None else {}, where, ("name", "labels", "annotations", keys.page_alert, keys.ticket_alert))
    severity, common_labels = _alert_labels(al.get("labels"), where.key(al, "labels"))
    common_ann = _annotations(al.get("annotations"), where.key(al, "annotations"))
    page = _alert(al.get(keys.page_alert), where.key(al, keys.page_alert))
    ticket = _alert(al.get(keys.ticket_alert), where.key(al, keys.ticket_alert))
    alerts = {
        "fast": None if page[0] else "L3",
        "medium": None if page[0] else "L2",
        "slow": None if ticket[0] else "L1",
        "slowest": None if ticket[0] else "L1",
    }
    alert_name = ""
    if "name" in al:
        alert_name = string_value(al["name"], where.key(al, "name"))
        if not _ALERT_NAME.match(alert_name):
            raise where.key(al, "name").fail(f"{alert_name!r} is not a valid Prometheus alert name")
    elif not (page[0] and ticket[0]):
        raise where.fail("missing required key 'name' (the alert name; sloth requires it unless both alerts are disabled)")
    tiers = {}
    for tier in ("L1", "L2", "L3"):
        _, sev, labels, ann = page if tier in PAGE_TIERS else ticket
        tiers[tier] = TierSettings(
            severity=sev or severity or DEFAULT_SEVERITY[tier],
            labels={**common_labels, **labels},
            annotations=ann,
        )
    return alert_name, common_ann, alerts, tiers


def to_spec(doc, where: Where, path: str, keys: Keys, seen: dict) -> Spec:
    """``doc`` is a prometheus/v1 file or a CRD's ``spec``.  ``seen`` maps
    (service, SLO name) to the first line, across every file of the run."""
    allowed = ("service", "labels", keys.plugins_top, "slos") + (("version",) if keys is FILE_KEYS else ())
    mapping(doc, where, allowed, ("service",))
    _no_plugins(doc, keys.plugins_top, where)
    service = name(doc["service"], where.key(doc, "service"), "service")
    svc_labels = label_map(doc.get("labels"), where.key(doc, "labels"))
    sw = where.key(doc, "slos")
    raw_slos = doc.get("slos")
    if not isinstance(raw_slos, list) or not raw_slos:
        raise sw.fail("expected a non-empty list of SLOs")
    slos = []
    for i, raw in enumerate(raw_slos):
        w = sw.item(raw_slos, i)
        mapping(raw, w, ("name", "description", "objective", "plugins", "labels", "sli", "alerting"), ("name", "objective", "sli"))
        _no_plugins(raw, "plugins", w)
        nw = w.key(raw, "name")
        slo_name = name(raw["name"], nw, "SLO name")
        if (service, slo_name) in seen:
            raise nw.fail(f"duplicate SLO name {slo_name!r} in service {service!r} (first defined at {seen[(service, slo_name)]})")
        seen[(service, slo_name)] = f"{path}:{nw.line}"
        labels = {**svc_labels, **label_map(raw.get("labels"), w.key(raw, "labels"))}
        alert_name, annotations, alerts, tiers = _alerting(raw.get("alerting"), w.key(raw, "alerting"), keys)
        slos.append(SLO(
            name=slo_name,
            objective=objective_percent(raw["objective"], w.key(raw, "objective"), hundred_ok=True),
            window_s=DEFAULT_PERIOD_S,
            sli=_sli(raw["sli"], w.key(raw, "sli"), keys),
            description=string_value(raw["description"], w.key(raw, "description"), empty_ok=True) if "description" in raw else "",
            labels=labels,
            alerts=alerts,
            tiers=tiers,
            line=w.line,
            path=path,
            alert_name=alert_name or DEFAULT_ALERT_NAME,
            annotations=annotations,
        ))
    return Spec(service=service, slos=tuple(slos), labels=svc_labels)


def crd_to_spec(doc, where: Where, path: str, seen: dict) -> Spec:
    mapping(doc, where, ("apiVersion", "kind", "metadata", "spec", "status"), ("spec",))
    return to_spec(doc["spec"], where.key(doc, "spec"), path, CRD_KEYS, seen)
