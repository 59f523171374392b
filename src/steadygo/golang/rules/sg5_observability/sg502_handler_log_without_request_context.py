"""SG502 handler-log-without-request-context.

Log call inside a request handler through a global logger, without the request context or a request/trace id field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import LOGRUS, SLOG, ZAP, ZEROLOG_LOG
from steadygo.golang.log_calls import LEVELS
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_CORRELATION = re.compile(r"(?i)request.?id|req.?id|trace.?id|span.?id|correlation|TraceID|RequestID")


class HandlerLogWithoutRequestContext(GoRule):
    meta = code_meta(
        id="SG502",
        name="handler-log-without-request-context",
        severity=Severity.INFO,
        breakpoint="Log lines from concurrent requests interleave; without a request or trace id nobody can tell which lines belong to the failing request.",
        summary="Log call inside a request handler through a global logger, without the request context or a request/trace id field.",
        status="preview",
    )
    requires_imports = (SLOG, ZEROLOG_LOG, LOGRUS, ZAP)

    _GLOBAL = {
        SLOG: {"Debug", "Info", "Warn", "Error", "Log", "LogAttrs"},
        ZEROLOG_LOG: {"Debug", "Info", "Warn", "Error", "Trace", "Print", "Printf", "Log"},
        LOGRUS: {f"{l}{s}" for l in LEVELS for s in ("", "f", "ln")},
    }

    _NAMES = sorted({n for names in _GLOBAL.values() for n in names} | {"Debug", "Info", "Warn", "Error"})

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in ctx.pkg.calls_in(f, *self._NAMES):
            t = f.call_target(call)
            allowed = self._GLOBAL.get(t[0], set()) if t is not None else set()
            if t is None:  # zap.L().Info(...): zap's global logger (zap.Error(...) is a field, not a log call)
                t = self._zap_global(f, call)
                allowed = {"Debug", "Info", "Warn", "Error"}
            if t is None or t[1] not in allowed:
                continue
            h = ctx.funcs.in_handler(call)
            if h is None:
                continue
            stmt = call
            while stmt.parent is not None and stmt.parent.type in ("call_expression", "selector_expression", "argument_list"):
                stmt = stmt.parent
            if _CORRELATION.search(text(stmt)) or ".Ctx(" in text(stmt) or "WithContext(" in text(stmt):
                continue
            fix = {SLOG: "slog.InfoContext(ctx, ...) with a handler that adds the trace id",
                   ZEROLOG_LOG: "zerolog.Ctx(ctx) or log.Ctx(ctx)",
                   LOGRUS: "logrus.WithContext(ctx) or a request-scoped entry",
                   ZAP: "a request-scoped logger (logger.With(zap.String(\"request_id\", ...)))"}[t[0]]
            ctx.report(call, f"log call in a handler with no request or trace id: concurrent requests' lines cannot be told "
                       f"apart; use {fix}")

    @staticmethod
    def _zap_global(f, call):
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression":
            return None
        op = unparen(fn.child_by_field_name("operand"))
        if op is not None and op.type == "call_expression" and f.call_target(op) in ((ZAP, "L"), (ZAP, "S")):
            return ZAP, text(fn.child_by_field_name("field"))
        return None
