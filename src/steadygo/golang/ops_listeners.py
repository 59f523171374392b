"""Servers that are not the service's traffic port.

A server whose handler answers nothing but ``/metrics``, ``/healthz`` and
``/debug/pprof`` sits on an internal port the platform scrapes; so does one
the code names for that port when its routes cannot be seen
(``startMetricsServer``, ``cfg.MetricsAddr``, a ``prommetrics`` package).  A
server started only in development, or by a test double, is not deployed.
Who else can reach a listener (loopback, deadlines) is listener_reach's.

Routes answer "ops", "app" or "unknown": a handler it cannot follow (a
router passed to another package's route table, a path that is neither a
literal nor a constant) is not operations-only.
"""

from __future__ import annotations

import re

from steadygo.golang.facts import built_into_a_program, resolve_string
from steadygo.golang.lifecycle import callee_name
from steadygo.golang.listener_reach import (field_server_serves_local_only, loopback_address_expr,
                                            server_field, serves_deadline_listeners_only, serves_local_listeners_only)
from steadygo.golang.listeners import default_mux_paths
from steadygo.golang.nolint import gosec_weighed_server
from steadygo.golang.parse import ancestors, captures, text, unparen
from steadygo.golang.roles import linked_only_into_tools
from steadygo.golang.unreferenced import in_unreferenced_function
from steadygo.golang.values import literal_keys

# Paths an operator, not a user, calls.
# An API prefix in front counts too: ``/api/health/live``, ``/api/v1/metrics``.
# A version prefix alone too, in any case: gubernator's ``/v1/HealthCheck``;
# a prefixed healthz word, agones's ``/gshealthz``.
# Sub-paths only under the health words (``/health/live``): ``/live/{stream}``
# is a streaming server's app route, and ``/live/`` with its slash is a
# ServeMux subtree, not the probe.
_OPS_PATH = re.compile(r"^(/api)?(/v\d+)?/(metrics/?|debug(/.*)?|-/(healthy|ready|reload)/?|(?i:(health|\w*healthz|health[-_]?check"
                       r"|liveness|readiness)(/.*)?|livez|readyz|ready|live|ping|version))$")
# Helpers named for what they register: ``etcdhttp.HandleMetrics(mux)``,
# ``pprofHandler(router)``, ``debugutil.PProfHandlers()``.
_OPS_NAME = re.compile(r"(?i)metric|health|pprof|profil|debug|readiness|liveness|prometheus")
# Functions named for the operations port they start (``startMetricsServer``,
# ``SetupPprof``): not bare "profile", which names user profiles too.
_OPS_SCOPE_NAME = re.compile(r"(?i)metric|pprof|health|debug|prometheus|readiness|liveness|profiling|profiler")
# Packages whose whole purpose is the operations port (``prommetrics``,
# ``healthz``, ``pprof``).  Not ``telemetry`` or ``monitor``: a telemetry
# collector or an uptime monitor is a product whose API is its traffic.
_OPS_PACKAGE = re.compile(r"(?i)^((prom)?metrics?|prometheus|pprof|profil(er|ing)|healthz?|healthcheck|debug(server)?)$")
# Test doubles built outside _test.go files: ``MockServer``, ``newFakeAPI``,
# ``stubServer`` (a word of its own: not ``Mockingbird``).
# A demo run is not the service either: offen's ``cmdDemo`` starts a one-off
# instance with fake users.
_TEST_DOUBLE = re.compile(r"((Mock|Fake|Stub|Demo)|^(mock|fake|stub|demo))(?=[A-Z_0-9]|$)")
_MUX_CONSTRUCTORS = ("NewServeMux", "NewRouter", "NewMux")
_REGISTER = ("Handle", "HandleFunc", "Get", "Path", "PathPrefix", "Method", "Methods")
_NOT_FOUND = ("http.NotFound", "http.NotFoundHandler()")
_PROMHTTP = "github.com/prometheus/client_golang/prometheus/promhttp"


