"""Service facts: what a Go service exposes and how it runs, as plain data.

The observability rules (SG5xx/SG6xx), the deploy cross-checks (probe paths
against routes, ``terminationGracePeriodSeconds`` against the shutdown
deadline) and the HTML report all read the same structure, described in
``docs/facts.md``.  ``extract_facts(pkg)`` reads one package;
``merge_facts`` combines packages; the engine merges every package's facts
per module and hands them to the rules that need module-wide answers ("is
there a health endpoint anywhere in this service") as ``Package.module_facts``.

Everything here is static and best-effort: a value the code computes at run
time (an address from a flag, a deadline from config) is recorded as unknown
(``None``), never guessed.
"""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import asdict, dataclass, field

# Import paths live in golang.frameworks; the names stay importable from here.
from steadygo.golang.frameworks import (  # noqa: F401
    AUTOMAXPROCS,
    AUTOMEMLIMIT,
    CHI,
    ECHO_PATHS as ECHO,
    FIBER_PATHS as FIBER,
    GIN,
    GORILLA,
    GRPC,
    PROMAUTO,
    PROMETHEUS,
    PROMHTTP,
    ROOT_CONTEXTS,
)
from steadygo.golang.client_pools import client_pools, settle_defaults
from steadygo.golang.error_flow import package_error_flow
from steadygo.golang.listen_defaults import settings_of
from steadygo.golang.unreferenced import package_references
from steadygo.golang.metric_buckets import bucket_bounds, default_bounds
from steadygo.golang.metric_defs import registration, registry_scope
from steadygo.golang.parse import ancestors, captures, enclosing_function, string_value, text, unparen
from steadygo.golang.readiness_flip import readiness_flip
from steadygo.golang.values import assigned_from, literal_keys

# --------------------------------------------------------------------------
# The structure


@dataclass
class Location:
    path: str  # as shown in reports
    line: int


@dataclass
class Route:
    method: str  # "GET", ... or "" for any method
    path: str  # full path including group prefixes the code shows ("/api/v1/users")
    handler: str  # source text of the handler expression (shortened)
    framework: str  # net/http | gorilla | chi | gin | echo | fiber | unknown
    location: Location


_LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1):")


def is_loopback_address(addr: str | None) -> bool:
    """``localhost:6060``, ``127.0.0.1:8080``, ``[::1]:9090``: unreachable from other hosts."""
    return addr is not None and _LOOPBACK.match(addr) is not None


@dataclass
class Listener:
    call: str  # http.ListenAndServe | Server.ListenAndServe | gin.Run | echo.Start | fiber.Listen | ...
    addr: str | None  # ":8080" when the code shows it, None when computed at run time
    port: int | None
    addr_source: str  # literal | const | env:NAME | unknown
    handler: str  # "DefaultServeMux" when nil/http.DefaultServeMux is served, else source text or ""
    tls: bool
    location: Location


@dataclass
class HealthEndpoint:
    path: str
    kind: str  # liveness | readiness | startup | health
    method: str
    handler: str
    location: Location
    # the first dependency call its handler makes (db.PingContext, http.Get),
    # None when it makes none or the handler could not be read
    dependency_call: str | None = None


@dataclass
class ShutdownCall:
    target: str  # receiver source text: srv, s.httpServer, e
    kind: str  # http | otel | other
    timeout_seconds: float | None  # deadline of the context passed, None when unknown
    deadline: str  # timeout | background (no deadline) | unknown
    location: Location
    # HTTP servers: does the code fail its readiness check (or wait) between the
    # stop signal and this call?  flipped | no_flip | unknown (golang.readiness_flip)
    readiness_flip: str = "unknown"


@dataclass
class Mechanism:
    """One way the code handles a runtime limit (memory limit, GOMAXPROCS, GC)."""

    kind: str  # debug.SetMemoryLimit | automemlimit | os.Setenv | automaxprocs | runtime.GOMAXPROCS | debug.SetGCPercent
    detail: str  # argument text, import path
    location: Location


@dataclass
class Metric:
    name: str | None  # fully qualified, joined like prometheus.BuildFQName; None when computed at run time
    type: str  # counter | gauge | histogram | summary
    vec: bool
    labels: list[str] | None  # None when not visible
    help: str | None  # None when not visible, "" when missing/empty
    buckets: bool  # Buckets (histogram) / Objectives (summary) set explicitly
    constructor: str  # prometheus.NewCounterVec, promauto.NewHistogram, ...
    location: Location
    # Histogram bucket bounds when constant (DefBuckets when none are set);
    # None when computed at run time or not a histogram.
    bucket_bounds: list[float] | None = None
    # Whether the metric reaches a registry (golang.metric_defs.registration):
    # yes (promauto, or passed to a Register call), no (an unexported value
    # nothing registers: collected by hand), unknown.
    registered: str = "unknown"
    # "param:<function>" when the registry is a parameter of the function that
    # defines the metric (golang.metric_defs.registry_scope), else "".
    registry: str = ""
    # The ConstLabels value as written (``prometheus.Labels{"reason": "partial"}``),
    # "" when none are set, None when the options are not visible.
    const_labels: str | None = None


@dataclass
class PoolSetting:
    """One connection-pool setting the code makes (``db.SetMaxOpenConns(20)``,
    ``cfg.MaxConns = 20``, ``redis.Options{PoolSize: 50}``)."""

    # database/sql: SetMaxOpenConns | SetMaxIdleConns | SetConnMaxLifetime | SetConnMaxIdleTime;
    # pgxpool: MaxConns | pool_max_conns (in the connection string); go-redis: PoolSize | pool_size (in the URL)
    setting: str
    target: str  # receiver source text; for literals and constructors the type or call (redis.Options{})
    value: float | None  # connections, or seconds for the durations; None when computed or unknown
    location: Location
    library: str = "database/sql"  # database/sql | pgxpool | go-redis (golang.client_pools)
    # the library's default when the code sets no size ("10 x GOMAXPROCS"); value is then None
    default: str | None = None


@dataclass
class ServiceFacts:
    module: str = ""
    go_version: str | None = None
    packages: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    health_endpoints: list[HealthEndpoint] = field(default_factory=list)
    shutdown_calls: list[ShutdownCall] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)  # SIGTERM, SIGINT, ALL
    memory_limit: list[Mechanism] = field(default_factory=list)
    gomaxprocs: list[Mechanism] = field(default_factory=list)
    gc: list[Mechanism] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    pprof: list[Location] = field(default_factory=list)  # imports of net/http/pprof
    expvar: list[Location] = field(default_factory=list)
    tracing: list[Mechanism] = field(default_factory=list)  # OpenTelemetry set-up: providers, propagators, samplers
    metrics_handlers: list[Mechanism] = field(default_factory=list)  # promhttp.Handler/HandlerFor/InstrumentHandler* calls
    dependencies: list[str] = field(default_factory=list)  # import paths of database/cache/RPC clients in use
    loggers: list[str] = field(default_factory=list)  # import paths of structured logging libraries in use
    # import paths of server frameworks whose servers, routes and shutdown the
    # facts do not model (kratos, go-zero, ...): the inventory says so rather
    # than "no HTTP server"
    unmodelled_servers: list[str] = field(default_factory=list)
    pools: list[PoolSetting] = field(default_factory=list)  # database/sql, pgxpool and go-redis pool settings
    grpc_servers: list[Location] = field(default_factory=list)  # grpc.NewServer calls
    # the gRPC health service (what a Kubernetes grpc probe calls): grpc_health_v1.RegisterHealthServer, health.NewServer
    grpc_health: list[Location] = field(default_factory=list)
    # The module's import graph, for facts that matter only in the programs
    # that link them (net/http/pprof): "dir -> imported dir" between the
    # module's own packages, and the dirs of main packages; dirs relative to
    # the module root ("." at the root).
    import_edges: list[str] = field(default_factory=list)
    mains: list[str] = field(default_factory=list)
    # where errors go (golang.error_flow): "checker>callee" hand-offs of a call's error,
    # the module functions that run errors.Is/As on a parameter, "G<F" error returns
    error_checks: list[str] = field(default_factory=list)
    error_inspectors: list[str] = field(default_factory=list)
    error_returns: list[str] = field(default_factory=list)
    # what the module calls (golang.unreferenced): its top-level functions no
    # code names ("dir:Name"), and the exported names its code selects (x.Name;
    # once per package that does, so a count says how many packages call it)
    unreferenced_funcs: list[str] = field(default_factory=list)
    selected_names: list[str] = field(default_factory=list)
    # listen-address settings (golang.listen_defaults): field names the code
    # sets to a loopback address, and those it sets to another address
    loopback_settings: list[str] = field(default_factory=list)
    public_settings: list[str] = field(default_factory=list)
    # "Field=key": the struct-tag keys and flag names that set those fields;
    # and (module-wide, artifacts.config_addresses) the keys the module's
    # deployment files set to a public address
    setting_keys: list[str] = field(default_factory=list)
    deployed_public_keys: list[str] = field(default_factory=list)

    @property
    def shutdown_timeout_seconds(self) -> float | None:
        """The longest known deadline given to an HTTP server's Shutdown."""
        known = [s.timeout_seconds for s in self.shutdown_calls if s.kind == "http" and s.timeout_seconds is not None]
        return max(known) if known else None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["shutdown_timeout_seconds"] = self.shutdown_timeout_seconds
        return d


