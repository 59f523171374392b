"""SG504 formatted-message-to-structured-logger.

fmt.Sprintf or string concatenation passed as the message of a structured logger (slog, zap, zerolog Msg).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import LOGRUS, SLOG, ZAP, ZEROLOG, ZEROLOG_LOG
from steadygo.golang.consts import is_constant
from steadygo.golang.log_calls import log_calls
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class FormattedMessageToStructuredLogger(GoRule):
    meta = code_meta(
        id="SG504",
        name="formatted-message-to-structured-logger",
        severity=Severity.INFO,
        status="preview",  # judged on 22 real code bases: docs/rules/SG504.md
        breakpoint="A message built with Sprintf or + is a new string for every value: log search and aggregation cannot group or filter by the embedded values, and the format work is paid even when the level is disabled.",
        summary="fmt.Sprintf or string concatenation passed as the message of a structured logger (slog, zap, zerolog Msg).",
    )
    requires_imports = (SLOG, ZAP, ZEROLOG, ZEROLOG_LOG)

    _STRUCTURED_METHODS = {"Debug", "Info", "Warn", "Error", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Msg"}

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        imports_sugar_only = not (f.imports.imports(SLOG) or f.imports.imports(ZAP) or f.imports.imports_prefix(ZEROLOG))
        if imports_sugar_only:
            return
        for call, label, path in log_calls(ctx):
            fn = call.child_by_field_name("function")
            method = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else ""
            if method not in self._STRUCTURED_METHODS:
                continue
            if path in ("log", "fmt", LOGRUS):
                continue
            if method == "Msg" and not f.imports.imports_prefix(ZEROLOG):
                continue
            if path == "" and not (f.imports.imports(SLOG) or f.imports.imports(ZAP)) and method != "Msg":
                continue
            args = call.child_by_field_name("arguments").named_children
            idx = 1 if method.endswith("Context") else 0
            if len(args) <= idx:
                continue
            msg = unparen(args[idx])
            how = ""
            if msg is not None and msg.type == "call_expression" and f.call_target(msg) == ("fmt", "Sprintf"):
                sargs = msg.child_by_field_name("arguments").named_children
                fi = ctx.funcs.enclosing(call)
                if sargs and sargs[0].type == "identifier" and fi is not None and any(p.name == text(sargs[0]) for p in fi.params):
                    continue  # a Printf-style adapter (Infof(format, args...)) has no fields to give
                if all(is_constant(ctx.pkg, f, a) for a in sargs):
                    continue  # Sprintf of constants: the same message every time, no value to search by
                how = "fmt.Sprintf"
            elif msg is not None and msg.type == "binary_expression" and text(msg.child_by_field_name("operator")) == "+":
                if not is_constant(ctx.pkg, f, msg):
                    how = "string concatenation"
            if how:
                ctx.report(msg, f"message built with {how} for {label}: values baked into the message cannot be "
                           "searched or grouped; use a constant message and key-value fields")
