"""Calls on database handles (database/sql, sqlx, pgx, gorm, redis) that the
SG3 database rules share: method calls by name, rows.Next loops, pool openers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.facts import resolve_string
from steadygo.golang.frameworks import CANCELLABLE_CONTEXTS, CONTEXT, GORM, PGX, REDIS, SQL, SQLX
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import captures, enclosing_function, matches, text

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


SEL_CALL_Q = "(call_expression function: (selector_expression field: (field_identifier) @m)) @call"
FOR_NEXT_Q = """
(for_statement (call_expression function: (selector_expression operand: (identifier) @v field: (field_identifier) @m) (#eq? @m "Next")) body: (block) @body) @loop
"""


def method_calls_by_name(ctx: FileContext):
    return ctx.pkg.memo(("db.sel_calls", ctx.file.path), lambda: [
        (c, text(c.child_by_field_name("function").child_by_field_name("field")))
        for c in ctx.file.method_calls
    ])


_PGX_MAJORS = (f"{PGX}/v4", f"{PGX}/v5")


def is_rows_type(t: str | None) -> bool:
    """``*sql.Rows``, ``*sqlx.Rows`` or ``pgx.Rows`` (package_types strings)."""
    return is_named(t, SQL, "Rows") or is_named(t, SQLX, "Rows") or any(is_named(t, v, "Rows") for v in _PGX_MAJORS)


def is_stmt_type(t: str | None) -> bool:
    return is_named(t, SQL, "Stmt") or is_named(t, SQLX, "Stmt", "NamedStmt")


def is_tx_type(t: str | None) -> bool:
    return is_named(t, SQL, "Tx") or is_named(t, SQLX, "Tx") or any(is_named(t, v, "Tx") for v in _PGX_MAJORS)


def is_sql_tx_type(t: str | None) -> bool:
    """``*sql.Tx`` or sqlx's (which embeds it), not pgx's: database/sql closes
    what a ``*sql.Tx`` prepared or queried when it commits or rolls back."""
    return is_named(t, SQL, "Tx") or is_named(t, SQLX, "Tx")


def released_by_sql_tx(ctx: FileContext, call) -> bool:
    """A ``tx.Prepare*`` / ``tx.Query*`` call on a database/sql transaction.

    database/sql ties both to the transaction: Commit and Rollback close every
    statement the Tx prepared (Tx.closePrepared), and the Rows of a Tx query
    watch the Tx's context, which Commit and Rollback cancel, so they are
    closed then and the Tx's connection goes back to the pool
    (Rows.awaitDone).  Checked with an in-memory driver on Go 1.27
    (docs/rules/SG302.md).  pgx transactions do no such thing."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return False
    return is_sql_tx_type(ctx.pkg.types.type_of(ctx.file, fn.child_by_field_name("operand")))


def first_result(ctx: FileContext, call) -> str | None:
    """The declared type of a call's first result (package_types), or None."""
    res = ctx.pkg.types.results_of(ctx.file, call)
    return res[0] if res else None


def is_method_call(ctx, call) -> bool:
    """A method on a value, not a package-qualified function."""
    return ctx.file.qualified(call.child_by_field_name("function")) is None


def for_next_loops(ctx):
    def compute():
        out = []
        for _, caps in matches(FOR_NEXT_Q, ctx.file.root):
            loop = caps["loop"][0]
            cond = next((c for c in loop.named_children if c.type == "call_expression"), None)
            if cond is None or cond.child_by_field_name("arguments").named_child_count:
                continue  # rows.Next() takes no arguments (mongo's cur.Next(ctx) is another API)
            out.append((loop, text(caps["v"][0]), caps["body"][0]))
        return out

    return ctx.pkg.memo(("db.for_next", ctx.file.path), compute)


def next_operand(loop):
    """The ``rows`` of a ``for rows.Next()`` loop (one of ``for_next_loops``)."""
    cond = next(c for c in loop.named_children if c.type == "call_expression")
    return cond.child_by_field_name("function").child_by_field_name("operand")


def calls_method(node, var: str, method: str) -> bool:
    for call in captures(SEL_CALL_Q, node).get("call", []):
        fn = call.child_by_field_name("function")
        if text(fn.child_by_field_name("field")) == method and text(fn.child_by_field_name("operand")) == var:
            return True
    return False


# every function name _opener accepts, to look calls up in the call index
OPENER_NAMES = ("Open", "Connect", "MustConnect", "MustOpen", "ConnectContext", "New", "NewWithConfig", "ConnectConfig",
                 "NewClient", "NewClusterClient", "NewUniversalClient", "NewFailoverClient", "NewRing")


def pool_opener(file, call) -> tuple[str, str] | None:
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


# Go packages of SQLite's gorm dialectors: gorm.Open(sqlite.Open(path)).
_SQLITE_DIALECTORS = ("gorm.io/driver/sqlite", "github.com/glebarez/sqlite", "github.com/ncruces/go-sqlite3/gormlite")


def opens_sqlite(pkg, file, call) -> bool:
    """A pool opener whose database is SQLite: ``sql.Open("sqlite3", ...)``
    (mattn/go-sqlite3 registers "sqlite3", modernc.org/sqlite and the
    glebarez and ncruces drivers "sqlite"), jinzhu's ``gorm.Open("sqlite3", ...)``,
    or gorm v2 with a SQLite dialector.  The driver name may be a constant."""
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    if first is None:
        return False
    if first.type == "call_expression":
        t = file.call_target(first)
        return t is not None and t[0] in _SQLITE_DIALECTORS
    name = resolve_string(pkg, file, first, enclosing_function(call))
    return name is not None and name.lower().startswith("sqlite")


def pool_openers(ctx: FileContext):
    def compute():
        out = []
        for call in ctx.pkg.calls_in(ctx.file, *OPENER_NAMES):
            o = pool_opener(ctx.file, call)
            if o is not None:
                out.append((call, o))
        return out

    return ctx.pkg.memo(("db.openers", ctx.file.path), compute)


def query_ctx_cancelled_on_return(file, call, fn_body) -> bool:
    """``ctx, cancel := context.WithTimeout(...)``, ``defer cancel()``, then
    ``db.QueryContext(ctx, ...)`` in the same function: database/sql closes
    rows when their query's context is done, so whatever path returns, the
    deferred cancel closes them and frees the connection (1Panel's remote
    MySQL client)."""
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    if first is None or first.type != "identifier" or fn_body is None:
        return False
    name = text(first)
    cancels = set()
    for st in captures("(short_var_declaration) @s", fn_body).get("s", []) + \
            captures("(assignment_statement) @s", fn_body).get("s", []):
        left = [text(x) for x in st.child_by_field_name("left").named_children]
        right = st.child_by_field_name("right").named_children
        if len(left) == 2 and left[0] == name and len(right) == 1 and right[0].type == "call_expression":
            t = file.call_target(right[0])
            if t is not None and t[0] == CONTEXT and t[1] in CANCELLABLE_CONTEXTS and st.start_byte < call.start_byte:
                cancels.add(left[1])
    if not cancels:
        return False
    for d in captures("(defer_statement) @d", fn_body).get("d", []):
        inner = d.named_child(0)
        if inner is not None and inner.type == "call_expression" and text(inner.child_by_field_name("function")) in cancels \
                and not inner.child_by_field_name("arguments").named_child_count \
                and enclosing_function(d).id == enclosing_function(call).id:
            return True
    return False


def rows_err_beside_error_check(cond, var: str, err: str) -> bool:
    """``if err != nil || rows.Err() != nil`` right after the query: a
    non-nil ``rows.Err()`` before any ``Next`` means the context already
    ended, and database/sql has closed the rows itself (gitness)."""
    if cond is None or cond.type != "binary_expression" or text(cond.child_by_field_name("operator")) != "||":
        return False
    sides = {text(cond.child_by_field_name(k)).replace(" ", "") for k in ("left", "right")}
    return sides == {f"{err}!=nil", f"{var}.Err()!=nil"}
