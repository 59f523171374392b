"""Mutex Lock calls and the Unlock calls that release them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.parse import text

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def mutex_locks(ctx: FileContext):
    """``x.Lock()`` / ``x.RLock()`` statements, from the package's call index."""

    def compute():
        out = []
        for call in ctx.pkg.calls_in(ctx.file, "Lock", "RLock"):
            stmt = call.parent
            if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or call.child_by_field_name("arguments").named_child_count:
                continue
            if ctx.file.qualified(fn) is not None:
                continue
            mu = text(fn.child_by_field_name("operand")).replace(" ", "")
            unlock = "RUnlock" if text(fn.child_by_field_name("field")) == "RLock" else "Unlock"
            out.append((stmt, call, mu, unlock))
        return out

    return ctx.pkg.memo(("res.locks", ctx.file.path), compute)