def merge_facts(items) -> ServiceFacts:
    """One ServiceFacts for many packages (lists concatenated, in order)."""
    out = ServiceFacts()
    seen_by_field: dict[str, set] = {}  # the module's error facts run to thousands of names
    for f in items:
        out.module = out.module or f.module
        out.go_version = out.go_version or f.go_version
        for name in ("packages", "routes", "listeners", "health_endpoints", "shutdown_calls", "memory_limit",
                     "gomaxprocs", "gc", "metrics", "pprof", "expvar", "tracing", "metrics_handlers", "pools",
                     "grpc_servers", "grpc_health", "import_edges", "mains", "selected_names"):
            getattr(out, name).extend(getattr(f, name))
        for s in f.signals:
            if s not in out.signals:
                out.signals.append(s)
        for name in ("dependencies", "loggers", "unmodelled_servers", "error_checks", "error_inspectors", "error_returns",
                     "unreferenced_funcs", "loopback_settings", "public_settings",
                     "setting_keys"):
            dest = getattr(out, name)
            seen = seen_by_field.setdefault(name, set(dest))
            for d in getattr(f, name):
                if d not in seen:
                    seen.add(d)
                    dest.append(d)
    return out


# --------------------------------------------------------------------------
# Constants and durations

_UNITS = {"Nanosecond": 1e-9, "Microsecond": 1e-6, "Millisecond": 1e-3, "Second": 1.0, "Minute": 60.0, "Hour": 3600.0}


def package_constants(pkg) -> dict[str, object]:
    """Package-level const/var name -> value node (first value of the spec)."""

    def compute():
        out: dict[str, object] = {}
        for f in pkg.files:
            # The specs are children of the root's declarations: read there,
            # not by a query that walks every node of the file.  (A grouped
            # ``var ( ... )`` puts its specs in a var_spec_list, which this
            # has never read.)
            specs = [s for d in f.root.named_children if d.type in ("const_declaration", "var_declaration")
                     for s in d.named_children if s.type in ("const_spec", "var_spec")]
            for m in specs:
                names = m.children_by_field_name("name")
                val = m.child_by_field_name("value")
                if val is None:
                    continue
                vals = val.named_children
                for i, n in enumerate(names):
                    if i < len(vals):
                        out.setdefault(text(n), (f, vals[i]))
        return out

    return pkg.memo("facts.constants", compute)



def _assigned(pkg, scope, name: str) -> list:
    """``values.assigned_from`` through the package's one index per scope:
    routes ask it for every function around them, and rebuilding the index
    each time made nested handlers cubic (1,000 nested HandleFunc literals
    ran for minutes in the facts pass, where no budget applies)."""
    return pkg.assigned_from(scope, name) if pkg is not None else assigned_from(scope, name)

def resolve_string(pkg, file, node, scope=None, _depth: int = 0) -> str | None:
    """A string known at analysis time: literal, concatenation, or an
    identifier bound to one (local in ``scope``, or package level)."""
    node = unparen(node)
    if node is None or _depth > 4:
        return None
    s = string_value(node)
    if s is not None:
        return s
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        a = resolve_string(pkg, file, node.child_by_field_name("left"), scope, _depth + 1)
        b = resolve_string(pkg, file, node.child_by_field_name("right"), scope, _depth + 1)
        return a + b if a is not None and b is not None else None
    if node.type == "identifier":
        name = text(node)
        if scope is not None:
            vals = _assigned(pkg, scope, name)
            if len(vals) == 1:
                return resolve_string(pkg, file, vals[0], None, _depth + 1)
            if vals:
                return None
        hit = package_constants(pkg).get(name)
        if hit is not None:
            return resolve_string(pkg, hit[0], hit[1], None, _depth + 1)
    return None


def duration_seconds(pkg, file, node, scope=None, _depth: int = 0) -> float | None:
    """Seconds of a time.Duration expression: ``10 * time.Second``,
    ``time.Duration(n) * time.Second``, constants, sums.  None when unknown."""
    node = unparen(node)
    if node is None or _depth > 6:
        return None
    t = node.type
    if t in ("int_literal", "float_literal"):
        try:
            return float(text(node).replace("_", "")) * 1e-9  # bare number = nanoseconds
        except ValueError:
            return None
    if t == "selector_expression" and file.is_member(node, "time", *_UNITS):
        return _UNITS[text(node.child_by_field_name("field"))]
    if t == "binary_expression":
        op = text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if op == "*":
            a, b = _number(pkg, file, left, scope), duration_seconds(pkg, file, right, scope, _depth + 1)
            if a is not None and b is not None:
                return a * b
            a, b = duration_seconds(pkg, file, left, scope, _depth + 1), _number(pkg, file, right, scope)
            if a is not None and b is not None:
                return a * b
            return None
        if op in ("+", "-"):
            a = duration_seconds(pkg, file, left, scope, _depth + 1)
            b = duration_seconds(pkg, file, right, scope, _depth + 1)
            if a is None or b is None:
                return None
            return a + b if op == "+" else a - b
        if op == "/":
            a, b = duration_seconds(pkg, file, left, scope, _depth + 1), _number(pkg, file, right, scope)
            return a / b if a is not None and b else None
        return None
    if t == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments").named_children
        if file.is_member(fn, "time", "Duration") and len(args) == 1:
            n = _number(pkg, file, args[0], scope)
            return n * 1e-9 if n is not None else None
        return None
    if t == "identifier":
        name = text(node)
        if scope is not None:
            vals = _assigned(pkg, scope, name)
            if len(vals) == 1:
                return duration_seconds(pkg, file, vals[0], None, _depth + 1)
            if vals:
                return None
        hit = package_constants(pkg).get(name)
        if hit is not None:
            return duration_seconds(pkg, hit[0], hit[1], None, _depth + 1)
    return None


def _number(pkg, file, node, scope) -> float | None:
    node = unparen(node)
    if node is None:
        return None
    if node.type in ("int_literal", "float_literal"):
        try:
            return float(text(node).replace("_", ""))
        except ValueError:
            return None
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments").named_children
        if file.is_member(fn, "time", "Duration") and len(args) == 1:
            return _number(pkg, file, args[0], scope)
    if node.type == "identifier":
        hit = package_constants(pkg).get(text(node))
        if hit is not None and hit[1].type in ("int_literal", "float_literal"):
            return _number(pkg, hit[0], hit[1], None)
    return None


