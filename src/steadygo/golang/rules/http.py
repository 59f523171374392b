"""HTTP server, client and transport timeout rules (SG1xx).

net/http's own fallbacks are respected: a zero ReadHeaderTimeout uses
ReadTimeout, and a zero IdleTimeout uses ReadTimeout, so a server lacks only
what no field covers.  A field counts as set when the engine sees it set on the
value anywhere it can follow (literal, later assignment, helper's caller,
same-package configure function, struct field holding it); ``0`` does not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from steadygo.findings import Severity
from steadygo.golang.facts import is_loopback_address
from steadygo.golang.functions import ECHO_PATHS, FIBER_PATHS, GIN
from steadygo.golang.parse import captures, string_value, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta, not_a_service
from steadygo.golang.values import (
    ALL_FIELDS,
    assigned_fields,
    fields_set,
    fields_set_later,
    holder_of,
    is_zero_literal,
    literal_keys,
)
from steadygo.registry import RuleOption

NET_HTTP = "net/http"
SERVER_TIMEOUTS = ("ReadTimeout", "ReadHeaderTimeout", "WriteTimeout", "IdleTimeout")

_VAR_ZERO_Q = "(var_spec name: (identifier) type: [(qualified_type) (type_identifier)] @type) @spec"
_CALLS_Q = "(call_expression function: [(selector_expression) (identifier)] @fn) @call"
_SELECTORS_Q = "(selector_expression) @sel"




@dataclass
class TypedValue:
    """An http.Server / http.Client / http.Transport value created in code."""

    type_name: str
    node: object  # the composite literal, new(...) call, or var_spec
    fields: set[str]
    literal: object | None  # composite literal node, when there is one

    def has(self, *names: str) -> bool:
        """True when any of the fields is set (or the value was overwritten whole)."""
        return ALL_FIELDS in self.fields or any(n in self.fields for n in names)


def typed_values(ctx: FileContext, type_name: str) -> list[TypedValue]:
    """All net/http values of one type the file creates, with the fields set
    on them.  Memoised per file so the rules of this family share it."""

    def compute():
        found: dict[str, list[TypedValue]] = {"Server": [], "Client": [], "Transport": []}
        f = ctx.file
        candidates = [(c, c.child_by_field_name("type")) for c in f.nodes("composite")]
        for call in ctx.pkg.calls_in(f, "new"):
            fn = call.child_by_field_name("function")
            args = call.child_by_field_name("arguments")
            if fn.type == "identifier" and text(fn) == "new" and args is not None and args.named_child_count == 1:
                candidates.append((call, args.named_child(0)))
        for value, tnode in candidates:
            if tnode is None or tnode.type not in ("qualified_type", "type_identifier"):
                continue
            for name in found:
                if f.is_member(tnode, NET_HTTP, name):
                    lit = value if value.type == "composite_literal" else None
                    fields = fields_set(ctx.pkg, f, value) if lit is not None else _later_only(ctx, value)
                    found[name].append(TypedValue(name, value, fields, lit))
        for spec in captures(_VAR_ZERO_Q, f.root).get("spec", []):
            if spec.child_by_field_name("value") is not None:
                continue
            tnode = spec.child_by_field_name("type")
            for name in found:
                if f.is_member(tnode, NET_HTTP, name):
                    found[name].append(TypedValue(name, spec, _var_fields(ctx, spec), None))
        return found

    return ctx.pkg.memo(("http.typed_values", ctx.file.path), compute)[type_name]


def _later_only(ctx, node):
    return fields_set_later(ctx.pkg, ctx.file, node)


def _var_fields(ctx, spec) -> set[str]:
    name = text(spec.child_by_field_name("name"))
    fn = ctx.funcs.enclosing(spec)
    scopes = [fn.body] if fn is not None else [f.root for f in ctx.pkg.files]
    out: set[str] = set()
    for s in scopes:
        out |= assigned_fields(s, name, last_component=False)
    return out


# --------------------------------------------------------------------------
# Servers


class ServerWithoutAnyTimeout(GoRule):
    meta = _meta(
        "SG101",
        "server-without-any-timeout",
        Severity.ERROR,
        "Slow or stalled clients hold connections and goroutines forever; under load the server runs out of file descriptors and memory.",
        "HTTP server started with no read, write or idle timeout at all.",
        options=[
            RuleOption(
                "ignore-loopback-listeners",
                bool,
                True,
                "do not report http.ListenAndServe on a literal loopback address (localhost:6060 debug listeners)",
            )
        ],
    )
    requires_imports = (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS)

    _PKG_FUNCS = ("ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS")
    _FRAMEWORK_STARTS = ("Run", "RunTLS", "Start", "StartTLS", "Listen", "ListenTLS")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for v in typed_values(ctx, "Server"):
            if not v.has(*SERVER_TIMEOUTS):
                ctx.report(
                    v.node,
                    "http.Server has no ReadHeaderTimeout, ReadTimeout, WriteTimeout or IdleTimeout: "
                    "a slow client can hold a connection and goroutine forever",
                )
        for call in ctx.pkg.calls_in(f, *self._PKG_FUNCS, *self._FRAMEWORK_STARTS):
            target = f.call_target(call)
            if target is not None and target[0] == NET_HTTP and target[1] in self._PKG_FUNCS:
                if ctx.options["ignore-loopback-listeners"] and _loopback_address(call):
                    continue
                ctx.report(
                    call,
                    f"http.{target[1]} runs a server with no timeouts at all: a slow client can hold a "
                    "connection and goroutine forever; use an http.Server with ReadHeaderTimeout, WriteTimeout and IdleTimeout",
                )
                continue
            self._framework_start(ctx, call)

    def _framework_start(self, ctx: FileContext, call) -> None:
        fn = call.child_by_field_name("function")
        if fn.type != "selector_expression":
            return
        method = text(fn.child_by_field_name("field"))
        recv = unparen(fn.child_by_field_name("operand"))
        if recv is None or recv.type != "identifier" or method not in self._FRAMEWORK_STARTS:
            return
        origin = _constructor_of(ctx, recv, call)
        if origin is None:
            return
        path, ctor, ctor_call = origin
        if path == GIN and ctor in ("Default", "New") and method in ("Run", "RunTLS"):
            ctx.report(call, f"gin's {method} serves with http.ListenAndServe: no timeouts at all; "
                       "serve the router from an http.Server with ReadHeaderTimeout, WriteTimeout and IdleTimeout")
        elif path in ECHO_PATHS and ctor == "New" and method in ("Start", "StartTLS"):
            scope = _scope_body(ctx, call)
            assigned = _echo_server_fields(scope, text(recv))
            if not assigned & set(SERVER_TIMEOUTS):
                ctx.report(call, f"echo's {method} uses e.Server with no timeouts set: a slow client can hold a "
                           "connection forever; set e.Server.ReadHeaderTimeout/WriteTimeout/IdleTimeout or use StartServer")
        elif path in FIBER_PATHS and ctor == "New" and method in ("Listen", "ListenTLS"):
            args = ctor_call.child_by_field_name("arguments").named_children
            if not args:
                missing = True
            else:
                cfg = unparen(args[0])
                if cfg is not None and cfg.type == "composite_literal":
                    keys = literal_keys(cfg)
                    missing = not ({"ReadTimeout", "WriteTimeout", "IdleTimeout"} & set(keys))
                else:
                    missing = False  # config built elsewhere: cannot see, assume set
            if missing:
                ctx.report(call, "fiber app created without ReadTimeout/WriteTimeout/IdleTimeout in fiber.Config: "
                           "fasthttp then waits forever on slow clients")


def _loopback_address(call) -> bool:
    """``http.ListenAndServe("localhost:6060", nil)``: unreachable from other hosts."""
    args = call.child_by_field_name("arguments").named_children
    addr = string_value(args[0]) if args else None
    return is_loopback_address(addr)


def _scope_body(ctx, node):
    fn = ctx.funcs.enclosing(node)
    return fn.body if fn is not None else ctx.file.root


def _echo_server_fields(scope, var: str) -> set[str]:
    return assigned_fields(scope, f"{var}.Server", last_component=False)


def _constructor_of(ctx, ident, at_node):
    """(import path, func, call node) of the constructor call a variable was
    assigned from, in the enclosing function or at package level."""
    name = text(ident)
    fn = ctx.funcs.enclosing(at_node)
    candidates = []
    if fn is not None:
        candidates = ctx.pkg.assigned_from(fn.body, name)
    if not candidates:
        for f in ctx.pkg.files:
            for spec in captures("(source_file (var_declaration (var_spec) @s))", f.root).get("s", []):
                if text(spec.child_by_field_name("name")) == name:
                    val = spec.child_by_field_name("value")
                    if val is not None and val.named_child_count:
                        candidates.append(val.named_child(0))
    for rhs in candidates:
        rhs = unparen(rhs)
        if rhs is not None and rhs.type == "call_expression":
            t = ctx.file.call_target(rhs)
            if t is not None:
                return t[0], t[1], rhs
    return None


class _ServerFieldRule(GoRule):
    """One missing-timeout check on servers that set at least one timeout:
    ``covered_by`` lists the fields any of which closes the hole (net/http's
    fallbacks included)."""

    requires_imports = (NET_HTTP,)
    covered_by: tuple[str, ...] = ()
    message = ""

    def check(self, ctx: FileContext) -> None:
        for v in _partially_configured(ctx):
            if not v.has(*self.covered_by):
                ctx.report(v.node, self.message)


class ServerWithoutReadHeaderTimeout(_ServerFieldRule):
    meta = _meta(
        "SG102",
        "server-without-read-header-timeout",
        Severity.ERROR,
        "Slowloris: a client that sends headers one byte at a time keeps a connection and goroutine busy indefinitely.",
        "http.Server sets some timeouts but neither ReadHeaderTimeout nor ReadTimeout.",
    )
    covered_by = ("ReadHeaderTimeout", "ReadTimeout")
    message = ("http.Server has no ReadHeaderTimeout (nor ReadTimeout to fall back on): "
               "a slowloris client can hold a connection and goroutine forever")


class ServerWithoutWriteTimeout(_ServerFieldRule):
    meta = _meta(
        "SG103",
        "server-without-write-timeout",
        Severity.WARNING,
        "A client that stops reading the response pins the handler goroutine and its buffers until the TCP stack gives up.",
        "http.Server sets some timeouts but no WriteTimeout.",
    )
    covered_by = ("WriteTimeout",)
    message = ("http.Server has no WriteTimeout: a client that stops reading keeps the handler "
               "goroutine and its buffers alive (use http.ResponseController for long streams)")


class ServerWithoutIdleTimeout(_ServerFieldRule):
    meta = _meta(
        "SG104",
        "server-without-idle-timeout",
        Severity.WARNING,
        "Idle keep-alive connections are never closed, so file descriptors accumulate behind load balancers and NAT.",
        "http.Server sets some timeouts but neither IdleTimeout nor ReadTimeout.",
    )
    covered_by = ("IdleTimeout", "ReadTimeout")
    message = ("http.Server has no IdleTimeout (nor ReadTimeout to fall back on): idle keep-alive "
               "connections stay open forever and file descriptors pile up")


def _partially_configured(ctx: FileContext) -> list[TypedValue]:
    """Servers with at least one timeout: fully bare ones belong to SG101
    when it is enabled, so one server gets one finding, not four."""
    sg101_on = "SG101" in ctx.pkg.enabled
    return [v for v in typed_values(ctx, "Server") if not (sg101_on and not v.has(*SERVER_TIMEOUTS))]


# --------------------------------------------------------------------------
# Clients


class ClientWithoutTimeout(GoRule):
    meta = _meta(
        "SG105",
        "http-client-without-timeout",
        Severity.WARNING,
        "One slow upstream makes every request that calls it hang; goroutines and connections pile up until the service falls over.",
        "Outbound HTTP through a client with no Timeout (literal, zero value, DefaultClient, http.Get/Post/Head).",
    )
    requires_imports = (NET_HTTP,)

    _PKG_FUNCS = ("Get", "Post", "Head", "PostForm")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for v in typed_values(ctx, "Client"):
            if not v.has("Timeout") and not _custom_round_tripper(ctx, v):
                ctx.report(v.node, "http.Client has no Timeout: a slow or silent upstream hangs the caller forever")
        if _default_client_timeout_set(ctx):
            return
        for call in ctx.pkg.calls_in(f, *self._PKG_FUNCS, "Do"):
            target = f.call_target(call)
            if target is not None and target[0] == NET_HTTP and target[1] in self._PKG_FUNCS:
                ctx.report(call, f"http.{target[1]} uses http.DefaultClient, which has no Timeout: "
                           "a slow upstream hangs this call forever")
                continue
            fn = call.child_by_field_name("function")
            if fn.type == "selector_expression" and f.is_member(fn.child_by_field_name("operand"), NET_HTTP, "DefaultClient"):
                method = text(fn.child_by_field_name("field"))
                if method in ("Do", "Get", "Post", "Head", "PostForm"):
                    if method == "Do" and _request_has_deadline(ctx, call):
                        continue
                    ctx.report(call, f"http.DefaultClient.{method} has no Timeout: a slow upstream hangs this call forever")


def _custom_round_tripper(ctx: FileContext, v: TypedValue) -> bool:
    """``Transport: &retryRoundTripper{...}``: a RoundTripper type of the
    package's own usually carries its own deadlines (retry clients, ...)."""
    if v.literal is None:
        return False
    t = unparen(literal_keys(v.literal).get("Transport"))
    if t is not None and t.type == "unary_expression":
        t = t.named_child(0)
    return t is not None and t.type == "composite_literal" and t.child_by_field_name("type").type == "type_identifier" \
        and not ctx.file.is_member(t.child_by_field_name("type"), NET_HTTP, "Transport")


