"""SG302 sql-rows-or-stmt-not-closed: *sql.Rows (sqlx, pgx rows) or *sql.Stmt not closed on every path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.cfg import function_cfg
from steadygo.golang.fixes import defer_close_after_check
from steadygo.golang.database_calls import (
    first_result, is_method_call, is_rows_type, is_stmt_type, method_calls_by_name, query_ctx_cancelled_on_return,
    released_by_sql_tx, rows_err_beside_error_check,
)
from steadygo.golang.flow import acquisition_statement, describe_leak, flow_around, leaks, Resource, uses_field
from steadygo.golang.frameworks import GORM, PGX, SQL, SQLX
from steadygo.golang.handoff import Handoff
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.golang.typed_acquisitions import doubtful_leak
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


ROWS_METHODS = frozenset({"Query", "QueryContext", "Queryx", "QueryxContext", "NamedQuery", "NamedQueryContext", "Rows"})
STMT_METHODS = frozenset({"Prepare", "PrepareContext", "Preparex", "PreparexContext", "PrepareNamed", "PrepareNamedContext"})


def _handed_off(name: str, is_var: bool) -> bool:
    return is_var


class RowsOrStmtNotClosed(GoRule):
    meta = code_meta(
        id="SG302",
        status="preview",  # 0 of 9 first-run holdout findings true: docs/rules/SG302.md
        name="sql-rows-or-stmt-not-closed",
        severity=Severity.ERROR,
        breakpoint="Open rows keep their pooled connection busy; a few leaked per minute and the pool is exhausted, every query then waits forever for a connection.",
        fix="defer rows.Close() after the error check that follows the query, when every later use of the rows is a method call on them",
        summary="*sql.Rows (sqlx, pgx rows) or *sql.Stmt not closed on every path.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)
    types_through_package = True

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call, method, kind, typed_new in _acquisitions(ctx):
            stmt, lhs = acquisition_statement(call)
            label = text(call.child_by_field_name("function"))
            if stmt is None or len(lhs) != 2:
                continue
            if released_by_sql_tx(ctx, call):
                continue  # Commit/Rollback closes it (database_calls.released_by_sql_tx)
            var, err = lhs
            if var == "_":
                if kind == "rows" and method != "Rows":
                    ctx.report(call, f"rows from {label} are discarded: they are never closed and hold a pooled "
                               "connection; use Exec for statements that return no rows")
                continue
            flow = flow_around(ctx, call)
            if flow is None:
                continue
            evidence = {"Next", "Scan", "Close"} if kind == "rows" else {"Exec", "ExecContext", "Query", "QueryContext", "QueryRow", "QueryRowContext", "Close", "Get", "Select"}
            if not uses_field(flow, var, frozenset(evidence)):
                continue
            handoff = ctx.pkg.memo(("handoff.rows", f.path), lambda: Handoff(ctx.pkg, f, "rows", frozenset({"Close"}), "", _handed_off))
            res = Resource(
                var=var,
                operands=frozenset({var}),
                methods=frozenset({"Close"}),
                err_var=err if err != "_" else "",
                scoped=stmt.type != "assignment_statement",
                arg_releases=handoff.arg_releases,
                next_loop_releases=kind == "rows",
            )
            found = leaks(flow, stmt, res, stmt.parent, graph=function_cfg(ctx, flow.fn))
            if found and kind == "rows" and query_ctx_cancelled_on_return(f, call, flow.body):
                continue  # the deferred cancel ends the query's context: database/sql closes the rows
            if found and kind == "rows" and res.err_var:
                found = [l for l in found if not _in_rows_err_check(stmt, l.node, var, res.err_var)]
            if found and typed_new and doubtful_leak(ctx.pkg, flow, stmt, var, res.err_var, found[0]):
                continue
            if found:
                what = "rows" if kind == "rows" else "prepared statement"
                cost = ("its pooled connection stays busy until the query's context ends (never, without one); add defer "
                        f"{var}.Close() right after the error check") if kind == "rows" else (
                        f"the statement stays open on the server and its connection; add defer {var}.Close()")
                ctx.report(call, f"{what} {var} from {label} not closed on the path that {describe_leak(found[0])}: {cost}",
                           fix=defer_close_after_check(f, stmt, var, err))


def _acquisitions(ctx: FileContext):
    """(call, method, 'rows' | 'stmt', typed_new): the driver methods by name, and the
    package's own helpers declared to return rows or statements.  In a file
    that imports no database package only what the declarations type counts;
    ``typed_new`` marks what only the types found (golang.typed_acquisitions)."""
    seen = set()
    for call, method in method_calls_by_name(ctx):
        if method in ROWS_METHODS:
            kind, typed = "rows", is_rows_type
        elif method in STMT_METHODS:
            kind, typed = "stmt", is_stmt_type
        else:
            continue
        if not is_method_call(ctx, call) or ctx.by_types_only and not typed(first_result(ctx, call)):
            continue
        seen.add(call.id)
        yield call, method, kind, ctx.by_types_only
    for kind, typed in (("rows", is_rows_type), ("stmt", is_stmt_type)):
        for call in ctx.pkg.types.calls_returning(ctx.file, typed):
            if call.id not in seen:
                fn = call.child_by_field_name("function")
                yield call, text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn), kind, True


def _in_rows_err_check(stmt, exit_node, var: str, err: str) -> bool:
    """The exit is in ``if err != nil || rows.Err() != nil { ... }`` right
    after the query (database_calls.rows_err_beside_error_check)."""
    nxt = stmt.next_named_sibling
    if nxt is None or nxt.type != "if_statement" or exit_node is None:
        return False
    cons = nxt.child_by_field_name("consequence")
    return cons is not None and cons.start_byte <= exit_node.start_byte < cons.end_byte and \
        rows_err_beside_error_check(nxt.child_by_field_name("condition"), var, err)
