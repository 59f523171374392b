"""SG107 transport-without-timeouts: Custom http.Transport without a dial timeout or TLSHandshakeTimeout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_values import typed_values
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import ALL_FIELDS, holder_of, is_zero_literal, literal_keys
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.http_values import TypedValue
    from steadygo.golang.rules.base import FileContext


class TransportWithoutTimeouts(GoRule):
    meta = code_meta(
        id="SG107",
        name="transport-without-timeouts",
        severity=Severity.WARNING,
        breakpoint="A dial or TLS handshake to a black-holed upstream blocks for minutes (the OS limit), stalling every request routed to it.",
        summary="Custom http.Transport without a dial timeout or TLSHandshakeTimeout.",
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