def is_ops_path(path: str) -> bool:
    return _OPS_PATH.match(path) is not None


def handler_routes(pkg, file, handler, scope) -> str:
    """What ``handler`` is shown to answer: ``ops`` (only metrics, health
    and profiling paths), ``app`` (at least one other literal route), or
    ``unknown``."""
    handler = unparen(handler)
    if handler is None:
        return "unknown"
    if handler.type == "nil" or _default_serve_mux(file, handler):
        # DefaultServeMux carrying only the operations routes this package
        # registers, or the handlers net/http/pprof and expvar add on import
        # (the usual opt-in debug port).  Routes other packages add to the
        # shared mux are not seen.
        return default_mux_routes(pkg)
    if handler.type == "call_expression":
        if _promhttp_handler(file, handler):
            return "ops"
        # ``controller.NewPProfServer()``, ``metricsMux()``: built by a
        # helper named for what it serves; ``internalserver.NewHandler(
        # WithName("internal"), WithPrometheusRegistry(reg), WithPProf())``:
        # by options that all name operations.
        if _OPS_NAME.search(callee_name(handler)) or _ops_options_only(handler):
            return "ops"
        return "unknown"
    if handler.type == "selector_expression":
        return _field_mux_routes(pkg, text(handler.child_by_field_name("field")))
    if handler.type != "identifier" or scope is None:
        return "unknown"
    return _mux_routes(pkg, file, text(handler), scope)


def _field_mux_routes(pkg, field: str) -> str:
    """``Handler: b.mux``: a mux kept in a struct field, made by
    ``http.NewServeMux()`` where the package sets the field, is ``ops`` when
    every use of ``.<field>`` in the package registers an operations path or
    hands it to a helper named for operations (chaos-mesh's
    ``registerMetrics(b.mux, reg)``, ``registerProfiler(b.mux)``)."""
    def compute() -> str:
        made = re.compile(r"\b" + re.escape(field) + r"\s*(:|=)\s*http\.NewServeMux\(\)")
        if not any(made.search(f.source.decode("utf-8", "replace")) for f in pkg.files if not f.is_test):
            return "unknown"
        registered = 0
        for f in pkg.files:
            if f.is_test or ("." + field).encode() not in f.source:
                continue
            funcs = pkg.functions(f)
            for sel in captures("(selector_expression) @s", f.root).get("s", []):
                if text(sel.child_by_field_name("field")) != field:
                    continue
                chain = list(funcs.enclosing_chain(sel))
                use = _use_of(pkg, f, sel, chain[-1].body if chain else None)
                if use == "catch-all":
                    # ratelimit's ``debugMux`` lists its debug endpoints at "/".
                    use = "ignored" if _OPS_NAME.search(field) else "other"
                if use == "ops":
                    registered += 1
                elif use == "app":
                    return "app"
                elif use not in ("ignored", "assignment"):
                    return "unknown"
        return "ops" if registered else "unknown"
    return pkg.memo(("ops_listeners.field_mux", field), compute)


def default_mux_routes(pkg) -> str:
    """``ops``/``app``/``unknown`` for what this package puts on DefaultServeMux."""
    paths = list(default_mux_paths(pkg))
    if any(p is not None and not is_ops_path(p) for p in paths):
        return "app"
    if not all(p is not None for p in paths):
        return "unknown"
    return "ops" if paths or _imports_debug_handlers(pkg) else "unknown"


def _promhttp_handler(file, call) -> bool:
    t = file.call_target(call)
    return t is not None and t[0] == _PROMHTTP and t[1] in ("Handler", "HandlerFor", "InstrumentMetricHandler")


def _imports_debug_handlers(pkg) -> bool:
    return any(f.imports.imports("net/http/pprof") or f.imports.imports("expvar") for f in pkg.files)


