"""Health endpoints and debug endpoints (SG61x).

Health endpoints are read from the service facts: routes whose last path
segment is a conventional health name (``/healthz``, ``/livez``,
``/readyz``, ``/health``, ``/ready``...) or one of the paths configured with
the ``health-paths`` option of SG611.
"""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.facts import (
    ECHO,
    FIBER,
    GIN,
    extract_facts,
    health_kind,
    is_loopback_address,
    module_facts,
    node_of,
    service_facts_for,
)
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta, not_a_service
from steadygo.golang.rules.shutdown import file_listeners
from steadygo.registry import RuleOption

SERVER_IMPORTS = ("net/http", GIN, *ECHO, *FIBER)


class PprofOnPublicListener(GoRule):
    meta = _meta(
        "SG610",
        "pprof-exposed-on-public-listener",
        Severity.ERROR,
        "Anyone who can reach the port can download heap dumps (with secrets in them), read expvar state, and run 30-second CPU profiles or traces that slow the service on demand.",
        "net/http/pprof or expvar is imported (registering on DefaultServeMux) and DefaultServeMux is served on a non-loopback address.",
    )
    module_facts = ('debug',)
    requires_imports = ("net/http",)

    def check(self, ctx: FileContext) -> None:
        if b"Serve" not in ctx.file.source:
            return
        mine = [l for l in extract_facts(ctx.pkg).listeners if l.location.path == ctx.file.relpath and l.handler == "DefaultServeMux"]
        if not mine:
            return
        if not any(f.imports.imports("net/http/pprof") or f.imports.imports("expvar") for f in ctx.pkg.files):
            if not ctx.pkg.module.root:
                return
            debug = module_facts(ctx.pkg.module.root, ctx.pkg.module.go_version, "debug")
            if debug is None or not (debug.pprof or debug.expvar):
                return
        facts = service_facts_for(ctx.pkg, "debug")
        what = []
        if facts.pprof or extract_facts(ctx.pkg).pprof:
            what.append("net/http/pprof (/debug/pprof/)")
        if facts.expvar or extract_facts(ctx.pkg).expvar:
            what.append("expvar (/debug/vars)")
        if not what:
            return
        for l in mine:
            if is_loopback_address(l.addr):
                continue
            where = f"on {l.addr!r}" if l.addr else "on an address computed at run time"
            ctx.report(node_of(ctx.pkg, l), f"{' and '.join(what)} registered on DefaultServeMux, which {l.call} serves {where}: "
                       "profiles and heap dumps are public; serve the app on its own mux and pprof on 127.0.0.1 only")


class MissingHealthEndpoints(GoRule):
    meta = _meta(
        "SG611",
        "missing-health-endpoints",
        Severity.INFO,
        "Without liveness and readiness endpoints the orchestrator can only check that the port is open: a deadlocked or not-yet-warm instance keeps getting traffic and is never restarted.",
        "A service's main starts an HTTP server but no route in the module looks like a health, liveness or readiness endpoint.",
        status="preview",
        options=[RuleOption("health-paths", list, [], "extra route paths that count as health endpoints, e.g. [\"/_status\"]")],
    )
    module_facts = ('routes',)
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        if ctx.file.package_name != "main":
            return
        listeners = file_listeners(ctx)
        if not listeners:
            return
        facts = service_facts_for(ctx.pkg, "routes")
        if not facts.routes:
            return  # routing is invisible to us: no basis for a verdict
        extra = {p: "health" for p in ctx.options.get("health-paths", [])}
        if facts.health_endpoints or any(health_kind(r.path, extra) for r in facts.routes):
            return
        if any(d.startswith("google.golang.org/grpc") for d in facts.dependencies) and "grpc/health" in " ".join(
            p for f in ctx.pkg.files for p in f.imports.paths
        ):
            return
        ctx.report(node_of(ctx.pkg, listeners[0]), f"service exposes {len(facts.routes)} route(s) but no liveness or readiness "
                   "endpoint (/livez, /readyz, /healthz...): probes can only test the TCP port; add both, or list custom "
                   "paths in the health-paths option")


# --------------------------------------------------------------------------
# Handler bodies

