"""SG407 missing-return-after-http-error: http.Error (or gin Abort*/error status write) not followed by return."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.error_checks import calls_named, method_and_operand
from steadygo.golang.flow import terminates
from steadygo.golang.frameworks import GIN
from steadygo.golang.log_calls import is_logging_call, named_like_logger
from steadygo.golang.parse import FUNC_TYPES, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_SUCCESS_STATUSES = frozenset({"StatusOK", "StatusCreated", "StatusAccepted", "StatusNoContent", "StatusMovedPermanently",
                               "StatusFound", "StatusSeeOther", "StatusNotModified", "StatusTemporaryRedirect",
                               "StatusPermanentRedirect", "StatusPartialContent"})
_GIN_ABORTS = frozenset({"AbortWithStatus", "AbortWithStatusJSON", "AbortWithError"})
_GIN_WRITERS = frozenset({"JSON", "String", "XML", "IndentedJSON", "PureJSON", "Status", "Data"})
_LOG_METHODS = frozenset({"Printf", "Println", "Print", "Error", "Errorf", "Warn", "Warnf", "Warning", "Info", "Infof",
                          "Debug", "Debugf", "Inc", "Observe", "Add", "Log", "ErrorContext", "WarnContext", "InfoContext"})


class MissingReturnAfterHttpError(GoRule):
    meta = code_meta(
        id="SG407",
        name="missing-return-after-http-error",
        severity=Severity.ERROR,
        status="preview",  # judged on 22 real code bases: docs/rules/SG407.md
        breakpoint="After writing the error the handler keeps going: it performs the action it just refused (unauthenticated or invalid requests get through) and appends a second response to the first.",
        summary="http.Error (or gin Abort*/error status write) not followed by return.",
    )
    requires_imports = ("net/http", GIN)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in calls_named(ctx, "Error", *_GIN_ABORTS, *_GIN_WRITERS):
            stmt = call.parent
            if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
                continue
            label = self._error_write(ctx, call)
            if label is None:
                continue
            nxt = self._continues_with(ctx, stmt)
            if nxt is not None:
                ctx.report(call, f"{label} writes the error response but the handler goes on to line "
                           f"{nxt.start_point[0] + 1}: the refused work still runs and a second response is written; return right after it")

    def _error_write(self, ctx, call) -> str | None:
        f = ctx.file
        if f.call_target(call) == ("net/http", "Error"):
            return "http.Error"
        h = ctx.funcs.enclosing(call)
        if h is None or h.handler != "gin":
            return None
        method, operand = method_and_operand(call)
        if operand is None or operand.type != "identifier" or text(operand) != h.request_param():
            return None
        if method in _GIN_ABORTS:
            return f"{text(operand)}.{method}"
        if method in _GIN_WRITERS:
            args = call.child_by_field_name("arguments").named_children
            if args and self._error_status(f, unparen(args[0])):
                return f"{text(operand)}.{method}({text(args[0])}, ...)"
        return None

    @staticmethod
    def _error_status(f, node) -> bool:
        if node is None:
            return False
        if node.type == "int_literal":
            try:
                return int(text(node)) >= 400
            except ValueError:
                return False
        q = f.qualified(node)
        return q is not None and q[0] == "net/http" and q[1].startswith("Status") and q[1] not in _SUCCESS_STATUSES

    @staticmethod
    def _continues_with(ctx, stmt):
        """The first statement that runs after ``stmt`` and does real work
        (not a log line or metric), or None when control leaves first."""
        f = ctx.file
        cur = stmt
        while True:
            n = cur.next_named_sibling
            while n is not None:
                if n.type == "comment" or _is_log_stmt(ctx, n) or _is_cleanup_stmt(n):
                    n = n.next_named_sibling
                    continue
                if n.type in ("return_statement", "goto_statement", "break_statement", "continue_statement") or terminates(f, n):
                    return None
                return n
            sl = cur.parent
            owner = sl.parent if sl is not None else None
            if owner is None:
                return None
            if owner.type == "block":
                up = owner.parent
                if up is None or up.type in FUNC_TYPES or up.type == "for_statement":
                    return None
                if up.type == "if_statement":
                    while up.parent is not None and up.parent.type == "if_statement":
                        up = up.parent
                    cur = up
                    continue
                if up.type == "statement_list":
                    cur = owner
                    continue
                return None
            if owner.type in ("expression_case", "default_case", "type_case", "communication_case"):
                sw = owner.parent
                if sw is None:
                    return None
                cur = sw
                continue
            return None


_CLEANUP = re.compile(r"^([Cc]lose\w*|Unlock|RUnlock|Done|Release|Stop|Cancel|cancel|Flush|Sync)$")


def _is_cleanup_stmt(stmt) -> bool:
    """``db.Close()``, ``mu.Unlock()``, ``cancel()``: releasing what the
    handler holds is not the refused work going on."""
    if stmt.type not in ("expression_statement", "defer_statement"):
        return False
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    return bool(_CLEANUP.match(name))


def _is_log_stmt(ctx, stmt) -> bool:
    """A log line or a metric: by the logger's type (zap, slog, logrus,
    zerolog, log.Logger, whatever the variable is called), a receiver named
    like a logger, or a callee named like one (``logError(w, err)``)."""
    if stmt.type != "expression_statement":
        return False
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    if named_like_logger(name) or is_logging_call(ctx, call):
        return True
    m, operand = method_and_operand(call)
    if not m:
        return False
    return m in _LOG_METHODS and "log" in text(operand).lower() or m in ("Inc", "Observe")