# --------------------------------------------------------------------------
# Routes

_UPPER_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE"}
_TITLE_METHODS = {m.title(): m for m in _UPPER_METHODS}
_ROUTE_FUNCS = {"HandleFunc", "Handle", "Any", "All", "Method", "MethodFunc", "Match"} | _UPPER_METHODS | set(_TITLE_METHODS)
_PATTERN = re.compile(r"^(?:([A-Z]+)\s+)?([^\s/]*)(/\S*)$")
_HTTP_CLIENT_FUNCS = {("net/http", f) for f in ("Get", "Post", "Head", "PostForm")}


HEALTH_NAMES = {
    "healthz": "health", "health": "health", "healthcheck": "health", "health-check": "health", "status": "health",
    "livez": "liveness", "liveness": "liveness", "live": "liveness", "alive": "liveness", "ping": "liveness",
    "readyz": "readiness", "readiness": "readiness", "ready": "readiness",
    "startupz": "startup", "startup": "startup", "started": "startup",
}


def health_kind(path: str, extra: dict[str, str] | None = None) -> str | None:
    """Kind of health endpoint a route path names, or None.  ``extra`` maps
    configured paths to kinds and wins."""
    if extra and path in extra:
        return extra[path]
    last = path.rstrip("/").rsplit("/", 1)[-1].lower()
    if last.startswith("{") or last.startswith(":"):
        return None
    return HEALTH_NAMES.get(last)


def _framework(file) -> str:
    imps = file.imports
    if imps.imports_prefix(GIN):
        return "gin"
    if any(imps.imports_prefix(p) for p in ECHO):
        return "echo"
    if any(imps.imports_prefix(p) for p in FIBER):
        return "fiber"
    if any(imps.imports_prefix(p) for p in CHI):
        return "chi"
    if imps.imports(GORILLA):
        return "gorilla"
    if imps.imports("net/http"):
        return "net/http"
    return "unknown"


def _route_framework(file, method_name: str, operand) -> str:
    """Which router a registration call belongs to, from the method's
    spelling and the file's imports (a file may import several)."""
    imps = file.imports
    if operand.type == "identifier" and file.package_of(operand) == "net/http":
        return "net/http"
    has = lambda *paths: any(imps.imports_prefix(p) for p in paths)  # noqa: E731
    if method_name in _UPPER_METHODS or method_name in ("Any", "Match"):
        return "gin" if has(GIN) else "echo" if has(*ECHO) else "unknown"
    if method_name in _TITLE_METHODS or method_name == "All":
        return "chi" if has(*CHI) else "fiber" if has(*FIBER) else "unknown"
    if has(*CHI):
        return "chi"
    if has(GORILLA):
        return "gorilla"
    if method_name == "Handle" and has(GIN):
        return "gin"
    return "net/http" if has("net/http") else "unknown"


def _short(node, limit: int = 80) -> str:
    s = " ".join(text(node).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _route_of_call(pkg, file, call, funcs) -> Route | None:
    fn = call.child_by_field_name("function")
    if fn.type != "selector_expression":
        return None
    method_name = text(fn.child_by_field_name("field"))
    if method_name not in _ROUTE_FUNCS:
        return None
    args = call.child_by_field_name("arguments").named_children
    if len(args) < 2:
        return None
    method = ""
    first = resolve_string(pkg, file, args[0]) or _built_path_tail(pkg, file, args[0])
    rest = args[1:]
    if method_name in ("Handle", "Method", "MethodFunc") and first in _UPPER_METHODS and len(args) >= 3:
        method = first
        first = resolve_string(pkg, file, args[1])
        rest = args[2:]
    # A URL is what a client call takes (http.Post(url, ...), client.Get(url)),
    # never a pattern a server serves; the package's own client functions too.
    if first is None or "://" in first or file.qualified(fn) in _HTTP_CLIENT_FUNCS:
        return None
    m = _PATTERN.match(first)
    if m is None:
        return None
    if m.group(1):
        if m.group(1) not in _UPPER_METHODS:
            return None
        method = m.group(1)
    path = m.group(3)
    if method_name in _UPPER_METHODS:
        method = method_name
    elif method_name in _TITLE_METHODS:
        method = _TITLE_METHODS[method_name]
    operand = fn.child_by_field_name("operand")
    prefix = _prefix_of(pkg, file, operand, call, funcs)
    if prefix:
        path = prefix.rstrip("/") + ("" if path == "/" else path) if path != "/" else prefix
    handler = rest[-1] if rest else args[-1]
    fw = _route_framework(file, method_name, operand)
    return Route(method, path, _short(handler), fw, Location(file.relpath, call.start_point[0] + 1))


_PREFIX_SCOPES = 16
_PATH_BUILDER = re.compile(r"(?i)path|prefix|route|url|join|pattern|endpoint")


def _built_path_tail(pkg, file, node) -> str | None:
    """The constant tail of a path built at run time: ``s.prefixedPath("/readyz")``,
    ``path.Join(base, "/readyz")``, ``prefix + "/readyz"``.  The route is
    recorded under that tail; consumers treat a route as possibly sitting
    under a prefix they could not see (joins.path_served), so ``/svc/readyz``
    still counts as served."""
    node = unparen(node)
    if node is None:
        return None
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) == "+":
        tail = resolve_string(pkg, file, node.child_by_field_name("right"))
        return tail if tail and tail.startswith("/") else None
    if node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    if not _PATH_BUILDER.search(name):
        return None
    args = node.child_by_field_name("arguments").named_children
    tails = [v for v in (string_value(a) for a in args) if v is not None]
    return tails[-1] if len(tails) == 1 and tails[-1].startswith("/") else None


def _prefix_of(pkg, file, operand, at, funcs, _depth: int = 0) -> str:
    """Group prefix of a router value: ``v1 := r.Group("/api/v1")``,
    ``s := r.PathPrefix("/api").Subrouter()``, or the router parameter of a
    chi ``r.Route("/api", func(r chi.Router) {...})`` literal."""
    operand = unparen(operand)
    if operand is None or _depth > 4:
        return ""
    if operand.type == "call_expression":
        ofn = operand.child_by_field_name("function")
        if ofn.type == "selector_expression":
            name = text(ofn.child_by_field_name("field"))
            oargs = operand.child_by_field_name("arguments").named_children
            if name in ("Group", "PathPrefix") and oargs:
                p = resolve_string(pkg, file, oargs[0]) or ""
                return _prefix_of(pkg, file, ofn.child_by_field_name("operand"), at, funcs, _depth + 1) + p
            if name == "Subrouter":
                return _prefix_of(pkg, file, ofn.child_by_field_name("operand"), at, funcs, _depth + 1)
        return ""
    if operand.type != "identifier" or file.package_of(operand) is not None:
        return ""  # ``http.HandleFunc``: a package, not a router with a prefix
    name = text(operand)
    # A router is set up a few functions out from where its routes are added;
    # the cap keeps routes in deeply nested closures from costing the square
    # of the nesting.
    for fi in itertools.islice(funcs.enclosing_chain(at), _PREFIX_SCOPES):
        body = fi.body
        if body is not None:
            vals = _assigned(pkg, body, name)
            if vals:
                return _prefix_of(pkg, file, vals[0], at, funcs, _depth + 1)
        if fi.node.type == "func_literal" and any(p.name == name for p in fi.params):
            args = fi.node.parent
            call = args.parent if args is not None and args.type == "argument_list" else None
            if call is not None and call.type == "call_expression":
                cfn = call.child_by_field_name("function")
                cargs = args.named_children
                if cfn.type == "selector_expression" and text(cfn.child_by_field_name("field")) in ("Route", "Group") and len(cargs) >= 2:
                    p = resolve_string(pkg, file, cargs[0]) or ""
                    return _prefix_of(pkg, file, cfn.child_by_field_name("operand"), call, funcs, _depth + 1) + p
            return ""
    return ""


