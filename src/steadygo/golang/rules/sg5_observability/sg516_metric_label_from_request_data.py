"""SG516 metric-label-from-request-data.

Metric label value taken from raw request data (r.URL.Path, query, params, headers, client IP).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import PROMETHEUS, PROMETHEUS_CLIENT
from steadygo.golang.http_values import request_data_of
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_LABEL_CALLS_Q = """
(call_expression function: (selector_expression field: (field_identifier) @m
  (#any-of? @m "WithLabelValues" "GetMetricWithLabelValues" "With" "GetMetricWith" "MustCurryWith" "CurryWith")) arguments: (argument_list) @args) @call
"""


class MetricLabelFromRequest(GoRule):
    meta = code_meta(
        id="SG516",
        name="metric-label-from-request-data",
        severity=Severity.WARNING,
        status="preview",  # 2 of 7 judged true on services: docs/rules/SG516.md
        breakpoint="A label value taken straight from the request (raw path, query, client IP, header) lets any client create new time series: a scanner walking URLs exhausts memory.",
        summary="Metric label value taken from raw request data (r.URL.Path, query, params, headers, client IP).",
    )
    requires_imports = PROMETHEUS_CLIENT

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
            chain = list(ctx.funcs.enclosing_chain(call))
            for v in values:
                src = request_data_of(v, chain)
                if src:
                    ctx.report(call, f"metric label value comes from request data ({src}): every distinct value is a new "
                               "time series; use the route pattern (r.Pattern, c.FullPath()) or a bounded set of values")
                    break