def _default_client_timeout_set(ctx: FileContext) -> bool:
    def compute():
        for f in ctx.pkg.files:
            for lhs in captures("(assignment_statement left: (expression_list (selector_expression) @lhs))", f.root).get("lhs", []):
                if text(lhs.child_by_field_name("field")) == "Timeout":
                    op = lhs.child_by_field_name("operand")
                    if f.is_member(op, NET_HTTP, "DefaultClient"):
                        return True
        return False

    return ctx.pkg.memo("http.default_client_timeout", compute)


def _request_has_deadline(ctx: FileContext, do_call) -> bool:
    """``client.Do(req)`` where req was built with a context that carries a
    deadline (context.WithTimeout / WithDeadline) in the same function."""
    args = do_call.child_by_field_name("arguments").named_children
    if not args or args[0].type != "identifier":
        return False
    body = _scope_body(ctx, do_call)
    for rhs in ctx.pkg.assigned_from(body, text(args[0])):
        rhs = unparen(rhs)
        if rhs is None or rhs.type != "call_expression":
            continue
        if ctx.file.call_target(rhs) != (NET_HTTP, "NewRequestWithContext"):
            continue
        cargs = rhs.child_by_field_name("arguments").named_children
        if cargs and cargs[0].type == "identifier":
            for c in ctx.pkg.assigned_from(body, text(cargs[0])):
                c = unparen(c)
                if c is not None and c.type == "call_expression" and ctx.file.call_target(c) in (
                    ("context", "WithTimeout"),
                    ("context", "WithDeadline"),
                ):
                    return True
    return False