# --------------------------------------------------------------------------
# Listeners

_PORT = re.compile(r":(\d{1,5})$")


def _addr(pkg, file, node, scope) -> tuple[str | None, int | None, str]:
    node = unparen(node)
    if node is None:
        return None, None, "unknown"
    s = string_value(node)
    src = "literal"
    if s is None:
        s = resolve_string(pkg, file, node, scope)
        src = "const"
    if s is None and node.type == "call_expression":
        t = file.call_target(node)
        args = node.child_by_field_name("arguments").named_children
        if t == ("os", "Getenv") and args:
            env = string_value(args[0])
            return None, None, f"env:{env}" if env else "unknown"
        if t == ("net", "JoinHostPort") and len(args) == 2:
            port = resolve_string(pkg, file, args[1], scope)
            if port is not None and port.isdigit():
                return f":{port}", int(port), "const"
    if s is None:
        return None, None, "unknown"
    m = _PORT.search(s)
    return s, int(m.group(1)) if m else None, src


def _listener_handler(file, node, pkg=None) -> str:
    node = unparen(node)
    if node is None or text(node) == "nil" or file.is_member(node, "net/http", "DefaultServeMux"):
        return "DefaultServeMux"
    if node.type == "identifier" and pkg is not None and _aliases_default_mux(pkg, file, node):
        return "DefaultServeMux"
    return _short(node)


def _aliases_default_mux(pkg, file, ident) -> bool:
    """``mux := http.DefaultServeMux`` (every assignment of the name in its
    function, or its package-level declaration): what registered on the
    default mux (net/http/pprof, expvar) is served through the alias."""
    fn = enclosing_function(ident)
    vals = _values_of(pkg, file, ident, fn.child_by_field_name("body") if fn is not None else None)
    return bool(vals) and all(file.is_member(unparen(v), "net/http", "DefaultServeMux") for v in vals)


def _server_literal(pkg, file, recv, at, funcs):
    """The &http.Server{...} literal a receiver variable or field holds, if visible."""
    recv = unparen(recv)
    if recv is None:
        return None
    if recv.type == "identifier":
        for fi in funcs.enclosing_chain(at):
            if fi.body is None:
                continue
            for v in _assigned(pkg, fi.body, text(recv)):
                lit = _as_server_literal(file, v)
                if lit is not None:
                    return lit
        hit = package_constants(pkg).get(text(recv))
        if hit is not None:
            return _as_server_literal(hit[0], hit[1])
        return None
    if recv.type == "selector_expression":
        field_name = text(recv.child_by_field_name("field"))
        # a struct field: any `X.field = &http.Server{...}` or `field: &http.Server{}` in the package
        for f in pkg.files:
            for lit in f.nodes("composite"):
                if not f.is_member(lit.child_by_field_name("type"), "net/http", "Server"):
                    continue
                from steadygo.golang.values import holder_of

                h = holder_of(lit)
                if h.kind == "field" and h.path == field_name:
                    return lit
    return None


def _as_server_literal(file, v):
    v = unparen(v)
    if v is not None and v.type == "unary_expression":
        v = unparen(v.named_child(0))
    if v is not None and v.type == "composite_literal" and file.is_member(v.child_by_field_name("type"), "net/http", "Server"):
        return v
    return None


# --------------------------------------------------------------------------
# Extraction

_METRIC_CTORS = {
    "NewCounter": ("counter", False), "NewCounterVec": ("counter", True),
    "NewGauge": ("gauge", False), "NewGaugeVec": ("gauge", True),
    "NewHistogram": ("histogram", False), "NewHistogramVec": ("histogram", True),
    "NewSummary": ("summary", False), "NewSummaryVec": ("summary", True),
    "NewCounterFunc": ("counter", False), "NewGaugeFunc": ("gauge", False),
}
_OTEL_FUNCS = {"NewTracerProvider", "SetTracerProvider", "SetTextMapPropagator", "AlwaysSample", "TraceIDRatioBased",
               "ParentBased", "NewMeterProvider", "NewHandler", "NewTransport", "WithRouteTag", "NewMiddleware", "Middleware",
               "NewServerHandler", "UnaryServerInterceptor", "StreamServerInterceptor"}
_PROMHTTP_FUNCS = {"Handler", "HandlerFor", "InstrumentMetricHandler", "InstrumentHandlerDuration", "InstrumentHandlerCounter",
                   "InstrumentHandlerInFlight", "InstrumentHandlerRequestSize", "InstrumentHandlerResponseSize",
                   "InstrumentHandlerTimeToWriteHeader"}


_DEPENDENCIES = re.compile(
    r"^(database/sql$|github\.com/jackc/pgx|github\.com/lib/pq|github\.com/go-sql-driver/mysql|github\.com/jmoiron/sqlx"
    r"|gorm\.io/gorm$|github\.com/redis/go-redis|github\.com/go-redis/redis|github\.com/gomodule/redigo"
    r"|go\.mongodb\.org/mongo-driver|google\.golang\.org/grpc$|github\.com/segmentio/kafka-go|github\.com/IBM/sarama"
    r"|github\.com/Shopify/sarama|github\.com/nats-io/nats\.go|github\.com/rabbitmq/amqp091-go|go\.etcd\.io/etcd/client)"
)


STRUCTURED_LOGGERS = frozenset({
    "log/slog", "golang.org/x/exp/slog", "go.uber.org/zap", "github.com/rs/zerolog", "github.com/rs/zerolog/log",
    "github.com/sirupsen/logrus", "github.com/go-kit/log", "github.com/go-kit/kit/log", "github.com/go-logr/logr",
    "github.com/charmbracelet/log", "github.com/apex/log", "github.com/inconshreveable/log15", "github.com/hashicorp/go-hclog",
})


# Server frameworks that start their own HTTP server (options for address and
# timeouts, their own signal handling and stop): importing their server
# package means the service has a server the facts cannot see.
UNMODELLED_SERVER_FRAMEWORKS = frozenset({
    "github.com/go-kratos/kratos/v2/transport/http", "github.com/zeromicro/go-zero/rest",
    "github.com/cloudwego/hertz/pkg/app/server", "github.com/kataras/iris/v12",
    "github.com/beego/beego/v2/server/web", "github.com/gogf/gf/v2/net/ghttp",
})


def is_dependency_client(path: str) -> bool:
    """Import paths of clients for databases, caches, queues and RPC peers."""
    return bool(_DEPENDENCIES.match(path))


def build_fq_name(namespace: str, subsystem: str, name: str) -> str:
    """prometheus.BuildFQName: empty parts are skipped, the rest joined by '_';
    an empty name gives an empty result."""
    if not name:
        return ""
    return "_".join(p for p in (namespace, subsystem, name) if p)


def extract_facts(pkg) -> ServiceFacts:
    """Facts of one package.  Memoised on the package."""
    return pkg.memo("facts.service", lambda: _extract(pkg))


