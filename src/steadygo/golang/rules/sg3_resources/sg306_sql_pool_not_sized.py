"""SG306 sql-pool-not-sized: *sql.DB opened but SetMaxOpenConns never called in the package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.database_calls import opens_sqlite, pool_openers
from steadygo.golang.frameworks import GORM, SQL, SQLX
from steadygo.golang.parse import captures, text
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import holder_of
from steadygo.rulemeta import code_meta, PRODUCTION_ROLES

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class SqlPoolNotSized(GoRule):
    meta = code_meta(
        id="SG306",
        name="sql-pool-not-sized",
        severity=Severity.WARNING,
        breakpoint="database/sql defaults to unlimited open connections and 2 idle ones: a traffic spike opens hundreds of connections until the database's max_connections refuses them, then the pool churns.",
        summary="*sql.DB opened but SetMaxOpenConns never called in the package.",
        status="preview",
        roles=PRODUCTION_ROLES,
    )
    requires_imports = (SQL, SQLX, *GORM)

    def check(self, ctx: FileContext) -> None:
        sized = ctx.pkg.memo("db.pool_sized", lambda: self._sized(ctx.pkg))
        if sized:
            return
        for call, (kind, fn) in pool_openers(ctx):
            if kind not in ("sql", "gorm"):
                continue
            if ctx.funcs.in_handler(call) is not None:
                continue  # SG305's business
            if self._returned_from_exported(ctx, call):
                continue
            if opens_sqlite(ctx.pkg, ctx.file, call):
                continue  # an embedded file: no server connection limit to overrun
            label = text(call.child_by_field_name("function"))
            if any(True for _ in ctx.pkg.calls_to("SetMaxIdleConns")):
                ctx.report(call, f"connection pool from {label} is never capped (SetMaxIdleConns but no SetMaxOpenConns "
                           "in this package): open connections are unlimited, so a spike overruns the database's "
                           "connection limit; set SetMaxOpenConns (and SetConnMaxLifetime)")
                continue
            ctx.report(call, f"connection pool from {label} is never sized (no SetMaxOpenConns in this package): "
                       "open connections are unlimited and only 2 stay idle, so a spike overruns the database's "
                       "connection limit and then churns; set SetMaxOpenConns, SetMaxIdleConns and SetConnMaxLifetime")

    @staticmethod
    def _sized(pkg) -> bool:
        return any(True for _ in pkg.calls_to("SetMaxOpenConns"))

    @staticmethod
    def _returned_from_exported(ctx, call) -> bool:
        """A constructor handing the pool to callers in other packages: they
        may size it; this package cannot tell."""
        node = call
        h = holder_of(node)
        fn = ctx.funcs.enclosing(call)
        if fn is None or not fn.name[:1].isupper():
            return False
        if h.kind == "return":
            return True
        if h.kind == "var":
            for r in captures("(return_statement) @r", fn.body).get("r", []):
                if any(text(i) == h.path for i in captures("(identifier) @i", r).get("i", [])):
                    return True
        return False
