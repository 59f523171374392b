"""Database and pool rules (SG302-SG308): rows, statements, transactions,
pools opened per request or never sized, redis timeouts, N+1 queries.

database/sql, sqlx and pgx share method names (Query, Prepare, Begin,
Rows.Next/Scan/Close/Err), which is what the rules key on; a file must import
one of those drivers for the rules to run.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.flow import Resource, acquisition_statement, leaks, owner_function
from steadygo.golang.handoff import Handoff
from steadygo.golang.parse import captures, matches, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.rules.http import _inside_once
from steadygo.golang.rules.resources import _meta, describe, flow_around, function_flow, uses_field
from steadygo.golang.values import holder_of, literal_keys

SQL = "database/sql"
SQLX = "github.com/jmoiron/sqlx"
PGX = "github.com/jackc/pgx"
GORM = ("gorm.io/gorm", "github.com/jinzhu/gorm")
DB_IMPORTS = (SQL, SQLX, PGX, *GORM)
REDIS = ("github.com/redis/go-redis", "github.com/go-redis/redis")

_SEL_CALL_Q = "(call_expression function: (selector_expression field: (field_identifier) @m)) @call"
_FOR_NEXT_Q = """
(for_statement (call_expression function: (selector_expression operand: (identifier) @v field: (field_identifier) @m) (#eq? @m "Next")) body: (block) @body) @loop
"""

ROWS_METHODS = frozenset({"Query", "QueryContext", "Queryx", "QueryxContext", "NamedQuery", "NamedQueryContext", "Rows"})
STMT_METHODS = frozenset({"Prepare", "PrepareContext", "Preparex", "PreparexContext", "PrepareNamed", "PrepareNamedContext"})
BEGIN_METHODS = frozenset({"Begin", "BeginTx", "Beginx", "BeginTxx", "MustBegin", "MustBeginTx"})
QUERY_METHODS = frozenset(
    {
        "Query", "QueryContext", "QueryRow", "QueryRowContext", "Exec", "ExecContext", "Get", "GetContext",
        "Select", "SelectContext", "Queryx", "QueryxContext", "QueryRowx", "QueryRowxContext", "NamedExec",
        "NamedExecContext", "First", "Find", "Take",
    }
)


def _handed_off(name: str, is_var: bool) -> bool:
    return is_var


def _sel_calls(ctx: FileContext):
    return ctx.pkg.memo(("db.sel_calls", ctx.file.path), lambda: [
        (c, text(c.child_by_field_name("function").child_by_field_name("field")))
        for c in ctx.file.method_calls
    ])


def _is_method_call(ctx, call) -> bool:
    """A method on a value, not a package-qualified function."""
    return ctx.file.qualified(call.child_by_field_name("function")) is None


# --------------------------------------------------------------------------
# SG302


class RowsOrStmtNotClosed(GoRule):
    meta = _meta(
        "SG302",
        "sql-rows-or-stmt-not-closed",
        Severity.ERROR,
        "Open rows keep their pooled connection busy; a few leaked per minute and the pool is exhausted, every query then waits forever for a connection.",
        "*sql.Rows (sqlx, pgx rows) or *sql.Stmt not closed on every path.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call, method in _sel_calls(ctx):
            if method in ROWS_METHODS:
                kind = "rows"
            elif method in STMT_METHODS:
                kind = "stmt"
            else:
                continue
            if not _is_method_call(ctx, call):
                continue
            stmt, lhs = acquisition_statement(call)
            label = text(call.child_by_field_name("function"))
            if stmt is None or len(lhs) != 2:
                continue
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
            found = leaks(flow, stmt, res, stmt.parent)
            if found:
                what = "rows" if kind == "rows" else "prepared statement"
                cost = ("its pooled connection stays busy until the query's context ends (never, without one); add defer "
                        f"{var}.Close() right after the error check") if kind == "rows" else (
                        f"the statement stays open on the server and its connection; add defer {var}.Close()")
                ctx.report(call, f"{what} {var} from {label} not closed on the path that {describe(found[0])}: {cost}")


# --------------------------------------------------------------------------
# SG303


class RowsErrNotChecked(GoRule):
    meta = _meta(
        "SG303",
        "sql-rows-err-not-checked",
        Severity.WARNING,
        "A dropped connection or a cancelled context ends the rows loop early and silently: the caller gets a truncated result as if it were complete.",
        "Loop over rows.Next() without checking rows.Err() afterwards.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)

    def check(self, ctx: FileContext) -> None:
        for m in _for_next_loops(ctx):
            loop, var, body = m
            owner = owner_function(loop)
            if owner is None:
                continue
            flow = function_flow(ctx, owner)
            if not _calls_method(body, var, "Scan"):
                continue
            if uses_field(flow, var, frozenset({"Err"})):
                continue
            ctx.report(loop, f"{var}.Next() loop without a {var}.Err() check afterwards: a broken connection or "
                       "cancelled query ends the loop early and the partial result looks complete")


def _for_next_loops(ctx):
    def compute():
        out = []
        for _, caps in matches(_FOR_NEXT_Q, ctx.file.root):
            loop = caps["loop"][0]
            cond = next((c for c in loop.named_children if c.type == "call_expression"), None)
            if cond is None or cond.child_by_field_name("arguments").named_child_count:
                continue  # rows.Next() takes no arguments (mongo's cur.Next(ctx) is another API)
            out.append((loop, text(caps["v"][0]), caps["body"][0]))
        return out

    return ctx.pkg.memo(("db.for_next", ctx.file.path), compute)


def _calls_method(node, var: str, method: str) -> bool:
    for call in captures(_SEL_CALL_Q, node).get("call", []):
        fn = call.child_by_field_name("function")
        if text(fn.child_by_field_name("field")) == method and text(fn.child_by_field_name("operand")) == var:
            return True
    return False


# --------------------------------------------------------------------------
# SG304


def _tx_foreign(name: str, is_var: bool) -> bool:
    low = name.lower()
    return "rollback" in low or "commit" in low


class TxWithoutRollback(GoRule):
    meta = _meta(
        "SG304",
        "sql-tx-without-rollback",
        Severity.ERROR,
        "A transaction left open on an error path keeps its connection and its row locks; other requests block on those locks and the pool drains.",
        "Transaction neither committed nor rolled back on some path (no deferred Rollback).",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call, method in _sel_calls(ctx):
            if method not in BEGIN_METHODS or not _is_method_call(ctx, call):
                continue
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
            )
            found = leaks(flow, stmt, res, stmt.parent)
            if found:
                label = text(call.child_by_field_name("function"))
                ctx.report(call, f"transaction {var} from {label} is neither committed nor rolled back on the path that "
                           f"{describe(found[0])}: it keeps its connection and locks; add defer {var}.Rollback() "
                           "right after the error check (it is a no-op after Commit)")


# --------------------------------------------------------------------------
# SG305 / SG306


# every function name _opener accepts, to look calls up in the call index
_OPENER_NAMES = ("Open", "Connect", "MustConnect", "MustOpen", "ConnectContext", "New", "NewWithConfig", "ConnectConfig",
                 "NewClient", "NewClusterClient", "NewUniversalClient", "NewFailoverClient", "NewRing")


def _opener(file, call) -> tuple[str, str] | None:
    t = file.call_target(call)
    if t is None:
        return None
    path, fn = t
    if path == SQL and fn == "Open" or path == SQLX and fn in ("Open", "Connect", "MustConnect", "MustOpen", "ConnectContext"):
        return "sql", fn
    if path in GORM and fn == "Open":
        return "gorm", fn
    if path.startswith(PGX) and path.endswith("pgxpool") and fn in ("New", "NewWithConfig", "Connect", "ConnectConfig"):
        return "pgxpool", fn
    if path.startswith(PGX) and fn in ("Connect", "ConnectConfig"):
        return "pgx", fn
    if any(path == r or path.startswith(r + "/") for r in REDIS) and fn in ("NewClient", "NewClusterClient", "NewUniversalClient", "NewFailoverClient", "NewRing"):
        return "redis", fn
    if path.startswith("go.mongodb.org/mongo-driver") and fn in ("Connect", "NewClient"):
        return "mongo", fn
    return None


def _openers(ctx: FileContext):
    def compute():
        out = []
        for call in ctx.pkg.calls_in(ctx.file, *_OPENER_NAMES):
            o = _opener(ctx.file, call)
            if o is not None:
                out.append((call, o))
        return out

    return ctx.pkg.memo(("db.openers", ctx.file.path), compute)


class PoolOpenedPerRequest(GoRule):
    meta = _meta(
        "SG305",
        "db-pool-opened-per-request",
        Severity.ERROR,
        "A pool created per request starts empty every time: each request dials, authenticates and (unless closed) leaves its connections behind until the database refuses new ones.",
        "sql.Open / gorm.Open / pgxpool.New / redis.NewClient called inside a request handler.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM, *REDIS, "go.mongodb.org/mongo-driver")

    def check(self, ctx: FileContext) -> None:
        for call, (kind, fn) in _openers(ctx):
            h = ctx.funcs.in_handler(call)
            if h is None or _inside_once(ctx, call):
                continue
            label = text(call.child_by_field_name("function"))
            ctx.report(call, f"{label} inside a request handler creates a new connection pool per request: every call "
                       "dials and authenticates again and unclosed pools pile up connections; open it once at start-up and share it")


class SqlPoolNotSized(GoRule):
    meta = _meta(
        "SG306",
        "sql-pool-not-sized",
        Severity.WARNING,
        "database/sql defaults to unlimited open connections and 2 idle ones: a traffic spike opens hundreds of connections until the database's max_connections refuses them, then the pool churns.",
        "*sql.DB opened but SetMaxOpenConns never called in the package.",
    )
    requires_imports = (SQL, SQLX, *GORM)

    def check(self, ctx: FileContext) -> None:
        sized = ctx.pkg.memo("db.pool_sized", lambda: self._sized(ctx.pkg))
        if sized:
            return
        for call, (kind, fn) in _openers(ctx):
            if kind not in ("sql", "gorm"):
                continue
            if ctx.funcs.in_handler(call) is not None:
                continue  # SG305's business
            if self._returned_from_exported(ctx, call):
                continue
            label = text(call.child_by_field_name("function"))
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


# --------------------------------------------------------------------------
# SG307


class RedisTimeoutDisabled(GoRule):
    meta = _meta(
        "SG307",
        "redis-timeout-disabled",
        Severity.WARNING,
        "With a read/write/dial/pool timeout disabled, one stalled redis node or a full pool blocks every caller indefinitely.",
        "go-redis options set a timeout to a negative value (no timeout).",
    )
    requires_imports = REDIS

    _OPTION_TYPES = ("Options", "ClusterOptions", "UniversalOptions", "FailoverOptions", "RingOptions")
    _TIMEOUTS = ("ReadTimeout", "WriteTimeout", "DialTimeout", "PoolTimeout")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for lit in captures("(composite_literal type: (qualified_type) @t) @lit", f.root).get("lit", []):
            q = f.qualified(lit.child_by_field_name("type"))
            if q is None or q[1] not in self._OPTION_TYPES or not any(q[0] == r or q[0].startswith(r + "/") for r in REDIS):
                continue
            for key, val in literal_keys(lit).items():
                if key in self._TIMEOUTS and _negative(val):
                    ctx.report(val, f"redis {key}: {text(val)} disables the timeout: a stalled redis node or an exhausted "
                               "pool blocks callers indefinitely; leave it at the default or set a bound")


def _negative(node) -> bool:
    node = unparen(node)
    if node is None:
        return False
    if node.type == "unary_expression" and text(node).startswith("-"):
        return True
    if node.type == "binary_expression":
        left = unparen(node.child_by_field_name("left"))
        return left is not None and left.type == "unary_expression" and text(left).startswith("-")
    if node.type == "call_expression":  # time.Duration(-1)
        args = node.child_by_field_name("arguments")
        return args is not None and args.named_child_count == 1 and _negative(args.named_child(0))
    return False


# --------------------------------------------------------------------------
# SG308


class QueryInsideRowsLoop(GoRule):
    meta = _meta(
        "SG308",
        "query-inside-rows-loop",
        Severity.INFO,
        "One query per row (N+1) multiplies latency and holds two connections per request; at scale the pool and the database saturate.",
        "Database query issued inside a loop over another query's rows.",
    )
    requires_imports = (SQL, SQLX, PGX, *GORM)

    def check(self, ctx: FileContext) -> None:
        for loop, var, body in _for_next_loops(ctx):
            if not _calls_method(body, var, "Scan"):
                continue
            for call in captures(_SEL_CALL_Q, body).get("call", []):
                fn = call.child_by_field_name("function")
                method = text(fn.child_by_field_name("field"))
                if method not in QUERY_METHODS:
                    continue
                operand = text(fn.child_by_field_name("operand"))
                if operand == var or not _is_method_call(ctx, call):
                    continue
                args = call.child_by_field_name("arguments").named_children
                if not args:
                    continue
                if owner_function(call) != owner_function(loop):
                    continue
                ctx.report(call, f"{text(fn)} runs once per row of {var} (N+1): latency grows with the result size and "
                           "the loop holds a second connection; fetch the data with one query (JOIN / IN) instead")
                break


RULES = [
    RowsOrStmtNotClosed(),
    RowsErrNotChecked(),
    TxWithoutRollback(),
    PoolOpenedPerRequest(),
    SqlPoolNotSized(),
    RedisTimeoutDisabled(),
    QueryInsideRowsLoop(),
]