def _extract(pkg) -> ServiceFacts:
    facts = ServiceFacts(
        module=pkg.module.path,
        go_version=".".join(map(str, pkg.module.go_version)) if pkg.module.go_version else None,
        packages=[(os.path.dirname(pkg.files[0].relpath) or ".") if pkg.files else pkg.directory],
    )
    _import_graph(pkg, facts)
    client = []
    for file in pkg.files:
        _extract_file(pkg, file, facts)
        client += client_pools(pkg, file)
    facts.pools += settle_defaults(client)
    if pkg.fact_topics is None or "errors" in pkg.fact_topics:
        # Only SG402 reads the error flow; it is 8% of a GOROOT run.
        facts.error_checks, facts.error_inspectors, facts.error_returns = package_error_flow(pkg)
    if pkg.fact_topics is None or "calls" in pkg.fact_topics:
        facts.unreferenced_funcs, facts.selected_names = package_references(pkg)
    if pkg.fact_topics is None or "listen_defaults" in pkg.fact_topics:
        facts.loopback_settings, facts.public_settings, facts.setting_keys = settings_of(pkg)
    by_path = {f.relpath: f for f in pkg.files}
    for m in facts.metrics:
        m.registered = registration(pkg, m, node_of(pkg, m))
        m.registry = registry_scope(node_of(pkg, m))
    for r in facts.routes:
        kind = health_kind(r.path)
        if kind:
            h = HealthEndpoint(r.path, kind, r.method, r.handler, r.location,
                               _dependency_call(pkg, by_path.get(r.location.path), node_of(pkg, r)))
            facts.health_endpoints.append(_remember(pkg, h, node_of(pkg, r)))
    for s in facts.shutdown_calls:
        call, file = node_of(pkg, s), by_path.get(s.location.path)
        if s.kind == "http" and call is not None and file is not None:
            s.readiness_flip = readiness_flip(pkg, file, call, facts.health_endpoints, node_of)
    return facts


def _dependency_call(pkg, file, route_call) -> str | None:
    """What a health handler calls out to (the deploy layer compares it with
    the probe's timeout)."""
    from steadygo.golang.health_handlers import first_dependency_call, handler_body, route_handler_arg

    arg = route_handler_arg(route_call) if route_call is not None and file is not None else None
    body = handler_body(pkg, file, arg) if arg is not None else None
    dep = first_dependency_call(body[0], body[1]) if body is not None else None
    return _short(dep.child_by_field_name("function")) if dep is not None else None


def _loc(file, node) -> Location:
    return Location(file.relpath, node.start_point[0] + 1)


def node_of(pkg, fact):
    """The syntax node a fact was read from (for rules that report on it).
    Kept outside the dataclasses so the facts stay plain, serialisable data."""
    return pkg.memo("facts.nodes", dict).get(id(fact))


def _remember(pkg, fact, node):
    pkg.memo("facts.nodes", dict)[id(fact)] = node
    return fact


# database/sql's pool setters (gorm and sqlx hand out the same *sql.DB)
POOL_SETTERS = {"SetMaxOpenConns": "count", "SetMaxIdleConns": "count", "SetConnMaxLifetime": "duration",
                "SetConnMaxIdleTime": "duration"}

# grpc.NewServer, and the health service a Kubernetes grpc probe calls
# (grpc.health.v1.Health/Check): registered directly, or health.NewServer's
# implementation (which code only creates to register)
GRPC_HEALTH = "google.golang.org/grpc/health"
GRPC_HEALTH_V1 = "google.golang.org/grpc/health/grpc_health_v1"

_FACT_NAMES = sorted(
    {"NewServer", "RegisterHealthServer", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "SetMemoryLimit", "SetGCPercent", "GOMAXPROCS", "Setenv",
     "Notify", "NotifyContext", "Run", "RunTLS", "Start", "StartTLS", "Listen", "ListenTLS", "Shutdown",
     "ShutdownWithContext", "ShutdownWithTimeout", "GracefulStop"} | set(POOL_SETTERS)
    | set(_METRIC_CTORS) | set(_ROUTE_FUNCS) | _OTEL_FUNCS | _PROMHTTP_FUNCS
)


def _import_graph(pkg, facts: ServiceFacts) -> None:
    """The package's edges in its module's import graph (test files left
    out: they are not linked into the program)."""
    files = [f for f in pkg.files if not f.path.endswith("_test.go")]
    mod = pkg.module.path
    if not files or not pkg.module.root or not mod:
        return
    own = pkg.module_dir(files[0]) or "."
    seen = set()
    for f in files:
        for path in f.imports.lines:
            if path in seen:
                continue
            if path.startswith(mod + "/"):
                seen.add(path)
                facts.import_edges.append(f"{own} -> {path[len(mod) + 1:]}")
            elif path == mod:  # the module's root package (cmd/app imports example.com/app)
                seen.add(path)
                facts.import_edges.append(f"{own} -> .")
    if any(f.package_name == "main" for f in files):
        facts.mains.append(own)


def _import_graph_of(facts: ServiceFacts) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for e in facts.import_edges:
        a, _, b = e.partition(" -> ")
        graph.setdefault(a, set()).add(b)
    return graph


def _closure(graph: dict[str, set[str]], starts) -> set[str]:
    out, work = set(starts), list(starts)
    while work:
        for nxt in graph.get(work.pop(), ()):
            if nxt not in out:
                out.add(nxt)
                work.append(nxt)
    return out


def linked_with(facts: ServiceFacts, own: str) -> set[str]:
    """Module dirs linked into the programs that contain package ``own``
    (module-relative): the packages each main that imports it, directly or
    not, imports in turn; the package's own imports when no main reaches it
    (a library module)."""
    graph = _import_graph_of(facts)
    programs = [c for c in (_closure(graph, [m]) for m in facts.mains) if own in c]
    if not programs:
        return _closure(graph, [own])
    return set().union(*programs)


def linked_into_a_program(facts: ServiceFacts, own: str) -> bool | None:
    """Whether package ``own`` (module-relative dir) is built into one of
    the module's programs: it is a main, or a main imports it directly or
    not.  None when the module has no main (a library: every package is
    meant for someone else's program).  The programs' closure is computed
    once per module's facts (every file of every package asks)."""
    if not facts.mains:
        return None
    held = _LINKED.get(id(facts))
    if held is None or held[0] is not facts:
        held = _LINKED[id(facts)] = (facts, _closure(_import_graph_of(facts), facts.mains))
    return own in held[1]


_LINKED: dict[int, tuple[ServiceFacts, set[str]]] = {}


def programs_linking(facts: ServiceFacts, own: str) -> list[str]:
    """The module's ``main`` dirs whose programs link package ``own``
    (module-relative dir), directly or not; each main's closure computed
    once per module's facts."""
    held = _PROGRAMS.get(id(facts))
    if held is None or held[0] is not facts:
        graph = _import_graph_of(facts)
        held = _PROGRAMS[id(facts)] = (facts, {m: _closure(graph, [m]) for m in facts.mains})
    return [m for m, closure in held[1].items() if own in closure]


_PROGRAMS: dict[int, tuple[ServiceFacts, dict[str, set[str]]]] = {}


def built_into_a_program(pkg, file) -> bool:
    """The file's package is linked into a program of its module, or the
    module has no program (a library is for someone else's).  Needs the
    "debug" module facts (the import graph); without them it says yes."""
    if not pkg.module.root or pkg.module_facts is None:
        return True  # no module-wide graph (the facts pass stopped, or no go.mod): judge it
    linked = linked_into_a_program(pkg.module_facts, pkg.module_dir(file) or ".")
    return linked is None or linked