def is_default_mux(file, node) -> bool:
    """``nil`` or ``http.DefaultServeMux`` as a handler."""
    node = unparen(node)
    return node is not None and (node.type == "nil" or _default_serve_mux(file, node))


def _default_serve_mux(file, node) -> bool:
    return (node.type == "selector_expression" and text(node.child_by_field_name("field")) == "DefaultServeMux"
            and file.package_of(node.child_by_field_name("operand")) == "net/http")


def _metrics_handler(pkg, file, node, scope) -> bool:
    """``promhttp.HandlerFor(reg, opts)``, its ``.ServeHTTP`` method value, or
    a local assigned from one: whatever path it is mounted on, it serves
    metrics."""
    node = unparen(node)
    if node is not None and node.type == "selector_expression" and text(node.child_by_field_name("field")) == "ServeHTTP":
        node = unparen(node.child_by_field_name("operand"))
    if node is not None and node.type == "identifier":
        made = [unparen(rhs) for rhs in pkg.assigned_from(scope, text(node))]
        return bool(made) and all(m is not None and m.type == "call_expression" and _promhttp_handler(file, m)
                                  for m in made)
    return node is not None and node.type == "call_expression" and _promhttp_handler(file, node)


def _mux_routes(pkg, file, name: str, scope) -> str:
    made = [unparen(rhs) for rhs in pkg.assigned_from(scope, name)]
    if any(rhs is not None and rhs.type == "call_expression" and not _is_mux_constructor(rhs)
           and (_OPS_NAME.search(callee_name(rhs)) or _ops_options_only(rhs)) for rhs in made):
        return "ops"  # ``mux := controller.NewPProfServer()``, ``h := internalserver.NewHandler(WithPProf())``
    fresh = any(_is_mux_constructor(rhs) for rhs in made)
    # ``mux := http.DefaultServeMux``: an alias of the shared mux, internal
    # only while the package puts no app route on it.
    aliased = any(rhs is not None and _default_serve_mux(file, rhs) for rhs in made)
    if not (fresh or aliased):
        return "unknown"
    verdict = "ops"
    registered = 0
    for ident in _identifiers(scope, name):
        use = _use_of(pkg, file, ident, scope)
        if use == "catch-all":
            use = "ignored" if _OPS_NAME.search(name) else "other"
        if use in ("assignment", "ignored"):
            continue
        if use == "ops":
            registered += 1
        elif use == "app":
            return "app"
        else:
            verdict = "unknown"
    if aliased:
        shared = default_mux_routes(pkg)
        if shared == "app":
            return "app"
        return "ops" if verdict == "ops" and (registered or shared == "ops") else "unknown"
    return verdict if registered else "unknown"


def _is_mux_constructor(rhs) -> bool:
    if rhs is None or rhs.type != "call_expression":
        return False
    args = rhs.child_by_field_name("arguments")
    return callee_name(rhs) in _MUX_CONSTRUCTORS and (args is None or args.named_child_count == 0)


def _identifiers(scope, name: str):
    """Mentions of ``name`` in ``scope``, not inside a closure that declares
    its own (``r.Route("/debug", func(r chi.Router) {...})``: another ``r``)."""
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.type == "identifier" and text(n) == name:
            yield n
        if n.type == "func_literal" and _declares_param(n, name):
            continue
        stack.extend(n.named_children)


def _declares_param(fn, name: str) -> bool:
    params = fn.child_by_field_name("parameters")
    if params is None:
        return False
    return any(c.type == "identifier" and text(c) == name
               for p in params.named_children for c in p.named_children)


