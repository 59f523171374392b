"""SG212 context-key-builtin-type: context.WithValue keyed by a string, integer or other built-in type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.consts import builtin_typed_constants, BUILTIN_TYPES, LITERAL_TYPES
from steadygo.golang.frameworks import CONTEXT
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class ContextKeyBuiltinType(LifecycleRule):
    meta = code_meta(
        id="SG212",
        name="context-key-builtin-type",
        severity=Severity.WARNING,
        status="preview",  # 0 of 13 judged true on the 46 real services (13 debatable, gin c.Set keys): docs/rules/SG212.md
        breakpoint="Two packages that both store under the string \"user\" silently read each other's values: wrong tenant, wrong auth, wrong trace.",
        summary="context.WithValue keyed by a string, integer or other built-in type.",
    )
    requires_imports = (CONTEXT,)
    markers = ((b"WithValue(",),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        consts = None
        for call in ctx.pkg.calls_to("WithValue"):
            if call[0] is not f:
                continue
            call = call[1]
            if f.call_target(call) != (CONTEXT, "WithValue"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if len(args) != 3:
                continue
            key = unparen(args[1])
            kind = None
            if key.type in LITERAL_TYPES:
                kind = "a literal of a built-in type"
            elif key.type == "call_expression" and text(key.child_by_field_name("function")) in BUILTIN_TYPES:
                kind = f"a {text(key.child_by_field_name('function'))} conversion"
            elif key.type == "identifier":
                consts = consts if consts is not None else builtin_typed_constants(ctx.pkg)
                if text(key) in consts:
                    kind = f"constant {text(key)} of a built-in type"
            if kind:
                ctx.report(key, f"context.WithValue key is {kind}: any package using the same value reads or "
                           "overwrites it; declare an unexported key type (type ctxKey struct{})")