def _extract_file(pkg, file, facts: ServiceFacts) -> None:
    """Facts of one file (the calls named in ``_FACT_NAMES`` and the imports)."""
    imps = file.imports
    for path, line in imps.lines.items():
        if path == "net/http/pprof":
            facts.pprof.append(Location(file.relpath, line))
        elif path == "expvar":
            facts.expvar.append(Location(file.relpath, line))
        elif path == AUTOMEMLIMIT or path.startswith(AUTOMEMLIMIT + "/"):
            facts.memory_limit.append(Mechanism("automemlimit", path, Location(file.relpath, line)))
        elif path == AUTOMAXPROCS or path.startswith(AUTOMAXPROCS + "/"):
            facts.gomaxprocs.append(Mechanism("automaxprocs", path, Location(file.relpath, line)))
        elif is_dependency_client(path) and path not in facts.dependencies:
            facts.dependencies.append(path)
        elif path in STRUCTURED_LOGGERS and path not in facts.loggers:
            facts.loggers.append(path)
        elif path in UNMODELLED_SERVER_FRAMEWORKS and path not in facts.unmodelled_servers:
            facts.unmodelled_servers.append(path)
    funcs = pkg.functions(file)
    for call in pkg.calls_in(file, *_FACT_NAMES):
        target = file.call_target(call)
        args = call.child_by_field_name("arguments").named_children
        fi = funcs.enclosing(call)
        scope = fi.body if fi is not None else None
        if target is not None:
            p, name = target
            if p == "net/http" and name in ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"):
                addr, port, src = _addr(pkg, file, args[0], scope) if name.startswith("Listen") and args else (None, None, "unknown")
                h = args[1] if name in ("ListenAndServe", "Serve") and len(args) >= 2 else (args[-1] if args else None)
                facts.listeners.append(_remember(pkg, Listener(f"http.{name}", addr, port, src, _listener_handler(file, h, pkg), name.endswith("TLS"), _loc(file, call)), call))
                continue
            if p == GRPC and name == "NewServer":
                facts.grpc_servers.append(_loc(file, call))
                continue
            if (p == GRPC_HEALTH_V1 and name == "RegisterHealthServer") or (p == GRPC_HEALTH and name == "NewServer"):
                facts.grpc_health.append(_loc(file, call))
                continue
            if p == "runtime/debug" and name == "SetMemoryLimit" and args:
                facts.memory_limit.append(Mechanism("debug.SetMemoryLimit", _short(args[0]), _loc(file, call)))
                continue
            if p == "runtime/debug" and name == "SetGCPercent" and args:
                facts.gc.append(Mechanism("debug.SetGCPercent", _short(args[0]), _loc(file, call)))
                continue
            if p == "runtime" and name == "GOMAXPROCS" and args and text(unparen(args[0])) != "0":
                facts.gomaxprocs.append(Mechanism("runtime.GOMAXPROCS", _short(args[0]), _loc(file, call)))
                continue
            if p == "os" and name == "Setenv" and args and string_value(args[0]) in ("GOMEMLIMIT", "GOMAXPROCS"):
                dest = facts.memory_limit if string_value(args[0]) == "GOMEMLIMIT" else facts.gomaxprocs
                dest.append(Mechanism("os.Setenv", string_value(args[0]), _loc(file, call)))
                continue
            if p == "os/signal" and name in ("Notify", "NotifyContext"):
                sigs = args[1:]
                if not sigs:
                    _add_signal(facts, "ALL")
                for s in sigs:
                    t = text(s)
                    if t.endswith("SIGTERM"):
                        _add_signal(facts, "SIGTERM")
                    elif t.endswith("Interrupt") or t.endswith("SIGINT"):
                        _add_signal(facts, "SIGINT")
                    else:
                        _add_signal(facts, t.rsplit(".", 1)[-1])
                continue
            if p.startswith("go.opentelemetry.io/") and name in _OTEL_FUNCS:
                facts.tracing.append(_remember(pkg, Mechanism(f"{p.rsplit('/', 1)[-1]}.{name}", _short(args[0]) if args else "", _loc(file, call)), call))
                continue
            if p == PROMHTTP and name in _PROMHTTP_FUNCS:
                facts.metrics_handlers.append(Mechanism(f"promhttp.{name}", "", _loc(file, call)))
                continue
            if p in (PROMETHEUS, PROMAUTO) and name in _METRIC_CTORS:
                m = metric_of_call(pkg, file, call, f"{p.rsplit('/', 1)[-1]}.{name}", name, scope)
                if m is not None:
                    facts.metrics.append(_remember(pkg, m, call))
                continue
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression":
            continue
        method = text(fn.child_by_field_name("field"))
        if method in _ROUTE_FUNCS:
            r = _route_of_call(pkg, file, call, funcs)
            if r is not None:
                facts.routes.append(_remember(pkg, r, call))
            continue
        if method in _METRIC_CTORS and _is_promauto_factory(pkg, file, fn.child_by_field_name("operand"), scope):
            m = metric_of_call(pkg, file, call, f"promauto.Factory.{method}", method, scope)
            if m is not None:
                facts.metrics.append(_remember(pkg, m, call))
            continue
        operand = fn.child_by_field_name("operand")
        is_pkg = operand.type == "identifier" and file.package_of(operand) is not None
        if method in ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS") and not is_pkg:
            lit = _server_literal(pkg, file, fn.child_by_field_name("operand"), call, funcs)
            if lit is None:
                continue
            keys = literal_keys(lit)
            addr, port, src = _addr(pkg, file, keys.get("Addr"), scope) if "Addr" in keys else (":80" if method.startswith("Listen") and not method.endswith("TLS") else None, None, "literal")
            if addr == ":80":
                port = 80
            facts.listeners.append(_remember(pkg, Listener(f"Server.{method}", addr, port, src, _listener_handler(file, keys.get("Handler"), pkg), method.endswith("TLS"), _loc(file, call)), call))
            continue
        if method == "Run" and not args and _framework(file) == "gin" and _is_gin_engine(pkg, file, operand, scope):
            # gin's README form: Run() with no address listens on $PORT, else :8080.
            facts.listeners.append(_remember(pkg, Listener("gin.Run", ":8080", 8080, "default", "", False, _loc(file, call)), call))
            continue
        if method in ("Run", "RunTLS", "Start", "StartTLS", "Listen", "ListenTLS") and args and not is_pkg:
            # not is_pkg: net.Listen("tcp", addr) in a file that imports gin is no gin listener
            fw = _framework(file)
            if fw in ("gin", "echo", "fiber"):
                addr, port, src = _addr(pkg, file, args[0], scope)
                facts.listeners.append(_remember(pkg, Listener(f"{fw}.{method}", addr, port, src, "", method.endswith("TLS"), _loc(file, call)), call))
            continue
        if method in POOL_SETTERS and len(args) == 1 and not is_pkg:
            value = (duration_seconds(pkg, file, args[0], scope) if POOL_SETTERS[method] == "duration"
                     else _number(pkg, file, args[0], scope))
            facts.pools.append(PoolSetting(method, text(operand), value, _loc(file, call)))
            continue
        if method in ("Shutdown", "ShutdownWithContext") and len(args) == 1:
            facts.shutdown_calls.append(_remember(pkg, _shutdown_call(pkg, file, call, fn, args[0], scope), call))
        elif method == "ShutdownWithTimeout" and len(args) == 1:  # fiber
            secs = duration_seconds(pkg, file, args[0], scope)
            facts.shutdown_calls.append(_remember(pkg, ShutdownCall(text(operand), "http", secs, "timeout" if secs else "unknown", _loc(file, call)), call))
        elif method == "Shutdown" and not args and _framework(file) == "fiber":
            facts.shutdown_calls.append(_remember(pkg, ShutdownCall(text(operand), "http", None, "background", _loc(file, call)), call))
        elif method == "GracefulStop" and not args:
            facts.shutdown_calls.append(_remember(pkg, ShutdownCall(text(operand), "grpc", None, "unknown", _loc(file, call)), call))


def _is_gin_engine(pkg, file, operand, scope) -> bool:
    """``r := gin.Default()`` / ``gin.New()`` (or a package var so made)."""
    operand = unparen(operand)
    if operand is None or operand.type != "identifier":
        return False
    return any(unparen(v) is not None and unparen(v).type == "call_expression"
               and file.call_target(unparen(v)) in ((GIN, "Default"), (GIN, "New"))
               for v in _values_of(pkg, file, operand, scope))


