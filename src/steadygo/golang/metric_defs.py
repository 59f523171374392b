"""Prometheus metric definitions of a file and the naming rules they follow.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import PROMAUTO
from steadygo.golang.parse import enclosing_function, text, unparen

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.facts import Metric
    from steadygo.golang.rules.base import FileContext


UNITS = {
    "amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams", "joules": "joules",
    "kelvin": "kelvin", "meters": "meters", "metres": "metres", "seconds": "seconds", "volts": "volts",
    "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
    "kelvins": "kelvin", "fahrenheit": "celsius", "rankine": "celsius",
    "inches": "meters", "yards": "meters", "miles": "meters", "bits": "bytes", "calories": "joules",
    "pounds": "grams", "ounces": "grams",
}


PREFIXES = ("pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi",
             "giga", "gibi", "tera", "tebi", "peta", "pebi")
ABBREVIATIONS = ("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d")
TYPES = ("counter", "gauge", "summary", "histogram", "gauge_histogram")
CAMEL = re.compile(r"[a-z][A-Z]")
LEGAL_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LEGAL_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def unit_of(name: str) -> tuple[str, str] | None:
    words = name.split("_")
    hits = []
    for unit, base in UNITS.items():
        for p in (*PREFIXES, ""):
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
    unit = unit_of(name)
    if unit is not None and unit[0] != unit[1]:
        out.append(f'use base unit "{unit[1]}" instead of "{unit[0]}"')
    is_total = name.endswith("_total")
    # promtool exempts untyped families (an exposition's samples without a
    # TYPE line) from the type-specific lints; code always declares a type.
    typed = mtype != "untyped"
    if mtype == "counter" and not is_total:
        out.append('counter metrics should have "_total" suffix')
    elif typed and mtype != "counter" and is_total:
        out.append('non-counter metrics should not have "_total" suffix')
    if typed:
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
    # promtool (2.42, tests/test_promtool_agreement.py) reports every type
    # word in the name, not only the family's own: a counter of
    # native-histogram bucket overflows is told not to say "histogram".
    for t in TYPES:
        if f"_{t}_" in low or low.endswith(f"_{t}"):
            out.append(f"metric name should not include type '{t}'")
    if ":" in name:
        out.append("metric names should not contain ':'")
    if CAMEL.search(name):
        out.append("metric names should be written in 'snake_case' not 'camelCase'")
    for lab in labels:
        if CAMEL.search(lab):
            out.append("label names should be written in 'snake_case' not 'camelCase'")
    for a in ABBREVIATIONS:
        if f"_{a}_" in low or low.endswith(f"_{a}"):
            out.append("metric names should not contain abbreviated units")
    return out


def metrics_in_file(ctx: FileContext) -> list[Metric]:
    # Imported here: the naming rules above are also used on live expositions
    # (steadygo metrics), which should not pay for loading the Go analysis.
    from steadygo.golang.facts import extract_facts

    facts = extract_facts(ctx.pkg)
    return [m for m in facts.metrics if m.location.path == ctx.file.relpath]


_LABEL_VALUE_CALLS = ("WithLabelValues", "GetMetricWithLabelValues", "With", "GetMetricWith")


def label_values(ctx: FileContext, metric: Metric, label: str):
    """(value node, enclosing function chain) for every value the package
    visibly gives ``label`` of ``metric``: the argument at the label's
    position in ``m.WithLabelValues(...)``, the ``"label": v`` entry of
    ``m.With(prometheus.Labels{...})``, on the variable or field the
    constructor's result is stored in."""
    from steadygo.golang.facts import node_of
    from steadygo.golang.parse import text, unparen
    from steadygo.golang.values import holder_of, literal_keys

    labels = list(metric.labels or ())
    call = node_of(ctx.pkg, metric)
    if call is None or label not in labels:
        return []
    h = holder_of(call)
    if h.kind not in ("var", "field") or not h.path:
        return []
    index = labels.index(label)
    out = []
    for name in _LABEL_VALUE_CALLS:
        for f, c in ctx.pkg.calls_to(name):
            fn = c.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            operand = fn.child_by_field_name("operand")
            last = operand.child_by_field_name("field") if operand.type == "selector_expression" else operand
            if last is None or text(last) != h.path:
                continue
            args = c.child_by_field_name("arguments").named_children
            if name.endswith("LabelValues"):
                value = args[index] if index < len(args) else None
            else:
                lit = unparen(args[0]) if len(args) == 1 else None
                keys = literal_keys(lit) if lit is not None and lit.type == "composite_literal" else {}
                value = next((v for k, v in keys.items() if k.strip('"') == label), None)
            if value is not None:
                out.append((value, list(ctx.pkg.functions(f).enclosing_chain(c))))
    return out


_REGISTER_Q = """
(call_expression function: [(identifier) @fn (selector_expression field: (field_identifier) @fn)]
  (#match? @fn "[Rr]egister") arguments: (argument_list) @args)
"""