_WRITE_METHODS = {"WriteHeader", "Write", "Header", "Set", "Add", "JSON", "String", "Status", "SendStatus", "SendString",
                  "NoContent", "Data", "AbortWithStatus", "IndentedJSON", "Encode", "Send", "WriteString"}
_WRITE_FUNCS = {("fmt", "Fprint"), ("fmt", "Fprintf"), ("fmt", "Fprintln"), ("io", "WriteString"), ("encoding/json", "NewEncoder"),
                ("net/http", "Error"), ("time", "Now"), ("time", "Since")}
_DEP_CALLS = {"Ping", "PingContext", "Exec", "ExecContext", "Query", "QueryContext", "QueryRow", "QueryRowContext",
              "HealthCheck", "Do", "Get", "Head", "Dial", "DialContext"}
_CALLS_Q = "(call_expression function: [(selector_expression) (identifier)] @fn) @call"


def handler_body(pkg, file, handler_text_node):
    """(file, function node) of a route's handler: a func literal, a
    same-package function or method, possibly wrapped in http.HandlerFunc(...)
    or returned as a literal by a same-package factory."""
    node = unparen(handler_text_node)
    for _ in range(3):
        if node is None:
            return None
        if node.type == "func_literal":
            return file, node
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments").named_children
            if file.is_member(fn, "net/http", "HandlerFunc") and len(args) == 1:
                node = unparen(args[0])
                continue
            name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
            for f, fi in pkg.functions_named(name):
                for ret in captures("(return_statement (expression_list (func_literal) @l))", fi.node).get("l", []):
                    return f, ret
            return None
        if node.type in ("identifier", "selector_expression"):
            name = text(node.child_by_field_name("field")) if node.type == "selector_expression" else text(node)
            found = list(pkg.functions_named(name))
            if len(found) == 1:
                return found[0][0], found[0][1].node
            return None
        return None
    return None


def _route_handler_arg(route_call):
    args = route_call.child_by_field_name("arguments").named_children
    return args[-1] if args else None


_HEALTH_HINT = re.compile(rb'["`/](?:health|healthz|healthcheck|health-check|status|livez|liveness|live|alive|ping|readyz|readiness|ready|startupz|startup|started)/?["`]')


def _health_handlers(ctx: FileContext, kinds: tuple[str, ...]):
    if _HEALTH_HINT.search(ctx.file.source) is None:
        return
    for h in extract_facts(ctx.pkg).health_endpoints:
        if h.location.path != ctx.file.relpath or h.kind not in kinds:
            continue
        call = node_of(ctx.pkg, h)
        if call is None:
            continue
        body = handler_body(ctx.pkg, ctx.file, _route_handler_arg(call))
        if body is not None:
            yield h, call, body


def _checks_something(file, fn_node) -> bool:
    body = fn_node.child_by_field_name("body")
    if body is None:
        return True
    if captures("[(if_statement) (expression_switch_statement) (select_statement) (return_statement (expression_list))] @c", body).get("c"):
        return True
    for call in captures(_CALLS_Q, body).get("call", []):
        t = file.call_target(call)
        if t is not None:
            if t in _WRITE_FUNCS:
                continue
            return True
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        if name not in _WRITE_METHODS:
            return True
    return False