def _add_signal(facts, s):
    if s not in facts.signals:
        facts.signals.append(s)


_OTEL_RECV = re.compile(r"(?i)(^|[._])(tp|mp|lp|tracer\w*|meter\w*|\w*provider|exporter|otel\w*)$")
_HTTP_RECV = re.compile(r"(?i)(srv|server|svr|httpserver|^e$|^app$|^s\.http\w*)$")


def looks_like_server(pkg, file, recv, at) -> bool:
    """Is a receiver an HTTP server (net/http, echo, fiber)?  By its
    constructor or literal when visible, else by its name (srv, server,
    s.httpServer, e, app)."""
    inner = unparen(recv)
    if inner is not None and inner.type == "unary_expression":
        inner = unparen(inner.named_child(0))
    if inner is not None and inner.type == "composite_literal":
        return file.is_member(inner.child_by_field_name("type"), "net/http", "Server")
    fi = pkg.functions(file).enclosing(at)
    origin = _origin_call(file, recv, fi.body if fi is not None else None)
    if origin is not None:
        return origin[0] in ("net/http", *ECHO, *FIBER)
    if _server_literal(pkg, file, recv, at, pkg.functions(file)) is not None:
        return True
    return bool(_HTTP_RECV.search(text(recv)))


def _shutdown_call(pkg, file, call, fn, arg, scope) -> ShutdownCall:
    recv = fn.child_by_field_name("operand")
    rtext = text(recv)
    kind = "other"
    origin = _origin_call(file, recv, scope)
    if origin is not None:
        p = origin[0]
        if p.startswith("go.opentelemetry.io/"):
            kind = "otel"
        elif p in ("net/http", *ECHO, *FIBER):
            kind = "http"
    if kind == "other" and recv is not None and recv.type == "type_assertion_expression":
        # otel.GetTracerProvider().(*sdktrace.TracerProvider).Shutdown(ctx):
        # the global provider, shut down in a stop function
        if "TracerProvider" in text(recv.child_by_field_name("type")):
            kind = "otel"
    if kind == "other":
        if _server_literal(pkg, file, recv, call, pkg.functions(file)) is not None:
            kind = "http"
        elif _OTEL_RECV.search(rtext):
            kind = "otel"
        elif _HTTP_RECV.search(rtext):
            kind = "http"
    seconds, deadline = context_deadline(pkg, file, arg, scope)
    return ShutdownCall(rtext, kind, seconds, deadline, _loc(file, call))


def _origin_call(file, recv, scope):
    recv = unparen(recv)
    if recv is None or recv.type != "identifier" or scope is None:
        return None
    for v in assigned_from(scope, text(recv)):
        v = unparen(v)
        if v is not None and v.type == "unary_expression":
            v = unparen(v.named_child(0))
        if v is None:
            continue
        if v.type == "call_expression":
            t = file.call_target(v)
            if t is not None:
                return t
        if v.type == "composite_literal":
            q = file.qualified(v.child_by_field_name("type"))
            if q is not None:
                return q
    return None


def context_deadline(pkg, file, arg, scope, _depth: int = 0) -> tuple[float | None, str]:
    """(seconds, 'timeout' | 'background' | 'unknown') of a context expression."""
    arg = unparen(arg)
    if arg is None or _depth > 3:
        return None, "unknown"
    if arg.type == "call_expression":
        t = file.call_target(arg)
        cargs = arg.child_by_field_name("arguments").named_children
        if t in ROOT_CONTEXTS:
            return None, "background"
        if t == ("context", "WithTimeout") and len(cargs) == 2:
            return duration_seconds(pkg, file, cargs[1], scope), "timeout"
        if t == ("context", "WithDeadline") and len(cargs) == 2:
            d = unparen(cargs[1])
            if d is not None and d.type == "call_expression":
                dfn = d.child_by_field_name("function")
                dargs = d.child_by_field_name("arguments").named_children
                if dfn.type == "selector_expression" and text(dfn.child_by_field_name("field")) == "Add" and len(dargs) == 1:
                    return duration_seconds(pkg, file, dargs[0], scope), "timeout"
            return None, "timeout"
        if t in (("context", "WithoutCancel"), ("context", "WithCancel")) and cargs:
            return context_deadline(pkg, file, cargs[0], scope, _depth + 1)
        return None, "unknown"
    if arg.type == "identifier" and scope is not None:
        # ctx, cancel := context.WithTimeout(...): assigned_from gives the call for both names.
        # The assignment that reaches the use is the last one before it: a
        # service commonly redeclares ctx (`ctx, stop := signal.NotifyContext(...)`,
        # then `ctx, cancel := context.WithTimeout(ctx, 20*time.Second)` for
        # Shutdown).  Assignments inside a closure that does not hold the use
        # do not reach it.
        last = None
        for stmt in captures("[(short_var_declaration) (assignment_statement)] @s", scope).get("s", []):
            if stmt.start_byte >= arg.start_byte:
                continue
            lhs = stmt.child_by_field_name("left").named_children
            rhs = stmt.child_by_field_name("right").named_children
            if not (lhs and lhs[0].type == "identifier" and text(lhs[0]) == text(arg) and rhs):
                continue
            closure = next((a for a in ancestors(stmt, stop=scope) if a.type == "func_literal"), None)
            if closure is not None and not (closure.start_byte <= arg.start_byte < closure.end_byte):
                continue
            if last is None or stmt.start_byte > last.start_byte:
                last = stmt
        if last is not None:
            return context_deadline(pkg, file, last.child_by_field_name("right").named_children[0], scope, _depth + 1)
    return None, "unknown"


def _values_of(pkg, file, ident, scope) -> list:
    """The values a name is assigned in ``scope`` (a function body), or else
    its package-level declaration in this file."""
    vals = _assigned(pkg, scope, text(ident)) if scope is not None else []
    if not vals:
        hit = package_constants(pkg).get(text(ident))
        vals = [hit[1]] if hit is not None and hit[0] is file else []
    return vals


def _is_promauto_factory(pkg, file, operand, scope) -> bool:
    """``promauto.With(reg).NewCounter`` or a variable holding ``promauto.With(reg)``."""
    operand = unparen(operand)
    if operand is None:
        return False
    if operand.type == "call_expression":
        return file.call_target(operand) == (PROMAUTO, "With")
    if operand.type == "identifier":
        vals = _values_of(pkg, file, operand, scope)
        return any(unparen(v) is not None and unparen(v).type == "call_expression" and file.call_target(unparen(v)) == (PROMAUTO, "With") for v in vals)
    return False


def metric_opts_literal(pkg, file, node, scope):
    """The composite literal of a ``prometheus.XxxOpts`` argument, following
    ``&``, local variables and package variables."""
    node = unparen(node)
    if node is not None and node.type == "unary_expression":
        node = unparen(node.named_child(0))
    if node is None:
        return None, file
    if node.type == "composite_literal":
        return node, file
    if node.type == "identifier":
        vals = _assigned(pkg, scope, text(node)) if scope is not None else []
        if len(vals) == 1:
            return metric_opts_literal(pkg, file, vals[0], None)
        hit = package_constants(pkg).get(text(node))
        if hit is not None:
            return metric_opts_literal(pkg, hit[0], hit[1], None)
    return None, file