def registration(pkg, metric: Metric, call) -> str:
    """Whether a metric definition reaches a registry: 'yes' for promauto
    constructors and values passed to a ``Register``/``MustRegister`` call
    (any registry, or a helper with Register in its name); 'no' for an
    unexported package variable or field nothing in the package registers, puts in
    a collector list or collects (``m.Collect(ch)``): it is read by hand, so
    a second definition of its name collides with nothing; else 'unknown'
    (an exported value another package may register)."""
    from steadygo.golang.parse import captures, text
    from steadygo.golang.values import holder_of

    if metric.constructor.startswith("promauto."):
        return "yes"
    if call is None:
        return "unknown"
    h = holder_of(call)
    if h.kind not in ("var", "field") or not h.path or (h.kind == "var" and h.func is not None):
        return "unknown"  # a local may be returned to a caller that registers it
    name = h.path
    hits = pkg.memo(("metric_defs.mentions", name), lambda: _mentions(pkg, name, captures, text))
    if hits == "registered":
        return "yes"
    if hits == "collected" or name[:1].isupper():
        return "unknown"
    return "no"


def registry_scope(call) -> str:
    """``promauto.With(reg).NewCounter(...)`` where ``reg`` is a parameter of
    the function around it: the registry is the caller's choice, one per
    call, so ``param:<function>``; '' otherwise (the default registry, or one
    this cannot name)."""
    if call is None or call.type != "call_expression":
        return ""
    fn = call.child_by_field_name("function")
    operand = fn.child_by_field_name("operand") if fn is not None and fn.type == "selector_expression" else None
    if operand is None or operand.type != "call_expression":
        return ""
    with_fn = operand.child_by_field_name("function")
    if with_fn is None or not text(with_fn).endswith(".With"):
        return ""
    args = operand.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1 or args.named_child(0).type != "identifier":
        return ""
    reg = text(args.named_child(0))
    p = enclosing_function(call)
    if p is None:
        return ""
    params = p.child_by_field_name("parameters")
    names = {text(c) for d in (params.named_children if params is not None else ())
             if d.type == "parameter_declaration" for c in d.named_children if c.type == "identifier"}
    if reg not in names:
        return ""
    name = p.child_by_field_name("name")
    return f"param:{text(name) if name is not None else p.start_point[0] + 1}"


def _mentions(pkg, name: str, captures, text) -> str:
    for f in pkg.files:
        if name.encode() not in f.source:
            continue
        for args in captures(_REGISTER_Q, f.root).get("args", []):
            if any(_names(text(a)) == name for a in args.named_children):
                return "registered"
    for f in pkg.files:
        if name.encode() not in f.source:
            continue
        for n in captures("[(identifier) @i (field_identifier) @i]", f.root).get("i", []):
            if text(n) != name:
                continue
            p = n.parent
            if p is not None and p.type == "selector_expression" and p.child_by_field_name("field") == n:
                n, p = p, p.parent
            if p is None:
                continue
            if p.type in ("literal_element", "expression_list") and p.parent is not None and p.parent.type in ("literal_value", "expression_list"):
                if p.type == "literal_element":
                    return "collected"  # in a []prometheus.Collector{...} list
            if p.type == "argument_list":
                outer = p.parent
                fn = outer.child_by_field_name("function") if outer is not None else None
                if fn is not None and text(fn).split(".")[-1] == "append":
                    return "collected"
            if p.type == "selector_expression" and text(p.child_by_field_name("field")) in ("Collect", "Describe"):
                return "collected"
    return ""


def _names(t: str) -> str:
    """The last component of a value expression: ``hits`` for ``m.hits``."""
    return t.replace(" ", "").rsplit(".", 1)[-1]


def never_registered(ctx: FileContext, m: Metric) -> bool:
    """``promauto.With(nil).NewCounter(prometheus.CounterOpts{})``: promauto
    with a nil registerer registers nothing, so the metric is a stub handed
    to an API that wants a counter; it is never exposed and its name and
    help never matter (NewDesc keeps the error to itself)."""
    from steadygo.golang.facts import node_of

    call = node_of(ctx.pkg, m)
    fn = call.child_by_field_name("function") if call is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    op = unparen(fn.child_by_field_name("operand"))
    if op is None or op.type != "call_expression" or ctx.file.call_target(op) != (PROMAUTO, "With"):
        return False
    args = op.child_by_field_name("arguments").named_children
    return len(args) == 1 and unparen(args[0]) is not None and unparen(args[0]).type == "nil"


def display_name(ctx: FileContext, m: Metric) -> str:
    """The metric's name for a message: the resolved name, or the parts of
    its Opts with the ones defined elsewhere shown as source
    (``{constants.Loki}_ruler_memory_samples``), "(computed name)" only when
    the Name itself is not a constant here."""
    if m.name:
        return m.name
    from steadygo.golang.facts import metric_opts_literal, node_of, resolve_string
    from steadygo.golang.values import literal_keys

    call = node_of(ctx.pkg, m)
    args = call.child_by_field_name("arguments").named_children if call is not None else []
    scope = ctx.funcs.enclosing(call) if call is not None else None
    lit, lfile = metric_opts_literal(ctx.pkg, ctx.file, args[0], scope.body if scope is not None else None) \
        if args else (None, ctx.file)
    if lit is None:
        return "(computed name)"
    keys = literal_keys(lit)
    parts = []
    for k in ("Namespace", "Subsystem", "Name"):
        if k not in keys:
            continue
        s = resolve_string(ctx.pkg, lfile, keys[k])
        if s is None and k == "Name":
            return "(computed name)"
        if s != "":
            parts.append(s if s is not None else "{" + text(keys[k]) + "}")
    return "_".join(parts) or "(computed name)"
