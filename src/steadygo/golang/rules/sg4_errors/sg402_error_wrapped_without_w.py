"""SG402 error-wrapped-without-w: fmt.Errorf formats an error argument with %v/%s instead of wrapping it with %w."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.fixes import wrap_with_w
from steadygo.golang.error_checks import calls_named, is_err_name, is_error_call
from steadygo.golang.error_flow import function_key, inspected_functions, is_sentinel_value, named_function, sentinel_source
from steadygo.golang.facts import service_facts_for
from steadygo.golang.log_calls import is_logging_call, named_like_logger
from steadygo.golang.parse import string_value, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import RuleOption, code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_DIAGNOSTIC = re.compile(r"\b(want|wanted|expected|got)\b", re.I)
_VERB = re.compile(r"%([-+# 0]*)(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?([a-zA-Z%])")


def _verbs(fmt: str) -> list[tuple[str, int]]:
    """(verb, argument index) pairs of a format string; %% consumes nothing."""
    out = []
    idx = 0
    for m in _VERB.finditer(fmt):
        verb = m.group(6)
        if verb == "%":
            continue
        if m.group(3) == "*":
            idx += 1
        if m.group(5) == "*":
            idx += 1
        if m.group(2):
            idx = int(m.group(2)[1:-1]) - 1
        out.append((verb, idx))
        idx += 1
    return out


class ErrorWrappedWithoutW(GoRule):
    meta = code_meta(
        id="SG402",
        name="error-wrapped-without-w",
        severity=Severity.WARNING,
        status="preview",  # judged on 22 real code bases: docs/rules/SG402.md
        breakpoint="Formatting an error with %v flattens it to text: where callers test the result with errors.Is/As (context.DeadlineExceeded, sql.ErrNoRows, fs.ErrNotExist ...), the test stops matching and retries, status codes and fallbacks silently take the wrong branch.",
        fix="the bare %v/%s that formats the error becomes %w",
        summary="fmt.Errorf formats an error with %v/%s where its chain matters: callers test the result with errors.Is/As, or it wraps a sentinel-bearing error.",
        options=[RuleOption("report-all", bool, False,
                            "also report (as info) %v-formatted errors that no errors.Is/As in the module inspects "
                            "and that carry no known sentinel")],
    )
    requires_imports = ("fmt",)
    module_facts = ("errors",)

    def check(self, ctx: FileContext) -> None:
        if ctx.pkg.module.go_at_least(1, 13) is False:
            return  # no %w / errors.Is before Go 1.13
        inspected = None
        for call in calls_named(ctx, "Errorf"):
            if ctx.file.call_target(call) != ("fmt", "Errorf"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args:
                continue
            fmt = string_value(args[0])
            if fmt is None or "%w" in fmt or _DIAGNOSTIC.search(fmt):
                continue  # "got %v, want %v": the error is reported, not wrapped
            if _terminal_use(ctx, call):
                continue  # handed to panic/Fatal/a logger: nobody inspects it afterwards
            rest = args[1:]
            for position, (verb, i) in enumerate(_verbs(fmt)):
                if verb not in ("v", "s") or i >= len(rest):
                    continue
                a = unparen(rest[i])
                if not (is_err_name(a) or is_error_call(a) or (a.type in ("identifier", "selector_expression")
                                                                  and is_sentinel_value(ctx.pkg, ctx.file, a))):
                    continue
                if not _maybe_error(ctx, a):
                    continue  # e is an exemplar, err a count: its declared type says it is no error
                fi = named_function(ctx.funcs, call)
                why = sentinel_source(ctx.pkg, ctx.file, fi, a)
                if why is not None:
                    why = f"the error comes from {why}, a source of sentinels callers test with errors.Is/As"
                else:
                    if inspected is None:
                        inspected = ctx.pkg.memo(("errors.inspected",),  # once per package, not per file
                                                 lambda: inspected_functions(service_facts_for(ctx.pkg)))
                    key = function_key(ctx.file, fi)
                    if key is not None and key in inspected:
                        why = f"callers in this module test the error of {key.lstrip('.')} with errors.Is/As"
                severity = None
                if why is None:
                    if not ctx.options["report-all"]:
                        break  # an error message nobody inspects: %v and %w read the same
                    why, severity = "no errors.Is/As in this module inspects it today", Severity.INFO
                ctx.report(call, f"fmt.Errorf formats {text(a)} with %{verb} and {why}: the chain is lost, so "
                           "those tests (timeouts, not-found, cancellation) no longer match; use %w",
                           severity=severity, fix=wrap_with_w(ctx.file, unparen(args[0]), position))
                break


_TERMINAL_CALLEES = re.compile(r"^(panic|Fatal\w*|Panic\w*|Print\w*|Log\w*|Error|Errorf|Warn\w*|Info\w*|Debug\w*|Exit)$")


def _maybe_error(ctx, node) -> bool:
    """Not declared with a type other than error (unknown counts as maybe)."""
    if node.type != "identifier":
        return True
    t = ctx.pkg.types.type_of(ctx.file, node)
    return t is None or t == "error" or t.endswith("Error") or t.endswith("Err")


def _terminal_use(ctx, call) -> bool:
    """The error goes straight to panic, a logger or an exit: nobody inspects it."""
    p = call.parent
    if p is None or p.type != "argument_list" or p.parent is None:
        return False
    outer = p.parent
    fn = outer.child_by_field_name("function")
    if fn is None:
        return False
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    if _TERMINAL_CALLEES.match(name) or named_like_logger(name):
        return True  # panic, t.Fatalf, x.Error, internalLogIf(ctx, err): named like a logger or an exit
    return is_logging_call(ctx, outer)  # a method of a logger type (zap, slog, logrus, zerolog, log.Logger)
