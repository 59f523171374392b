"""SG515 unbounded-metric-label.

Metric label whose name denotes an unbounded value (user_id, email, ip, request_id, trace_id, session, url, query).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import node_of
from steadygo.golang.frameworks import PROMETHEUS_CLIENT
from steadygo.golang.http_values import request_data_of
from steadygo.golang.metric_defs import label_values, metrics_in_file
from steadygo.golang.tenancy import user_is_tenant
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_UNBOUNDED = re.compile(
    r"^(user(_?id)?|uid|email|e_?mail|client_?ip|request_?id|req_?id|trace_?id|span_?id"
    r"|session(_?id)?|raw_?path|raw_?url|query_?string|token|uuid|(customer|order|account|tenant_user|device)_?id|phone|username)$"
)
# Names that just as often hold a configured, bounded value (the remote
# endpoint's URL, a peer's IP): unbounded only when the package visibly
# feeds them from the request.
_CONTEXTUAL = re.compile(r"^(ip|ip_?addr(ess)?|remote_?addr(ess)?|url|uri|query)$")


class UnboundedMetricLabel(GoRule):
    meta = code_meta(
        id="SG515",
        status="preview",  # 0 of 6 first-run holdout findings true: docs/rules/SG515.md
        name="unbounded-metric-label",
        severity=Severity.WARNING,
        breakpoint="Every distinct user, IP, request id or URL becomes a new time series: memory in the service and in Prometheus grows without bound until one of them is OOM-killed.",
        summary="Metric label whose name denotes an unbounded value (user_id, email, ip, request_id, trace_id, session, url, query).",
    )
    requires_imports = PROMETHEUS_CLIENT

    def check(self, ctx: FileContext) -> None:
        # One finding per file and label set: six metrics sharing a `user`
        # label are one decision to fix (rest-server's blob metrics).
        groups: dict[tuple[str, ...], list] = {}
        for m in metrics_in_file(ctx):
            bad = [lab for lab in (m.labels or ()) if (_UNBOUNDED.match(lab.lower()) and not _tenant(ctx, lab))
                   or (_CONTEXTUAL.match(lab.lower()) and _fed_from_request(ctx, m, lab))]
            node = node_of(ctx.pkg, m) if bad else None
            if node is not None:
                groups.setdefault(tuple(bad), []).append((node, m))
        for bad, metrics in groups.items():
            metrics.sort(key=lambda nm: nm[0].start_byte)
            node, m = metrics[0]
            more = len(metrics) - 1
            also = f" (and {more} more metric{'s' if more > 1 else ''} in this file with the same label{'s' if len(bad) > 1 else ''})" if more else ""
            ctx.report(node, f"metric {m.name or '(computed name)'!r} has label(s) {', '.join(bad)} whose values are "
                       f"unbounded{also}: one time series per value; put such values in logs or traces, not labels")


def _tenant(ctx, label: str) -> bool:
    """``user``/``user_id`` in multi-tenant code is the tenant id (bounded by
    the tenants configured), not an end user."""
    return label.lower() in ("user", "userid", "user_id") and user_is_tenant(ctx.pkg)


def _fed_from_request(ctx, m, label: str) -> bool:
    return any(request_data_of(v, chain) for v, chain in label_values(ctx, m, label))