def _use_of(pkg, file, ident, scope) -> str:
    """How one mention of the mux uses it: ``assignment`` (its own
    declaration), ``ops`` (registers an operations path on it, or hands it
    to a helper named for metrics/health/pprof), ``app`` (registers another
    literal path), ``catch-all`` (registers "/": the mux's own name decides),
    ``ignored`` (a Handler field or Serve argument: the server itself), else
    ``other``."""
    parent = ident.parent
    if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
            "short_var_declaration", "assignment_statement") and parent == parent.parent.child_by_field_name("left"):
        return "assignment"
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
        call = parent.parent
        method = text(parent.child_by_field_name("field"))
        if call is None or call.type != "call_expression" or method not in _REGISTER:
            return "other"
        args = call.child_by_field_name("arguments").named_children
        if not args:
            return "other"
        if len(args) > 1 and (text(args[-1]) in _NOT_FOUND or _metrics_handler(pkg, file, args[-1], scope)
                              or _ops_named_handler(args[-1])):
            return "ops"
        path = resolve_string(pkg, file, args[0], scope)  # literal or constant (``HealthzPath``)
        if path is not None:
            if path == "/":
                # The catch-all is the whole app as often as a debug port's
                # index page (refinery's DebugService): the names decide.
                return "catch-all"
            return "ops" if is_ops_path(path) else "app"
        return "ops" if (_ranged_from_ops_helper(file, call, text(args[0]))
                         or _registered_by_ops_helper(file, call, args[0])) else "other"
    if parent.type == "argument_list":
        callee = callee_name(parent.parent)
        if _OPS_NAME.search(callee):
            return "ops"
        if callee in ("Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS"):
            return "ignored"
        return "other"
    if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element":
        element = parent.parent
        key = element.named_child(0)
        if element.named_child(1) == parent and key is not None and text(key) == "Handler":
            return "ignored"
    return "other"


_NAMING_OPTION = re.compile(r"^With(Name|Title|Description|Logger)$")


def _ops_options_only(call) -> bool:
    """Every argument is an option call (``WithX(...)``) naming operations,
    or one that only names the handler; at least one names operations."""
    args = call.child_by_field_name("arguments").named_children
    ops = 0
    for a in args:
        a = unparen(a)
        if a is None or a.type != "call_expression" or not callee_name(a).startswith("With"):
            return False
        name = callee_name(a)
        if _OPS_NAME.search(name):
            ops += 1
        elif not _NAMING_OPTION.match(name):
            return False
    return ops > 0


def _ops_named_handler(node) -> bool:
    """A handler named for what it serves, whatever its path:
    ``smux.HandleFunc("/", s.MetricsIndexHandler)`` (the landing page of a
    metrics port), ``mux.Handle("/", healthHandler)``."""
    node = unparen(node)
    if node is not None and node.type == "selector_expression":
        node = node.child_by_field_name("field")
    return node is not None and node.type in ("identifier", "field_identifier") and (
        _OPS_SCOPE_NAME.search(text(node)) is not None)


def _registered_by_ops_helper(file, call, path) -> bool:
    """The path is a parameter of a function named for operations:
    ``func (s *server) AddDebugHttpEndpoint(path string, ...) {
    s.debugMux.HandleFunc(path, h) }`` (ratelimit) registers what its
    callers pass, and its name says what that is."""
    path = unparen(path)
    if path is None or path.type != "identifier":
        return False
    for n in ancestors(call, root=file.root):
        if n.type == "func_literal":
            return False
        if n.type in ("function_declaration", "method_declaration"):
            name = n.child_by_field_name("name")
            params = n.child_by_field_name("parameters")
            return (name is not None and _OPS_SCOPE_NAME.search(text(name)) is not None and params is not None
                    and _declares_param(n, text(path)))
    return False


def _ranged_from_ops_helper(file, call, key: str) -> bool:
    """``for p, h := range debugutil.PProfHandlers() { mux.Handle(p, h) }``."""
    for n in ancestors(call, root=file.root):  # a long climb costs the depth once (deep trees)
        if n.type in ("function_declaration", "method_declaration", "func_literal"):
            return False
        if n.type == "for_statement":
            clause = next((c for c in n.named_children if c.type == "range_clause"), None)
            if clause is not None:
                left = clause.child_by_field_name("left")
                right = unparen(clause.child_by_field_name("right"))
                keys = [text(c) for c in left.named_children] if left is not None else []
                if keys and keys[0] == key and right is not None and right.type == "call_expression":
                    fn = right.child_by_field_name("function")
                    return _OPS_NAME.search(text(fn)) is not None
    return False


