"""SG308 query-inside-rows-loop: Database query issued inside a loop over another query's rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.database_calls import calls_method, for_next_loops, is_method_call, is_tx_type, SEL_CALL_Q
from steadygo.golang.flow import acquisition_statement, owner_function
from steadygo.golang.frameworks import GORM, PGX, SQL, SQLX
from steadygo.golang.parse import captures, text
from steadygo.golang.roles import is_migration_package
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


QUERY_METHODS = frozenset(
    {
        "Query", "QueryContext", "QueryRow", "QueryRowContext", "Exec", "ExecContext", "Get", "GetContext",
        "Select", "SelectContext", "Queryx", "QueryxContext", "QueryRowx", "QueryRowxContext", "NamedExec",
        "NamedExecContext", "First", "Find", "Take",
    }
)


class QueryInsideRowsLoop(GoRule):
    meta = code_meta(
        id="SG308",
        name="query-inside-rows-loop",
        severity=Severity.INFO,
        status="preview",  # 0 of 3 first-run judgements true on service holdouts: docs/rules/SG308.md
        breakpoint="One query per row (N+1) multiplies latency and holds two connections per request; at scale the pool and the database saturate.",
        summary="Database query issued inside a loop over another query's rows.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)

    def check(self, ctx: FileContext) -> None:
        if is_migration_package(ctx.pkg, ctx.module_dir):
            return  # one-shot backfills, run once per deployment in the tool's transaction
        for loop, var, body in for_next_loops(ctx):
            if not calls_method(body, var, "Scan"):
                continue
            for call in captures(SEL_CALL_Q, body).get("call", []):
                fn = call.child_by_field_name("function")
                method = text(fn.child_by_field_name("field"))
                if method not in QUERY_METHODS:
                    continue
                operand = text(fn.child_by_field_name("operand"))
                if operand == var or not is_method_call(ctx, call):
                    continue
                args = call.child_by_field_name("arguments").named_children
                if not args:
                    continue
                if owner_function(call) != owner_function(loop):
                    continue
                cost = ("each row costs one more round trip on the transaction's connection" if _rows_of_tx(ctx, loop, var)
                        else "the loop holds a second connection")
                ctx.report(call, f"{text(fn)} runs once per row of {var} (N+1): latency grows with the result size and "
                           f"{cost}; fetch the data with one query (JOIN / IN) instead")
                break


def _rows_of_tx(ctx, loop, var: str) -> bool:
    """The rows come from a transaction's query (the last ``var, err :=
    x.Query...`` before the loop has a Tx receiver): the per-row statements
    share its one connection rather than taking a second from the pool."""
    owner = owner_function(loop)
    if owner is None:
        return False
    source = None
    for call in captures(SEL_CALL_Q, owner).get("call", []):
        if call.start_byte >= loop.start_byte:
            break
        stmt, lhs = acquisition_statement(call)
        if stmt is not None and lhs and lhs[0] == var:
            source = call
    if source is None:
        return False
    operand = source.child_by_field_name("function").child_by_field_name("operand")
    return is_tx_type(ctx.pkg.types.type_of(ctx.file, operand))