def metric_of_call(pkg, file, call, constructor: str, ctor_name: str, scope) -> Metric | None:
    mtype, vec = _METRIC_CTORS[ctor_name]
    args = call.child_by_field_name("arguments").named_children
    if not args:
        return None
    lit, lfile = metric_opts_literal(pkg, file, args[0], scope)
    bounds = None
    name = None
    help_text = None
    buckets = False
    const_labels = None
    if lit is not None:
        keys = literal_keys(lit)
        const_labels = " ".join(text(keys["ConstLabels"]).split()) if "ConstLabels" in keys else ""
        parts = []
        for k in ("Namespace", "Subsystem", "Name"):
            if k in keys:
                parts.append(resolve_string(pkg, lfile, keys[k], scope if lfile is file else None))
            else:
                parts.append("")
        if all(p is not None for p in parts):
            name = build_fq_name(*parts)
        if "Help" in keys:
            help_text = resolve_string(pkg, lfile, keys["Help"], scope if lfile is file else None)
        else:
            help_text = ""
        buckets = bool({"Buckets", "Objectives", "NativeHistogramBucketFactor"} & set(keys))
        if mtype == "histogram" and "Buckets" in keys:
            bounds = bucket_bounds(lfile, keys["Buckets"], lambda n: _number(pkg, lfile, n, None))
    if mtype == "histogram" and lit is not None and bounds is None:
        bounds = default_bounds(mtype, buckets)
    labels = None
    if vec and len(args) >= 2:
        labels = _string_list(pkg, file, args[1], scope)
    elif not vec:
        labels = []
    return Metric(name, mtype, vec, labels, help_text, buckets, constructor, _loc(file, call), bounds,
                  const_labels=const_labels)


def _string_list(pkg, file, node, scope) -> list[str] | None:
    node = unparen(node)
    if node is None:
        return None
    if node.type == "identifier":
        vals = _assigned(pkg, scope, text(node)) if scope is not None else []
        if len(vals) == 1:
            return _string_list(pkg, file, vals[0], None)
        hit = package_constants(pkg).get(text(node))
        if hit is not None:
            return _string_list(pkg, hit[0], hit[1], None)
        return None
    if node.type != "composite_literal":
        return None
    body = node.child_by_field_name("body")
    out = []
    for el in body.named_children if body is not None else []:
        v = el.named_child(0) if el.type == "literal_element" else el
        s = resolve_string(pkg, file, v)
        if s is None:
            return None
        out.append(s)
    return out


# --------------------------------------------------------------------------
# Module-wide facts
#
# The engine's facts pass extracts every package's facts (cached with the
# package) and merges them per module from the files discovery found; rules
# that need a module-wide answer declare the topics they read (``GoRule.
# module_facts``) and get the merged facts, and the digest of those topics is
# part of their package's cache key.  Nothing here reads or walks files.

# Which ServiceFacts fields each topic covers.  A rule that reads a field of a
# topic it did not declare would be served stale results from the cache.
TOPIC_FIELDS: dict[str, tuple[str, ...]] = {
    "limits": ("memory_limit", "gomaxprocs", "gc"),
    "metrics": ("metrics", "metrics_handlers"),
    "routes": ("routes", "health_endpoints", "dependencies"),
    "shutdown": ("shutdown_calls", "signals"),
    "debug": ("pprof", "expvar", "import_edges", "mains"),
    "otel": ("tracing", "shutdown_calls"),
    "pools": ("pools",),
    "grpc": ("grpc_servers", "grpc_health"),
    "errors": ("error_checks", "error_inspectors", "error_returns"),
    "calls": ("unreferenced_funcs", "selected_names", "mains"),
    "listen_defaults": ("loopback_settings", "public_settings", "setting_keys", "deployed_public_keys"),
}
_LIST_TYPES = {
    "routes": Route, "listeners": Listener, "health_endpoints": HealthEndpoint, "shutdown_calls": ShutdownCall,
    "memory_limit": Mechanism, "gomaxprocs": Mechanism, "gc": Mechanism, "metrics": Metric, "tracing": Mechanism,
    "metrics_handlers": Mechanism, "pprof": Location, "expvar": Location, "pools": PoolSetting,
    "grpc_servers": Location, "grpc_health": Location,
}


def _item_from_dict(cls, d):
    if cls is Location:
        return Location(str(d["path"]), int(d["line"]))
    kw = dict(d)
    if "location" in kw:
        kw["location"] = _item_from_dict(Location, kw["location"])
    return cls(**kw)


def facts_from_dict(d: dict) -> ServiceFacts:
    """The inverse of ``ServiceFacts.to_dict`` (the cache stores facts as
    JSON).  Raises KeyError/TypeError/ValueError on a malformed entry."""
    out = ServiceFacts(module=str(d["module"]), go_version=d["go_version"], packages=[str(p) for p in d["packages"]],
                       signals=[str(s) for s in d["signals"]], dependencies=[str(s) for s in d["dependencies"]],
                       loggers=[str(s) for s in d["loggers"]],
                       unmodelled_servers=[str(s) for s in d["unmodelled_servers"]],
                       import_edges=[str(s) for s in d["import_edges"]], mains=[str(s) for s in d["mains"]],
                       error_checks=[str(s) for s in d.get("error_checks", ())],
                       error_inspectors=[str(s) for s in d.get("error_inspectors", ())],
                       error_returns=[str(s) for s in d.get("error_returns", ())],
                       unreferenced_funcs=[str(s) for s in d.get("unreferenced_funcs", ())],
                       selected_names=[str(s) for s in d.get("selected_names", ())],
                       loopback_settings=[str(s) for s in d.get("loopback_settings", ())],
                       public_settings=[str(s) for s in d.get("public_settings", ())],
                       setting_keys=[str(s) for s in d.get("setting_keys", ())],
                       deployed_public_keys=[str(s) for s in d.get("deployed_public_keys", ())])
    for name, cls in _LIST_TYPES.items():
        setattr(out, name, [_item_from_dict(cls, item) for item in d[name]])
    return out


def topics_digest(facts: ServiceFacts | None, topics) -> str:
    """A digest of what ``topics`` of ``facts`` say (locations included: a
    rule may quote them), for cache keys."""
    import hashlib
    import json

    if facts is None or not topics:
        return ""
    fields_ = tuple(sorted({f for t in topics for f in TOPIC_FIELDS[t]}))
    # One module's facts serve every package of the module: digest each set
    # of fields once (the error topic alone holds thousands of names), and
    # convert only the fields asked for.
    held = _DIGESTS.get(id(facts))
    if held is None or held[0] is not facts:
        held = _DIGESTS[id(facts)] = (facts, {})
    if fields_ not in held[1]:
        body = json.dumps([[f, _plain(getattr(facts, f))] for f in fields_], sort_keys=True, default=str)
        held[1][fields_] = hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return held[1][fields_]


_DIGESTS: dict[int, tuple[ServiceFacts, dict]] = {}


def _plain(value):
    return [asdict(x) if hasattr(x, "__dataclass_fields__") else x for x in value] if isinstance(value, list) else value


def module_facts_of(module, package_facts) -> ServiceFacts:
    """The module's facts: its packages' facts merged (in the order given),
    plus the loggers and clients its go.mod requires."""
    merged = merge_facts(package_facts)
    merged.module = module.path
    merged.go_version = ".".join(map(str, module.go_version)) if module.go_version else None
    for path in sorted(module.requires):
        logger = next((l for l in STRUCTURED_LOGGERS if path == l or l.startswith(path + "/")), None)
        if logger is not None and logger not in merged.loggers:
            merged.loggers.append(logger)
        elif is_dependency_client(path) and path not in merged.dependencies:
            merged.dependencies.append(path)
    return merged


def requirement_facts(module) -> ServiceFacts:
    """What go.mod alone says (topic "imports"): the structured loggers and
    the database/cache/RPC clients the module requires directly."""
    return module_facts_of(module, [])


def service_facts_for(pkg, topic: str = "all") -> ServiceFacts:
    """Module-wide facts when the engine supplied them, else the package's own.
    Topic "imports" (what go.mod requires) comes with the module itself."""
    if topic == "imports" and pkg.module.root:
        return requirement_facts(pkg.module)
    if pkg.module_facts is not None:
        return pkg.module_facts
    return extract_facts(pkg)