class OutboundRequestWithoutCallerContext(GoRule):
    meta = _meta(
        "SG106",
        "outbound-request-without-caller-context",
        Severity.WARNING,
        "When the caller gives up (client disconnect, deadline), the outbound call keeps running: work and connections are wasted exactly when the service is overloaded.",
        "Outbound request built without the context the function or handler received.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in ctx.pkg.calls_in(f, "NewRequest", "NewRequestWithContext"):
            target = f.call_target(call)
            if target is None or target[0] != NET_HTTP or target[1] not in ("NewRequest", "NewRequestWithContext"):
                continue
            fn = ctx.funcs.enclosing(call)
            if fn is None:
                continue
            owner = fn if (fn.ctx_params or fn.is_handler) else _synchronous_closure_owner(ctx, fn)
            if owner is None or _context_attached_later(ctx, call, fn, owner):
                continue
            where = "this handler" if owner.is_handler else f"{owner.name or 'this function'} (it has a ctx parameter)"
            if target[1] == "NewRequest":
                ctx.report(call, f"http.NewRequest drops the context {where} received: the outbound call keeps running "
                           "after the caller gives up; use http.NewRequestWithContext(ctx, ...)")
            else:
                args = call.child_by_field_name("arguments").named_children
                if args:
                    a0 = unparen(args[0])
                    if a0 is not None and a0.type == "call_expression" and f.call_target(a0) in (
                        ("context", "Background"),
                        ("context", "TODO"),
                    ):
                        ctx.report(call, f"outbound request uses {text(a0)} inside {where}: cancellation and deadlines "
                                   "of the caller no longer reach it; pass the caller's ctx")


def _context_attached_later(ctx: FileContext, call, fn, owner) -> bool:
    """``req = req.WithContext(ctx)``, ``req.Clone(ctx)``, or handing the
    request to a helper together with the caller's context
    (``client.Do(ctx, req)``, ``ctxhttp.Do(ctx, c, req)``) all put the
    context back on the request."""
    holder = holder_of(call)
    if holder.kind != "var" or fn.body is None:
        return False
    req = holder.path
    ctx_names = set(owner.ctx_params) | set(fn.ctx_params)
    for c in captures(_CALLS_Q, fn.body).get("call", []):
        if c.start_byte < call.end_byte:
            continue
        callee = c.child_by_field_name("function")
        if callee.type == "selector_expression" and text(callee.child_by_field_name("operand")) == req and text(
            callee.child_by_field_name("field")
        ) in ("WithContext", "Clone"):
            return True
        args = [text(a) for a in c.child_by_field_name("arguments").named_children]
        if req in args and any(a in ctx_names or a.endswith(".Context()") or a.endswith("UserContext()") for a in args):
            return True
    return False


def _synchronous_closure_owner(ctx: FileContext, fn):
    """A func literal called synchronously inside a handler or ctx-taking
    function belongs to it; one started with ``go`` is detached on purpose
    (and is the goroutine rules' business)."""
    node = fn.node
    if fn.node.type != "func_literal":
        return None
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.parent is not None and parent.parent.type in ("go_statement", "defer_statement"):
        return None
    for outer in ctx.funcs.enclosing_chain(node):
        if outer.ctx_params or outer.is_handler:
            return outer
    return None


# --------------------------------------------------------------------------
# Transports


class TransportWithoutTimeouts(GoRule):
    meta = _meta(
        "SG107",
        "transport-without-timeouts",
        Severity.WARNING,
        "A dial or TLS handshake to a black-holed upstream blocks for minutes (the OS limit), stalling every request routed to it.",
        "Custom http.Transport without a dial timeout or TLSHandshakeTimeout.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        for v in typed_values(ctx, "Transport"):
            if ALL_FIELDS in v.fields or _used_by_client_with_timeout(ctx, v):
                continue
            dial = _dial_timeout(ctx, v)
            if dial is None:
                continue  # a custom dial function: cannot see what it bounds
            missing = []
            if not dial:
                missing.append("dial timeout")
            if "TLSHandshakeTimeout" not in v.fields:
                missing.append("TLSHandshakeTimeout")
            if not missing:
                continue
            if "ResponseHeaderTimeout" not in v.fields:
                missing.append("ResponseHeaderTimeout")
            ctx.report(v.node, f"http.Transport has no {', '.join(missing)}: a black-holed upstream blocks "
                       "connections for minutes; start from http.DefaultTransport.(*http.Transport).Clone() or set them")


def _dial_timeout(ctx: FileContext, v: TypedValue) -> bool | None:
    """True/False: a dial timeout is / is not set; None: a custom dial function
    we cannot see into."""
    if v.literal is None:
        return bool({"DialContext", "Dial"} & v.fields)
    keys = literal_keys(v.literal)
    dial = keys.get("DialContext") or keys.get("Dial") or keys.get("DialTLSContext")
    if dial is None or is_zero_literal(dial):
        return bool({"DialContext", "Dial"} & v.fields)
    # (&net.Dialer{...}).DialContext: the dialer literal must set Timeout
    for lit in captures("(composite_literal) @l", dial).get("l", []):
        if ctx.file.is_member(lit.child_by_field_name("type"), "net", "Dialer"):
            return "Timeout" in literal_keys(lit)
    return None


def _used_by_client_with_timeout(ctx: FileContext, v: TypedValue) -> bool:
    """A client's overall Timeout bounds dialing and handshakes too, so a
    transport whose every client in this file has one is covered."""
    holder = holder_of(v.node)
    users = []
    for c in typed_values(ctx, "Client"):
        if c.literal is None:
            continue
        t = unparen(literal_keys(c.literal).get("Transport"))
        if t is not None and t.type == "unary_expression":
            t = t.named_child(0)
        if t is None:
            continue
        if t.id == v.node.id or (holder.kind == "var" and t.type == "identifier" and text(t) == holder.path):
            users.append(c.has("Timeout"))
    return bool(users) and all(users)


class TransportDefaultIdleConnsPerHost(GoRule):
    meta = _meta(
        "SG108",
        "transport-default-max-idle-conns-per-host",
        Severity.INFO,
        "With the default of 2 idle connections per host, a busy client to one upstream closes and reopens connections constantly: TIME_WAIT sockets and handshake latency pile up.",
        "Shared http.Transport leaves MaxIdleConnsPerHost at the default (2).",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        transports = typed_values(ctx, "Transport")
        if not transports or not _package_serves_http(ctx) or not_a_service(ctx):
            return  # none here, library code (the caller decides how a transport is shared), or a demo/test helper
        for v in transports:
            if v.has("MaxIdleConnsPerHost") or ctx.funcs.in_handler(v.node) is not None:
                continue
            ctx.report(v.node, "http.Transport leaves MaxIdleConnsPerHost at 2: under concurrent calls to one upstream "
                       "most connections are closed after use and re-dialled")


class TransportPerRequest(GoRule):
    meta = _meta(
        "SG109",
        "transport-created-per-request",
        Severity.WARNING,
        "A new Transport (or Client with one) per request has an empty connection pool every time: each call dials, handshakes and leaves a socket in TIME_WAIT.",
        "http.Transport or http.Client with a Transport created inside a request handler.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        for v in typed_values(ctx, "Transport"):
            h = ctx.funcs.in_handler(v.node)
            if h is None:
                continue
            if _inside_once(ctx, v.node):
                continue
            ctx.report(v.node, "http.Transport created inside a request handler: every request starts with an empty "
                       "connection pool; create one Transport/Client at start-up and share it")


def _package_serves_http(ctx: FileContext) -> bool:
    """The package has request handlers, so a transport it builds outside them
    is shared by concurrent requests."""

    def compute():
        return any(fi.is_handler for f in ctx.pkg.files for fi in ctx.pkg.functions(f).funcs)

    return ctx.pkg.memo("http.serves_http", compute)


def _inside_once(ctx, node) -> bool:
    """``once.Do(func() { t = &http.Transport{...} })``: lazy one-time set-up
    inside a handler is not per request."""
    for fi in ctx.funcs.enclosing_chain(node):
        if fi.node.type != "func_literal":
            break
        args = fi.node.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is not None and call.type == "call_expression":
            fn = call.child_by_field_name("function")
            if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) == "Do":
                return True
    return False


RULES = [
    ServerWithoutAnyTimeout(),
    ServerWithoutReadHeaderTimeout(),
    ServerWithoutWriteTimeout(),
    ServerWithoutIdleTimeout(),
    ClientWithoutTimeout(),
    OutboundRequestWithoutCallerContext(),
    TransportWithoutTimeouts(),
    TransportDefaultIdleConnsPerHost(),
    TransportPerRequest(),
]