class ReadinessChecksNothing(GoRule):
    meta = _meta(
        "SG612",
        "readiness-checks-nothing",
        Severity.INFO,
        "A readiness endpoint that always answers 200 keeps sending traffic to an instance whose database or downstream is gone, and cannot take the pod out of rotation during shutdown.",
        "Readiness handler that only writes a response (no check, no condition) in a service that uses a database, cache or RPC client.",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        handlers = list(_health_handlers(ctx, ("readiness",)))
        if not handlers:
            return
        deps = extract_facts(ctx.pkg).dependencies or service_facts_for(ctx.pkg, "imports").dependencies
        if not deps:
            return
        for h, call, (f, fn) in handlers:
            if not _checks_something(f, fn):
                ctx.report(call, f"readiness endpoint {h.path} always succeeds although the service depends on "
                           f"{deps[0]}: check the dependencies it cannot serve without, and fail it once shutdown starts")


class LivenessChecksDependencies(GoRule):
    meta = _meta(
        "SG613",
        "liveness-checks-dependencies",
        Severity.WARNING,
        "When the database blips, every replica fails liveness at once and the kubelet restarts them all: a dependency outage becomes a full outage plus a cold-start stampede.",
        "Liveness handler that pings a database or calls another service.",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        for h, call, (f, fn) in _health_handlers(ctx, ("liveness",)):
            dep = _first_dependency_call(f, fn)
            if dep is not None:
                ctx.report(call, f"liveness endpoint {h.path} calls {text(dep.child_by_field_name('function'))}: when that "
                           "dependency is down every replica is restarted at once; liveness should only prove the process "
                           "can serve, move dependency checks to readiness")


def _first_dependency_call(file, fn_node):
    body = fn_node.child_by_field_name("body")
    if body is None:
        return None
    for call in sorted(captures(_CALLS_Q, body).get("call", []), key=lambda n: n.start_byte):
        t = file.call_target(call)
        if t is not None:
            if t[0] == "net/http" and t[1] in ("Get", "Head", "Post"):
                return call
            continue
        fn = call.child_by_field_name("function")
        if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in _DEP_CALLS:
            operand = text(fn.child_by_field_name("operand"))
            if text(fn.child_by_field_name("field")) in ("Get", "Head", "Do") and not re.search(r"(?i)client|http", operand):
                continue  # map/cache Get, not an outbound call
            return call
    return None


class ReadinessIgnoresPoolSaturation(GoRule):
    meta = _meta(
        "SG614",
        "readiness-ignores-pool-saturation",
        Severity.INFO,
        "Ping succeeds while every pooled connection is busy: the instance reports ready and keeps taking traffic that can only queue for a connection.",
        "Readiness handler pings the database but never looks at the pool (db.Stats()).",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        for h, call, (f, fn) in _health_handlers(ctx, ("readiness", "health")):
            body = fn.child_by_field_name("body")
            if body is None:
                continue
            t = text(body)
            if ".Stats()" in t or "Stat()" in t:
                continue
            pings = [c for c in captures(_CALLS_Q, body).get("call", [])
                     if c.child_by_field_name("function").type == "selector_expression"
                     and text(c.child_by_field_name("function").child_by_field_name("field")) in ("Ping", "PingContext")]
            if pings:
                ctx.report(call, f"{h.kind} endpoint {h.path} pings the database but ignores pool saturation: with every "
                           "connection in use it still says ready; also compare db.Stats().InUse with MaxOpenConnections "
                           "and watch WaitCount")


# --------------------------------------------------------------------------
# Readiness during shutdown

_STATE_WORDS = re.compile(r"(?i)ready|readiness|health|serving|shut|drain|stop|closing|terminat|alive|live")
_FLIP_CALL = re.compile(r"(?i)^(Store\w*|Swap\w*|CompareAndSwap\w*|Add\w*|Set\w*|Mark\w*|Disable\w*|Fail\w*|Drain\w*|\w*(Ready|Readiness|Health|Serving|Unready|Drain)\w*)$")
_HANDLER_NAMES_Q = "[(identifier) (field_identifier)] @n"


def _readiness_reads(pkg):
    """Names the package's readiness handlers read, or None when some
    readiness handler cannot be resolved or reacts to shutdown by itself
    (a context or channel it waits on) -- then no verdict is possible."""
    def compute():
        names: set[str] = set()
        by_path = {f.relpath: f for f in pkg.files}
        found = False
        for h in extract_facts(pkg).health_endpoints:
            if h.kind != "readiness":
                continue
            call, f = node_of(pkg, h), by_path.get(h.location.path)
            if call is None or f is None:
                return None
            arg = _route_handler_arg(call)
            body = handler_body(pkg, f, arg) if arg is not None else None
            if body is None:
                return None
            t = text(body[1])
            if "Done()" in t or ".Err()" in t or "<-" in t:
                return None
            found = True
            names.update(text(n) for n in captures(_HANDLER_NAMES_Q, body[1]).get("n", []))
        return names if found else None

    return pkg.memo("health.readiness_reads", compute)


def _last_name(node) -> str:
    node = unparen(node)
    while node is not None and node.type == "unary_expression":
        node = unparen(node.named_child(0))
    if node is None:
        return ""
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    if node.type == "index_expression":
        return _last_name(node.child_by_field_name("operand"))
    return text(node) if node.type == "identifier" else ""


def _is_wait(node) -> bool:
    """A receive, the usual wait for the stop signal: ``<-ch``,
    ``<-ctx.Done()``, ``sig := <-c``."""
    return node.type == "unary_expression" and node.child(0) is not None and node.child(0).type == "<-"


class ReadinessNotFailedBeforeShutdown(GoRule):
    meta = _meta(
        "SG605",
        "readiness-not-failed-before-shutdown",
        Severity.WARNING,
        "Shutdown closes the listeners at once while the pod is still listed as ready: until the endpoints update reaches every node, kube-proxy and the load balancers keep sending new connections that are refused, so every deploy produces a burst of errors.",
        "The service has a readiness endpoint and calls Server.Shutdown, but nothing the readiness handler reads is set to failing (and nothing waits) between the stop signal and Shutdown.",
        status="preview",
    )
    requires_imports = SERVER_IMPORTS

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if b"Shutdown" not in f.source or not_a_service(ctx):
            return
        calls = [s for s in extract_facts(ctx.pkg).shutdown_calls if s.location.path == f.relpath and s.kind == "http"]
        if not calls:
            return
        if any(True for _ in ctx.pkg.calls_to("RegisterOnShutdown")):
            return  # flips readiness from a shutdown hook: late, but a deliberate choice we cannot judge
        reads = _readiness_reads(ctx.pkg)
        if reads is None:
            return
        for s in calls:
            call = node_of(ctx.pkg, s)
            if call is None:
                continue
            fi = ctx.funcs.enclosing(call)
            if fi is None or fi.body is None:
                continue
            if self._flips_before(ctx, fi, call, reads):
                continue
            ctx.report(call, f"{s.target}.Shutdown starts while the readiness endpoint still answers ready: Kubernetes "
                       "keeps routing new connections to this pod until its endpoints update, and they are refused; set "
                       "the flag the readiness handler reads to failing (and wait a few seconds) before calling Shutdown")

    @staticmethod
    def _flips_before(ctx, fi, shutdown_call, reads) -> bool:
        f = ctx.file
        lo, hi = fi.body.start_byte, shutdown_call.start_byte
        # the window opens at the last wait for the signal before Shutdown
        for n in captures("(unary_expression) @u", fi.body).get("u", []):
            if lo <= n.start_byte < hi and _is_wait(n):
                lo = max(lo, n.start_byte)
        for c in f.nodes("call"):
            if not lo <= c.start_byte < hi:
                continue
            fn = c.child_by_field_name("function")
            args = c.child_by_field_name("arguments").named_children
            t = f.call_target(c)
            if t is not None:
                if t == ("time", "Sleep") or (t[0] == "sync/atomic" and args and _last_name(args[0])):
                    return True  # a drain delay, or an atomic write
                continue
            if fn.type == "identifier":
                name = text(fn)
                if name == "close" or any(True for _ in ctx.pkg.functions_named(name)):
                    return True  # closes a channel, or a helper of ours that may flip it
                continue
            if fn.type != "selector_expression":
                continue
            method = text(fn.child_by_field_name("field"))
            target = _last_name(fn.child_by_field_name("operand"))
            if method == "Shutdown" and not args:
                return True  # grpc health server: everything NOT_SERVING
            if _FLIP_CALL.match(method) and (target in reads or _STATE_WORDS.search(target) or _STATE_WORDS.search(method)):
                return True
            if any(True for _ in ctx.pkg.functions_named(method)) and method != "Shutdown":
                return True  # a method of ours: it may flip the state
        for a in captures("[(assignment_statement) (inc_statement) (dec_statement)] @a", fi.body).get("a", []):
            if not lo <= a.start_byte < hi:
                continue
            left = a.child_by_field_name("left") or a.named_child(0)
            targets = left.named_children if left is not None and left.type == "expression_list" else [left]
            for t in targets:
                name = _last_name(t)
                if name and (name in reads or _STATE_WORDS.search(name)):
                    return True
        return False


RULES = [
    PprofOnPublicListener(),
    MissingHealthEndpoints(),
    ReadinessChecksNothing(),
    LivenessChecksDependencies(),
    ReadinessIgnoresPoolSaturation(),
    ReadinessNotFailedBeforeShutdown(),
]
