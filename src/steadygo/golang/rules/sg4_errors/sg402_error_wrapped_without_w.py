"""SG402 error-wrapped-without-w: fmt.Errorf formats an error argument with %v/%s instead of wrapping it with %w."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.fixes import wrap_with_w
from steadygo.golang.error_checks import calls_named, is_err_name, is_error_call
from steadygo.golang.parse import string_value, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

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
        breakpoint="Formatting an error with %v flattens it to text: errors.Is(err, context.DeadlineExceeded), sql.ErrNoRows and friends stop matching upstream, so retries, status codes and fallbacks silently take the wrong branch.",
        fix="the bare %v/%s that formats the error becomes %w",
        summary="fmt.Errorf formats an error argument with %v/%s instead of wrapping it with %w.",
    )
    requires_imports = ("fmt",)

    def check(self, ctx: FileContext) -> None:
        if ctx.pkg.module.go_at_least(1, 13) is False:
            return  # no %w / errors.Is before Go 1.13
        for call in calls_named(ctx, "Errorf"):
            if ctx.file.call_target(call) != ("fmt", "Errorf"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args:
                continue
            fmt = string_value(args[0])
            if fmt is None or "%w" in fmt or _DIAGNOSTIC.search(fmt):
                continue  # "got %v, want %v": the error is reported, not wrapped
            if _terminal_use(call):
                continue  # handed to panic/Fatal/a logger: nobody inspects it afterwards
            rest = args[1:]
            for position, (verb, i) in enumerate(_verbs(fmt)):
                if verb not in ("v", "s") or i >= len(rest):
                    continue
                a = unparen(rest[i])
                if is_err_name(a) or is_error_call(a):
                    ctx.report(call, f"fmt.Errorf formats {text(a)} with %{verb}: the wrapped error chain is lost, so "
                               "errors.Is/As upstream (timeouts, not-found, cancellation) no longer match; use %w",
                               fix=wrap_with_w(ctx.file, unparen(args[0]), position))
                    break


_TERMINAL_CALLEES = re.compile(r"^(panic|Fatal\w*|Panic\w*|Print\w*|Log\w*|Error|Errorf|Warn\w*|Info\w*|Debug\w*|Exit)$")


def _terminal_use(call) -> bool:
    p = call.parent
    if p is None or p.type != "argument_list":
        return False
    fn = p.parent.child_by_field_name("function") if p.parent is not None else None
    if fn is None:
        return False
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    return bool(_TERMINAL_CALLEES.match(name))
