"""SG305 db-pool-opened-per-request.

sql.Open / gorm.Open / pgxpool.New / redis.NewClient called inside a request handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.database_calls import pool_openers
from steadygo.golang.frameworks import GORM, PGX, REDIS, SQL, SQLX
from steadygo.golang.functions import inside_once
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class PoolOpenedPerRequest(GoRule):
    meta = code_meta(
        id="SG305",
        name="db-pool-opened-per-request",
        severity=Severity.ERROR,
        status="preview",  # never fired on 187 public services: no record of 30 judged at 90 %: docs/rules/SG305.md
        breakpoint="A pool created per request starts empty every time: each request dials, authenticates and (unless closed) leaves its connections behind until the database refuses new ones.",
        summary="sql.Open / gorm.Open / pgxpool.New / redis.NewClient called inside a request handler.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM, *REDIS, "go.mongodb.org/mongo-driver")

    def check(self, ctx: FileContext) -> None:
        for call, (kind, fn) in pool_openers(ctx):
            h = ctx.funcs.in_handler(call)
            if h is None or inside_once(ctx, call):
                continue
            label = text(call.child_by_field_name("function"))
            ctx.report(call, f"{label} inside a request handler creates a new connection pool per request: every call "
                       "dials and authenticates again and unclosed pools pile up connections; open it once at start-up and share it")
