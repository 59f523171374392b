"""SG107 transport-without-timeouts: Custom http.Transport without a dial timeout or TLSHandshakeTimeout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_clients import client_uses_bounded, dial_timeout
from steadygo.golang.http_values import typed_values
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import ALL_FIELDS, holder_of, is_zero_literal, literal_keys
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class TransportWithoutTimeouts(GoRule):
    meta = code_meta(
        id="SG107",
        name="transport-without-timeouts",
        severity=Severity.WARNING,
        status="preview",  # 5 of 22 judged true on 22 real code bases: docs/rules/SG107.md
        breakpoint="A dial or TLS handshake to a black-holed upstream blocks for minutes (the OS limit), stalling every request routed to it.",
        summary="Custom http.Transport without a dial timeout or TLSHandshakeTimeout.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        for v in typed_values(ctx, "Transport"):
            if ALL_FIELDS in v.fields or _used_by_client_with_timeout(ctx, v):
                continue
            tls_dialer = bool({"DialTLSContext", "DialTLS"} & v.fields)
            # A custom dial function bounds (or not) only the dial we cannot
            # see into; the TLS handshake and the wait for response headers
            # happen after it returns and still need their own timeouts,
            # unless a custom TLS dialer does the handshake itself.
            dial = None if tls_dialer and not {"DialContext", "Dial"} & v.fields else dial_timeout(ctx.pkg, ctx.file, v)
            if dial is None and _hands_back_a_connection(v):
                continue  # an in-memory or already open connection: no network to wait on
            missing = []
            if dial is False:
                missing.append("dial timeout")
            if "TLSHandshakeTimeout" not in v.fields and not tls_dialer:
                missing.append("TLSHandshakeTimeout")
            if not missing:
                continue
            if "ResponseHeaderTimeout" not in v.fields:
                missing.append("ResponseHeaderTimeout")
            note = " (its custom dial function bounds at most the dial)" if dial is None else ""
            ctx.report(v.node, f"http.Transport has no {', '.join(missing)}{note}: a black-holed upstream blocks "
                       "connections for minutes; start from http.DefaultTransport.(*http.Transport).Clone() or set them")


def _hands_back_a_connection(v) -> bool:
    """``Dial: func(...) (net.Conn, error) { return conn, nil }``: a dial
    literal that dials nothing (no call named ``*Dial*`` in it) returns a
    connection the code already holds, as httputil's request dumper does."""
    if v.literal is None:
        return False
    keys = literal_keys(v.literal)
    dial = unparen(keys.get("DialContext") or keys.get("Dial"))
    if dial is None or dial.type != "func_literal":
        return False
    return not any("Dial" in text(c.child_by_field_name("function"))
                   for c in captures("(call_expression) @c", dial).get("c", []))


def _used_by_client_with_timeout(ctx: FileContext, v: TypedValue) -> bool:
    """A client's overall Timeout bounds dialing and handshakes too, as does a
    deadline on every request it sends or a library's timeout option it is
    handed with, so a transport whose every client in this file has one is
    covered.  The transport reaches its client as ``Client{Transport: t}`` or
    ``c.Transport = t``, directly, through a variable, or wrapped: returned by
    a func literal handed to a call whose result is that variable
    (``rt, err := config.NewTLSRoundTripper(..., func(..) { return &http.Transport{..} })``)."""
    names = set()
    holder = holder_of(v.node)
    if holder.kind == "var":
        names.add(holder.path)
    wrapper = _wrapped_into(v.node)
    if wrapper:
        names.add(wrapper)

    def holds(t) -> bool:
        t = unparen(t)
        if t is not None and t.type == "unary_expression":
            t = t.named_child(0)
        return t is not None and (t.id == v.node.id or (t.type == "identifier" and text(t) in names))

    users = []
    clients = [c for c in typed_values(ctx, "Client") if c.literal is not None]
    for c in clients:
        t = literal_keys(c.literal).get("Transport")
        if t is not None and holds(t):
            users.append(c.has("Timeout") or client_uses_bounded(ctx.pkg, ctx.file, c))
    for stmt in captures(_TRANSPORT_SET_Q, ctx.file.root).get("s", []):
        left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
        if left.named_child_count != 1 or right.named_child_count != 1 or not holds(right.named_child(0)):
            continue
        sel = left.named_child(0)
        if sel.type != "selector_expression" or text(sel.child_by_field_name("field")) != "Transport":
            continue
        users.append(_client_timeout_set(ctx, clients, sel.child_by_field_name("operand"), stmt))
    return bool(users) and all(users)


_TRANSPORT_SET_Q = "(assignment_statement) @s"


def _wrapped_into(node) -> str | None:
    """The variable a wrapping call's result goes to, when ``node`` is what a
    func literal returns and that literal is an argument of the call."""
    h = holder_of(node)
    if h.kind != "return" or h.func is None or h.func.type != "func_literal":
        return None
    outer = holder_of(h.func)
    if outer.kind != "arg" or outer.call is None:
        return None
    got = holder_of(outer.call)
    return got.path if got.kind == "var" else None


def _client_timeout_set(ctx: FileContext, clients, operand, stmt) -> bool:
    """``c.Transport = t`` in a function that also gives ``c`` a Timeout:
    ``c.Timeout = d`` or ``c = &http.Client{Timeout: d}`` (``c`` a variable
    or a field, ``p.httpClient``)."""
    fi = ctx.funcs.enclosing(stmt)
    scope = fi.node if fi is not None else ctx.file.root
    target = text(operand)
    last = target.rsplit(".", 1)[-1]
    for c in clients:
        if not (scope.start_byte <= c.node.start_byte < scope.end_byte) or not c.has("Timeout"):
            continue
        h = holder_of(c.node)
        if h.kind in ("var", "field") and h.path == last:
            return True
    for s in captures(_TRANSPORT_SET_Q, scope).get("s", []):
        left = s.child_by_field_name("left")
        if left.named_child_count == 1 and text(left.named_child(0)) == target + ".Timeout":
            right = s.child_by_field_name("right")
            return not is_zero_literal(right.named_child(0) if right.named_child_count else None)
    return False
