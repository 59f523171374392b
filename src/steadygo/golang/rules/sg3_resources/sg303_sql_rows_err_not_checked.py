"""SG303 sql-rows-err-not-checked: Loop over rows.Next() without checking rows.Err() afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.cfg import function_cfg
from steadygo.golang.database_calls import calls_method, for_next_loops, is_rows_type, next_operand
from steadygo.golang.flow import function_flow, owner_function, unchecked_exit_after_loop, uses_field
from steadygo.golang.frameworks import GORM, PGX, SQL, SQLX
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


# Methods that read rows without telling whether the loop ended early.
# (NextResultSet is not one: it returns false after an error, and code that
# tests it handles the failure there.)
ROWS_PLUMBING = frozenset({
    "Next", "Scan", "Close", "Columns", "ColumnTypes", "StructScan", "MapScan", "SliceScan",
    "Values", "RawValues", "FieldDescriptions", "CommandTag", "Conn",
})


class RowsErrNotChecked(GoRule):
    meta = code_meta(
        id="SG303",
        name="sql-rows-err-not-checked",
        severity=Severity.WARNING,
        breakpoint="A dropped connection or a cancelled context ends the rows loop early and silently: the caller gets a truncated result as if it were complete.",
        summary="Loop over rows.Next() without checking rows.Err() afterwards.",
        # Right claim, mostly low value on real code (docs/rules/SG303.md: 4 of 31 judged true)
        status="preview",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)
    types_through_package = True

    def check(self, ctx: FileContext) -> None:
        for m in for_next_loops(ctx):
            loop, var, body = m
            if ctx.by_types_only and not is_rows_type(ctx.pkg.types.type_of(ctx.file, next_operand(loop))):
                continue
            owner = owner_function(loop)
            if owner is None:
                continue
            flow = function_flow(ctx, owner)
            if not calls_method(body, var, "Scan"):
                continue
            if uses_field(flow, var, frozenset({"Err"})):
                missed = unchecked_exit_after_loop(flow, function_cfg(ctx, owner), loop, var, ROWS_PLUMBING)
                if missed is not None:
                    where = f"the return at line {missed.line}" if missed.kind == "return" else f"the end of the function at line {missed.line}"
                    ctx.report(loop, f"{var}.Err() is checked after this {var}.Next() loop on some paths only: {where} "
                               "reports success without it, so a broken connection or cancelled query returns a "
                               "partial result as if complete")
                continue
            ctx.report(loop, f"{var}.Next() loop without a {var}.Err() check afterwards: a broken connection or "
                       "cancelled query ends the loop early and the partial result looks complete")