def package_judged(ctx) -> bool:
    """SG101–SG104 judge a package built into a program of its module (or
    any package of a library module) that is not linked only into tools,
    test harnesses and examples."""
    return built_into_a_program(ctx.pkg, ctx.file) and not linked_only_into_tools(ctx.pkg, ctx.file)


def server_not_judged(ctx, v, loopback: bool = True, operations: bool = True) -> bool:
    """An ``http.Server`` value SG101–SG104 leave alone: internal (below),
    weighed by its authors (``//nolint:gosec``), a test double's, started
    only in development, or built in a function nothing calls."""
    return (internal_server(ctx, v, loopback=loopback, operations=operations)
            or gosec_weighed_server(ctx.file, v.node) or not_deployed(ctx, v.node))


def not_deployed(ctx, node) -> bool:
    """``node`` never runs in a deployed program: a test double's or a
    demo's, a development branch's, or in a function no code of the module
    calls."""
    return (test_double_scope(ctx, node) or development_only(ctx.file, node) or in_unreferenced_function(ctx, node)
            or _context_value(node))


def _context_value(node) -> bool:
    """``context.WithValue(ctx, http.ServerContextKey, &http.Server{ErrorLog: ...})``:
    a server value handed to handlers through the context, never started."""
    n = node.parent
    if n is not None and n.type == "unary_expression":
        n = n.parent
    return (n is not None and n.type == "argument_list" and n.parent is not None
            and callee_name(n.parent) == "WithValue")


def internal_server(ctx, v, loopback: bool = True, operations: bool = True) -> bool:
    """An ``http.Server`` value (http_values.TypedValue) that serves only
    metrics/health/pprof, or that only this host can reach: its ``Addr`` is
    a loopback literal, or (no ``Addr``) every listener the function opens is
    on loopback."""
    scope = outer_body(ctx, v.node)
    keys = literal_keys(v.literal) if v.literal is not None else {}
    handler = keys.get("Handler")
    if operations:
        default_mux = handler is None and not v.has("Handler")  # no Handler: the server answers from DefaultServeMux
        if handler is not None:
            routes = handler_routes(ctx.pkg, ctx.file, handler, scope)
            default_mux = is_default_mux(ctx.file, handler)
        elif default_mux:
            routes = default_mux_routes(ctx.pkg)
        else:
            routes = "unknown"
        if operations_port(ctx, routes, v.node, keys.get("Addr"), default_mux):
            return True
    if "Addr" not in keys and serves_deadline_listeners_only(ctx.pkg, ctx.file, scope):
        return True
    if not loopback:
        return False
    if "Addr" in keys:
        return loopback_address_expr(ctx.pkg, ctx.file, keys["Addr"], scope)
    if serves_local_listeners_only(ctx.pkg, ctx.file, scope):
        return True
    field = server_field(v.node)  # built in a constructor, served by a Start method
    return field is not None and field_server_serves_local_only(ctx.pkg, field)


def operations_scope(ctx, node) -> bool:
    """``node`` sits in a function named for the operations port
    (``startMetricsServer``, ``SetupPprof``, ``RunPrometheusServer``,
    ``NewHealthzServer``) or in a package that is only that (``prommetrics``,
    ``healthz``).  Callers ask only when the handler's routes are unknown: a
    route the code shows outranks a name."""
    if _OPS_PACKAGE.match(ctx.file.package_name or ""):
        return True
    if any((fi.name and _OPS_SCOPE_NAME.search(fi.name)) or (fi.receiver_type and _OPS_SCOPE_NAME.search(fi.receiver_type))
           for fi in ctx.funcs.enclosing_chain(node)):
        return True  # also a method of a type so named: ``(*DebugService).Start``
    return operations_guard(ctx.file, node)


