"""SG304 sql-tx-without-rollback.

Transaction neither committed nor rolled back on some path (no deferred Rollback).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.cfg import function_cfg
from steadygo.golang.database_calls import first_result, is_method_call, is_tx_type, method_calls_by_name
from steadygo.golang.flow import acquisition_statement, describe_leak, flow_around, leaks, Resource, uses_field
from steadygo.golang.frameworks import GORM, PGX, SQL, SQLX
from steadygo.golang.handoff import Handoff
from steadygo.golang.parse import text
from steadygo.golang.roles import in_migration_step, is_migration_package
from steadygo.golang.rules.base import GoRule
from steadygo.golang.typed_acquisitions import doubtful_leak
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


BEGIN_METHODS = frozenset({"Begin", "BeginTx", "Beginx", "BeginTxx", "MustBegin", "MustBeginTx"})


def _tx_foreign(name: str, is_var: bool) -> bool:
    low = name.lower()
    return "rollback" in low or "commit" in low


class TxWithoutRollback(GoRule):
    meta = code_meta(
        id="SG304",
        status="preview",  # 1 of 13 first-run holdout findings true: docs/rules/SG304.md
        name="sql-tx-without-rollback",
        severity=Severity.ERROR,
        breakpoint="A transaction left open on an error path keeps its connection and its row locks; other requests block on those locks and the pool drains.",
        summary="Transaction neither committed nor rolled back on some path (no deferred Rollback).",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)
    types_through_package = True

    def check(self, ctx: FileContext) -> None:
        if is_migration_package(ctx.pkg, ctx.module_dir):
            # A failed migration ends the run (the tool, or the start-up that
            # applies it) and the server aborts the open transaction when its
            # connection closes: no pooled connection is held on (wakapi,
            # gotosocial; judged false or debatable every time).
            return
        f = ctx.file
        for call, typed_new in _begins(ctx):
            if in_migration_step(call):
                continue  # one migration step kept in a production file: same reason as the package
            stmt, lhs = acquisition_statement(call)
            if stmt is None or len(lhs) not in (1, 2) or lhs[0] == "_":
                continue
            var = lhs[0]
            err = lhs[1] if len(lhs) == 2 and lhs[1] != "_" else ""
            flow = flow_around(ctx, call)
            if flow is None:
                continue
            if not uses_field(flow, var, frozenset({"Commit"})):
                continue  # handed to something else that finishes it
            handoff = ctx.pkg.memo(("handoff.tx", f.path), lambda: Handoff(ctx.pkg, f, "tx", frozenset({"Commit", "Rollback"}), "", _tx_foreign))
            res = Resource(
                var=var,
                operands=frozenset({var}),
                methods=frozenset({"Commit", "Rollback"}),
                err_var=err,
                scoped=stmt.type != "assignment_statement",
                arg_releases=handoff.arg_releases,
                error_field="Error" if len(lhs) == 1 else "",
            )
            found = leaks(flow, stmt, res, stmt.parent, graph=function_cfg(ctx, flow.fn))
            if found and typed_new and doubtful_leak(ctx.pkg, flow, stmt, var, err, found[0]):
                continue
            if found:
                label = text(call.child_by_field_name("function"))
                ctx.report(call, f"transaction {var} from {label} is neither committed nor rolled back on the path that "
                           f"{describe_leak(found[0])}: it keeps its connection and locks; add defer {var}.Rollback() "
                           "right after the error check (it is a no-op after Commit)")


def _begins(ctx: FileContext):
    """Begin calls by name, and the package's own helpers declared to return
    a transaction, with whether only the types found it
    (golang.typed_acquisitions).  In a file that imports no database package
    only what the declarations type counts."""
    seen = set()
    for call, method in method_calls_by_name(ctx):
        if method not in BEGIN_METHODS or not is_method_call(ctx, call):
            continue
        if ctx.by_types_only and not is_tx_type(first_result(ctx, call)):
            continue
        seen.add(call.id)
        yield call, ctx.by_types_only
    for call in ctx.pkg.types.calls_returning(ctx.file, is_tx_type):
        if call.id not in seen:
            yield call, True
