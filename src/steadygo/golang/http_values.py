"""net/http values created in code (http.Server, http.Client, http.Transport)
and the fields set on them, wherever they are set in the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.imports import build_import_table
from steadygo.golang.parse import ancestors, captures, text, unparen
from steadygo.golang.values import ALL_FIELDS, assigned_fields, holder_of, assigned_from, fields_set, fields_set_later

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


SERVER_TIMEOUTS = ("ReadTimeout", "ReadHeaderTimeout", "WriteTimeout", "IdleTimeout")
VAR_ZERO_Q = "(var_spec name: (identifier) type: [(qualified_type) (type_identifier)] @type) @spec"


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
    return typed_values_in(ctx.pkg, ctx.file, type_name)


def typed_values_in(pkg, f, type_name: str) -> list[TypedValue]:
    """``typed_values`` of any file of the package (a constructor in another
    file of the package builds the transport a client uses)."""

    def compute():
        found: dict[str, list[TypedValue]] = {"Server": [], "Client": [], "Transport": []}
        candidates = [(c, c.child_by_field_name("type")) for c in f.nodes("composite")]
        for call in pkg.calls_in(f, "new"):
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
                    fields = fields_set(pkg, f, value) if lit is not None else fields_set_later(pkg, f, value)
                    found[name].append(TypedValue(name, value, fields, lit))
        for spec in captures(VAR_ZERO_Q, f.root).get("spec", []):
            if spec.child_by_field_name("value") is not None:
                continue
            tnode = spec.child_by_field_name("type")
            for name in found:
                if f.is_member(tnode, NET_HTTP, name):
                    found[name].append(TypedValue(name, spec, var_fields(pkg, f, spec), None))
        return found

    return pkg.memo(("http.typed_values", f.path), compute)[type_name]


_PLAIN_ASSIGN_Q = "(assignment_statement left: (expression_list (identifier) @lhs))"
_LOCAL_NAMES_Q = """[(short_var_declaration left: (expression_list (identifier) @n))
                     (var_spec name: (identifier) @n)
                     (parameter_declaration name: (identifier) @n)]"""


def var_fields(pkg, file, spec) -> set[str]:
    """Fields set on ``var srv http.Server``.  A variable overwritten whole
    (``srv = http.Server{ReadTimeout: ...}``, Gokapi's package-level server)
    counts as set: the value assigned is created, and judged, where it is
    written."""
    name = text(spec.child_by_field_name("name"))
    fn = pkg.functions(file).enclosing(spec)
    scopes = [(file, fn.body)] if fn is not None else [(f, f.root) for f in pkg.files if not f.is_test]
    out: set[str] = set()
    for f, s in scopes:
        out |= assigned_fields(s, name, last_component=False)
        if ALL_FIELDS not in out and _overwritten(pkg, f, s, name, package_level=fn is None):
            out.add(ALL_FIELDS)
    return out


def _overwritten(pkg, f, scope, name: str, package_level: bool) -> bool:
    for lhs in captures(_PLAIN_ASSIGN_Q, scope).get("lhs", []):
        if text(lhs) != name:
            continue
        if not package_level:
            return True
        # A function's own ``srv`` shadows the package's.
        owner = pkg.functions(f).enclosing(lhs)
        if owner is None or name not in {text(n) for n in captures(_LOCAL_NAMES_Q, owner.node).get("n", [])}:
            return True
    return False


def scope_body(ctx, node):
    fn = ctx.funcs.enclosing(node)
    return fn.body if fn is not None else ctx.file.root



def limits_request_bodies(pkg) -> bool:
    """The package caps request bodies somewhere (a middleware): an
    ``http.MaxBytesReader`` / ``http.MaxBytesHandler`` call, or a reader
    assigned back over a body (``r.Body = io.NopCloser(io.LimitReader(r.Body, n))``).
    An ``io.LimitReader`` on a response body elsewhere says nothing about
    requests."""

    def compute():
        for name in ("MaxBytesReader", "MaxBytesHandler"):
            if any(True for _ in pkg.calls_to(name)):
                return True
        for _f, call in pkg.calls_to("LimitReader"):
            if body_reassigned(call):
                return True
        return False

    return pkg.memo("http.limits_request_bodies", compute)


def body_reassigned(node) -> bool:
    """node sits on the right of an assignment to ``x.Body``."""
    n = node
    while n is not None and n.type not in ("assignment_statement", "block", "source_file"):
        n = n.parent
    if n is None or n.type != "assignment_statement":
        return False
    left = n.child_by_field_name("left")
    return any(x.type == "selector_expression" and text(x.child_by_field_name("field")) == "Body" for x in left.named_children)


_SIZE_SETTING = re.compile(r"(?i)max|limit")


def under_size_setting(node, stop) -> bool:
    """node runs under an ``if`` that tests a size setting (``if
    fa.maxBodySize < 0 { return io.ReadAll(req.Body) }``): reading without
    a limit is what the operator configured, the other branch limits."""
    for n in ancestors(node, stop):
        if n.type != "if_statement":
            continue
        cond = n.child_by_field_name("condition")
        for ident in captures("[(identifier) (field_identifier)] @i", cond).get("i", []):
            if _SIZE_SETTING.search(text(ident)):
                return True
    return False


_REQUEST_TYPES = ("http.Request", "gin.Context", "echo.Context", "fiber.Ctx")


def request_values(chain) -> set[str]:
    """Names that hold the incoming request in a chain of enclosing
    functions (``FunctionIndex.enclosing_chain``): ``*http.Request``
    parameters, and the context of gin/echo/fiber handlers and helpers."""
    out = set()
    for fi in chain:
        if fi.handler in ("gin", "echo", "fiber") and fi.request_param():
            out.add(fi.request_param())
        if fi.name in _CLIENT_SIDE and fi.node.type == "method_declaration":
            continue  # RoundTrip(req)/Do(req): the service's own outbound request, to hosts it chose
        for p in fi.params:
            if p.name and p.name != "_" and p.type_text.replace(" ", "").lstrip("*").endswith(_REQUEST_TYPES):
                out.add(p.name)
    return out


# Methods whose *http.Request is the service's outgoing request (an
# http.RoundTripper, a client wrapper): evcc's metrics transport labels by
# the configured device's host name.
_CLIENT_SIDE = frozenset({"RoundTrip", "Do"})

_CHAIN_END = re.compile(r"([A-Za-z_]\w*)(?:\s*\.\s*[A-Za-z_]\w*|\(\s*\))*\s*$")


def rooted_in(source: str, start: int, names: set[str]) -> bool:
    """The selector chain that ends at ``source[:start]`` starts at one of
    ``names``: ``r`` for ``r.URL.Path``, ``c`` for ``c.Request().URL``, not
    ``conf`` in ``conf.URL.String()``."""
    m = _CHAIN_END.search(source[:start])
    return m is not None and m.group(1) in names


# Request data that makes a metric label unbounded (rooted at a request
# value: see request_data_of).
REQUEST_DATA = re.compile(
    r"\.URL\.(Path|String\(\)|RawQuery|RawPath|Query\(\))|\.URL\b(?!\.)|\.RequestURI\b|\.RemoteAddr\b|\.Header\.Get\(|\.UserAgent\(\)|\.Referer\(\)"
    r"|\.PathValue\(|\.ClientIP\(\)|\.RealIP\(\)|\.OriginalURL\(\)|\.Param\(|\.Params\(|\.Query\(|\.QueryParam\(|\.FormValue\(|\.PostFormValue\("
    r"|\bmux\.Vars\(|\bchi\.URLParam\(|\.IP\(\)|\.Hostname\(\)"
)




def request_data_of(value, chain) -> str:
    """The request data a value carries ('' when none), read from one of the
    request values of ``chain`` (the enclosing functions, innermost first):
    ``r.URL.Path``, ``c.Param("id")``, or a local assigned from such
    (``p := r.URL.String()``).  The route pattern (``r.Pattern``,
    ``c.FullPath()``) is bounded; ``conf.URL.String()`` is configuration."""
    chain = list(chain)
    value = unparen(value)
    if value is None:
        return ""
    value = value.named_child(0) if value.type == "literal_element" else value
    names = request_values(chain)
    if not names:
        return ""
    t = text(value)
    if "FullPath()" in t or ".Pattern" in t or ".Route()" in t:
        return ""
    if _from_request(t, names):
        return "" if _classifier_call(value, names) else " ".join(t.split())[:60]
    scope = chain[0].body if chain else None
    if value.type == "identifier" and scope is not None:
        for rhs in assigned_from(scope, t):
            rt = text(rhs)
            if "FullPath()" not in rt and _from_request(rt, names) and not _classifier_call(unparen(rhs), names):
                return f"{t} := {' '.join(rt.split())[:50]}"
    return ""


_PRESERVING_BUILTINS = frozenset({"string", "append", "copy"})


def _classifier_call(node, names: set[str]) -> bool:
    """``getQueryType(r.URL.Path, q)``, ``m.routeName(r)``: the project's own
    function maps request data to its result, which is no longer the raw
    value (it is usually a small set: a query type, a route name).  A call of
    an imported package (``strings.ToLower(r.URL.Path)``, ``path.Clean``), a
    method of the request data itself (``r.Header.Get``) or a conversion keeps
    the raw value."""
    if node is None or node.type != "call_expression":
        return False
    fn = node.child_by_field_name("function")
    if fn is None:
        return False
    if fn.type == "identifier":
        return text(fn) not in _PRESERVING_BUILTINS
    if fn.type != "selector_expression":
        return False
    operand = fn.child_by_field_name("operand")
    root = operand
    while root is not None and root.type in ("selector_expression", "call_expression", "index_expression"):
        root = root.child_by_field_name("operand") or root.child_by_field_name("function")
    if root is None or root.type != "identifier":
        return False
    if text(root) in names or text(root) in ("mux", "chi"):
        return False  # r.Header.Get(...), c.Param(...): the request's own data
    return not _is_package_name(node, text(root))


def _is_package_name(node, name: str) -> bool:
    """Whether ``name`` is an imported package in the file of ``node`` (the
    values may come from another file of the package than the rule's)."""
    root = node
    while root.parent is not None:
        root = root.parent
    return name in build_import_table(root).by_name


def _from_request(t: str, names: set[str]) -> bool:
    """``mux.Vars(r)`` and ``chi.URLParam(r, ...)`` take the request; the
    rest must start at a request value."""
    for m in REQUEST_DATA.finditer(t):
        if m.group(0).startswith(("mux.", "chi.")) or rooted_in(t, m.start(), names):
            return True
    return False


# --- Request bodies another party already capped -------------------------------

REMOTE_WRITE_API = "github.com/prometheus/client_golang/exp/api/remote"
CONFIGHTTP = "go.opentelemetry.io/collector/config/confighttp"
_CONFIGHTTP_SERVER_FIELD_Q = "(field_declaration) @d"


def library_caps_request_bodies(pkg) -> bool:
    """The package serves its handlers through an
    ``go.opentelemetry.io/collector/config/confighttp`` ServerConfig's
    ToServer: ToServer sets MaxRequestBodySize to 20 MiB when it is zero or
    less and then wraps the handler in http.MaxBytesReader (read in
    confighttp v0.155.0, server.go).  Recognised as a call ``x.F.ToServer(``
    where F is a struct field the package declares as a
    ``confighttp.ServerConfig``."""

    def compute():
        fields = set()
        for f in pkg.files:
            if not f.imports.imports(CONFIGHTTP):
                continue
            for d in captures(_CONFIGHTTP_SERVER_FIELD_Q, f.root).get("d", []):
                t = d.child_by_field_name("type")
                if t is not None and f.qualified(t) == (CONFIGHTTP, "ServerConfig"):
                    fields.update(text(n) for n in d.children_by_field_name("name"))
        if not fields:
            return False
        for _f, call in pkg.calls_to("ToServer"):
            fn = call.child_by_field_name("function")
            operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
            if operand is not None and text(operand).replace(" ", "").rsplit(".", 1)[-1] in fields:
                return True
        return False

    return pkg.memo("http.library_caps_request_bodies", compute)


def remote_write_store(pkg, file, fi) -> bool:
    """``Store(r *http.Request, t remoteapi.WriteMessageType)``: the storage
    callback of client_golang's remote-write handler, which hands it a body
    its default SnappyDecodeMiddleware has already read through
    io.LimitReader and decoded with a 32 MiB cap on both sizes
    (exp/api/remote/remote_api.go).  Not when the package replaces those
    middlewares (WithWriteHandlerMiddlewares)."""
    if fi.name != "Store" or len(fi.params) != 2 or not file.imports.imports(REMOTE_WRITE_API):
        return False
    if file.qualified(fi.params[1].type_node) != (REMOTE_WRITE_API, "WriteMessageType"):
        return False
    return not any(True for _ in pkg.calls_to("WithWriteHandlerMiddlewares"))


def client_side(fi) -> bool:
    """A function of the client side: a RoundTrip, or one returning an
    *http.Response; the request it gets is one it sends."""
    return fi.name == "RoundTrip" or fi.results_text.replace(" ", "").startswith(("*http.Response", "(*http.Response"))


def client_request_helper(pkg, fi) -> bool:
    """A plain function (not a handler) that every call in the package makes
    from the client side: ``serializeReq(req)`` called only by the cached
    client's ``Do(req) (*http.Response, error)``.  The body it reads is the
    outgoing payload, which the caller built."""
    if fi.handler or not fi.name:
        return False

    def compute():
        callers = 0
        for f, call in pkg.calls_to(fi.name):
            chain = list(pkg.functions(f).enclosing_chain(call))
            if not chain or any(c.node.id == fi.node.id for c in chain) or not any(client_side(c) for c in chain):
                return False
            callers += 1
        return callers > 0

    return pkg.memo(("http.client_request_helper", fi.node.id), compute)


# Library calls that fill every zero timeout of the server they are handed
# (checked in its source, v0.1.3: Read/ReadHeader/Write/IdleTimeout when 0).
# Helpers that set every zero timeout of the server they are given before
# serving it (zhttp.Serve: ReadHeader 10 s, Read/Write 60 s, Idle 120 s).
SERVER_DEFAULTS_FILLERS = {("github.com/ory/graceful", "WithDefaults"), ("zgo.at/zhttp", "Serve")}


def timeouts_filled_by_library(file, v) -> bool:
    """``graceful.WithDefaults(&http.Server{...})``, ``zhttp.Serve(flags, stop, &http.Server{...})``."""
    h = holder_of(v.node)
    return h.kind == "arg" and h.call is not None and file.call_target(h.call) in SERVER_DEFAULTS_FILLERS
