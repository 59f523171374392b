"""Pool sizes of the pgx and go-redis clients, beside database/sql's setters.

The connection budget (SG828) multiplies what one pod may open by the pods
at peak; database/sql says it with ``SetMaxOpenConns`` (read in
``golang.facts``), pgxpool with ``Config.MaxConns`` or ``pool_max_conns`` in
the connection string, go-redis with ``PoolSize`` in its options (or
``pool_size`` in a ``redis://`` URL).  A pool the code creates without a
size gets the library's default, recorded with ``default`` set so the rule
can say so: pgxpool ``max(4, runtime.NumCPU())``, go-redis ``10 x
GOMAXPROCS``.  A connection string read at run time may carry its own size:
then the value is unknown (``None``, no default), unless the code assigns
the size itself, which wins.
"""

from __future__ import annotations

import re

from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.values import literal_keys

PGXPOOL_PATHS = ("github.com/jackc/pgx/v5/pgxpool", "github.com/jackc/pgx/v4/pgxpool")
GO_REDIS_PATHS = ("github.com/redis/go-redis/v9", "github.com/go-redis/redis/v8", "github.com/go-redis/redis/v7",
                  "github.com/go-redis/redis")
REDIS_OPTIONS = ("Options", "ClusterOptions", "FailoverOptions", "UniversalOptions", "RingOptions")

PGX_DEFAULT = "max(4, runtime.NumCPU())"
REDIS_DEFAULT = "10 x GOMAXPROCS"
PGX_DEFAULT_FLOOR = 4  # the least pgxpool's default can be

# pgxpool.New(ctx, dsn) / Connect(ctx, dsn) (v4) / ParseConfig(dsn): index of the DSN argument
_PGX_DSN_ARG = {"New": 1, "Connect": 1, "ParseConfig": 0}
_PGX_SIZE = re.compile(r"(?:^|[?&\s])pool_max_conns=(\d+)")
_REDIS_SIZE = re.compile(r"[?&]pool_size=(\d+)")
_INT_TYPES = {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"}
_ASSIGN_Q = "(assignment_statement left: (expression_list (selector_expression field: (field_identifier) @f))) @a"


def client_pools(pkg, file) -> list:
    """PoolSettings of pgxpool and go-redis pools in one file, defaults
    included; ``settle_defaults`` then drops what the package's own
    assignments override."""
    from steadygo.golang.facts import Location, PoolSetting, resolve_string  # facts imports this module

    imps = file.imports
    pgx = next((p for p in PGXPOOL_PATHS if imps.imports(p)), None)
    rds = next((p for p in GO_REDIS_PATHS if imps.imports(p)), None)
    if pgx is None and rds is None:
        return []
    funcs = pkg.functions(file)
    out = []

    def loc(node):
        return Location(file.relpath, node.start_point[0] + 1)

    def scope_of(node):
        fi = funcs.enclosing(node)
        return fi.body if fi is not None else None

    for call in file.nodes("call"):
        t = file.call_target(call)
        if t is None:
            continue
        args = call.child_by_field_name("arguments").named_children
        if pgx is not None and t[0] == pgx and t[1] in _PGX_DSN_ARG and len(args) > _PGX_DSN_ARG[t[1]]:
            dsn = resolve_string(pkg, file, args[_PGX_DSN_ARG[t[1]]], scope_of(call))
            m = _PGX_SIZE.search(dsn) if dsn is not None else None
            out.append(PoolSetting("pool_max_conns", f"pgxpool.{t[1]}", float(m.group(1)) if m else None, loc(call),
                                   library="pgxpool", default=PGX_DEFAULT if dsn is not None and m is None else None))
        elif rds is not None and t == (rds, "ParseURL") and args:
            url = resolve_string(pkg, file, args[0], scope_of(call))
            m = _REDIS_SIZE.search(url) if url is not None else None
            out.append(PoolSetting("pool_size", "redis.ParseURL", float(m.group(1)) if m else None, loc(call),
                                   library="go-redis", default=REDIS_DEFAULT if url is not None and m is None else None))
    if rds is not None:
        for lit in file.nodes("composite"):
            q = file.qualified(lit.child_by_field_name("type"))
            if q is None or q[0] != rds or q[1] not in REDIS_OPTIONS:
                continue
            keys = literal_keys(lit)
            value = pool_count(pkg, file, keys["PoolSize"], scope_of(lit)) if "PoolSize" in keys else None
            out.append(PoolSetting("PoolSize", f"redis.{q[1]}{{}}", value, loc(lit), library="go-redis",
                                   default=None if "PoolSize" in keys else REDIS_DEFAULT))
    if pgx is not None:
        for lit in file.nodes("composite"):
            q = file.qualified(lit.child_by_field_name("type"))
            if q == (pgx, "Config") and "MaxConns" in literal_keys(lit):
                out.append(PoolSetting("MaxConns", "pgxpool.Config{}",
                                       pool_count(pkg, file, literal_keys(lit)["MaxConns"], scope_of(lit)), loc(lit),
                                       library="pgxpool"))
    for a in captures(_ASSIGN_Q, file.root).get("a", []):
        left = a.child_by_field_name("left").named_children
        right = a.child_by_field_name("right").named_children
        if len(left) != 1 or len(right) != 1 or left[0].type != "selector_expression":
            continue
        field = text(left[0].child_by_field_name("field"))
        lib = "pgxpool" if field == "MaxConns" and pgx is not None else (
            "go-redis" if field == "PoolSize" and rds is not None else None)
        if lib is None:
            continue
        out.append(PoolSetting(field, text(left[0].child_by_field_name("operand")),
                               pool_count(pkg, file, right[0], scope_of(a)), loc(a), library=lib))
    return out


def settle_defaults(pools: list) -> list:
    """Within one package: a size the code assigns (``cfg.MaxConns = 20``,
    ``opt.PoolSize = 50``) overrides what the connection string, the options
    literal it was made from, or the library default would give, so those
    entries of the same library go (literal entries' targets end in ``{}``)."""
    assigned = {p.library for p in pools
                if p.setting in ("MaxConns", "PoolSize") and not p.target.endswith("{}")}
    return [p for p in pools if not (p.library in assigned and (
        p.setting in ("pool_max_conns", "pool_size") or p.default is not None))]


def pool_count(pkg, file, node, scope, _depth: int = 0) -> float | None:
    """A connection count: a literal, a conversion (``int32(20)``), or a
    constant or variable bound to one (local or package level)."""
    from steadygo.golang.facts import package_constants

    node = unparen(node)
    if node is None or _depth > 4:
        return None
    if node.type == "int_literal":
        try:
            return float(int(text(node).replace("_", ""), 0))
        except ValueError:
            return None
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments").named_children
        if fn.type == "identifier" and text(fn) in _INT_TYPES and len(args) == 1:
            return pool_count(pkg, file, args[0], scope, _depth + 1)
        return None
    if node.type == "identifier":
        name = text(node)
        if scope is not None:
            for spec in captures("(const_spec) @s", scope).get("s", []):
                names = [text(n) for n in spec.children_by_field_name("name")]
                val = spec.child_by_field_name("value")
                if name in names and val is not None and names.index(name) < len(val.named_children):
                    return pool_count(pkg, file, val.named_children[names.index(name)], None, _depth + 1)
            vals = pkg.assigned_from(scope, name)
            if len(vals) == 1:
                return pool_count(pkg, file, vals[0], None, _depth + 1)
            if vals:
                return None
        hit = package_constants(pkg).get(name)
        if hit is not None:
            return pool_count(pkg, hit[0], hit[1], None, _depth + 1)
    return None
