"""SG518 metrics-endpoint-without-request-metrics.

A service serves promhttp's metrics handler but defines no request/latency metric and uses no HTTP/gRPC metrics middleware.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import extract_facts, node_of, service_facts_for
from steadygo.golang.listeners import file_listeners
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import SERVICE_ROLES, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_REQUEST_METRIC = re.compile(r"request|http|rpc|grpc|latency|duration|handled|response")


_REQUEST_MIDDLEWARE = ("github.com/slok/go-http-metrics", "github.com/zsais/go-gin-prometheus", "github.com/labstack/echo-contrib",
                       "github.com/grpc-ecosystem/go-grpc-prometheus", "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus",
                       "github.com/penglongli/gin-metrics", "go.opentelemetry.io/otel/exporters/prometheus",
                       "github.com/ansrivas/fiberprometheus")


class ServiceWithoutRequestMetrics(GoRule):
    meta = code_meta(
        id="SG518",
        name="metrics-endpoint-without-request-metrics",
        severity=Severity.INFO,
        breakpoint="The service exposes /metrics but no request rate, error or latency series: the first question of every incident (is it slow, is it failing, for whom) has no graph and no alert.",
        summary="A service serves promhttp's metrics handler but defines no request/latency metric and uses no HTTP/gRPC metrics middleware.",
        status="preview",
        roles=SERVICE_ROLES,
    )
    module_facts = ("metrics",)
    requires_imports = ("net/http", "github.com/gin-gonic/gin", "github.com/labstack/echo", "github.com/gofiber/fiber")

    def check(self, ctx: FileContext) -> None:
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
        required = ctx.pkg.module.requires
        imported = {p for f in ctx.pkg.files for p in f.imports.paths}
        if any(r.startswith(m) for r in required | imported for m in _REQUEST_MIDDLEWARE):
            return
        ctx.report(node_of(ctx.pkg, listeners[0]), "the service exposes Prometheus metrics but no request metrics: no rate, "
                   "error or latency series to alert on; wrap handlers with promhttp.InstrumentHandlerDuration/Counter "
                   "(or a metrics middleware) keyed by route pattern")