# A flag or setting that turns the operations port on: ``if cfg.Profile != ""``
# (btcd's --profile port), ``if opts.MetricsAddr != ""``, ``if *pprofAddr != ""``.
_OPS_GUARD = re.compile(r"(?i)metric|pprof|debug|prometheus|profil")


def operations_guard(file, node) -> bool:
    """``node`` runs only when a setting named for the operations port is
    given: an ``if`` around it (in its function, closures included) tests
    such a name."""
    return _guarded_by(file, node, _OPS_GUARD)


# Conditions that hold only on a developer's machine: ``if env.IsDevEnv()``,
# ``if cfg.DevMode``, ``if development``.
_DEV_CONDITION = re.compile(r"(?i)(?<![a-z])(is_?)?dev(env|mode|_mode|elopment(mode)?)?(?![a-z])|IsDev\w*|DevMode")


_NEGATION = re.compile(r"!(?!=)")  # ``!isDev``, not ``*dev != ""``


def development_only(file, node) -> bool:
    """``node`` runs only in a branch taken in development
    (``if env.IsDevEnv() && env.UseSSL() { http.ListenAndServeTLS(...) }``)."""
    return _guarded_by(file, node, _DEV_CONDITION)


def _guarded_by(file, node, condition: re.Pattern) -> bool:
    """An ``if`` whose consequence holds ``node`` (up to its function
    declaration, closures included) tests a name ``condition`` matches, not
    negated."""
    child = node
    for n in ancestors(node, root=file.root):
        if n.type in ("function_declaration", "method_declaration"):
            return False
        if n.type == "if_statement" and child == n.child_by_field_name("consequence"):
            cond = n.child_by_field_name("condition")
            if cond is not None and condition.search(text(cond)) and not _NEGATION.search(text(cond)):
                return True
        child = n
    return False


def operations_port(ctx, routes: str, node, addr=None, default_mux: bool = False) -> bool:
    """Whether a server with handler routes ``routes`` is the operations port:
    its routes are operations paths, or they are unknown and the code names
    the port for operations (the function or package around ``node``, or the
    listen address ``addr``).  On DefaultServeMux the name decides even beside
    app routes: the shared mux carries every route of the program, and a
    ``ServePProf(paddr)`` or ``ListenAndServe(fmt.Sprintf(":%d", *pprofport), nil)``
    is there for the handlers net/http/pprof put on it."""
    if routes == "ops":
        return True
    if routes == "app" and not default_mux:
        return False
    return operations_scope(ctx, node) or operations_address(addr)


def operations_address(addr) -> bool:
    """The listen address is named for the operations port
    (``fmt.Sprintf(":%d", *debugPort)``, ``cfg.MetricsAddr``, ``pprofport``)."""
    return addr is not None and _OPS_SCOPE_NAME.search(text(addr)) is not None


def test_double_scope(ctx, node) -> bool:
    """``node`` sits in a test double kept outside ``_test.go``, or a demo: a
    function or a method of a type named Mock/Fake/Stub/Demo
    (``(*MockServer).Start``, ``newFakeAPI``, ``cmdDemo``)."""
    for fi in ctx.funcs.enclosing_chain(node):
        if (fi.name and _TEST_DOUBLE.search(fi.name)) or (
                fi.receiver_type and _TEST_DOUBLE.search(fi.receiver_type.lstrip("*"))):
            return True
    return False


def outer_body(ctx, node):
    """Body of the outermost function around ``node``: the mux and the
    listener are usually declared there, the serve call in a closure."""
    chain = list(ctx.funcs.enclosing_chain(node))
    return chain[-1].body if chain else None
