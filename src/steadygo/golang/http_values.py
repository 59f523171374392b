"""net/http values created in code (http.Server, http.Client, http.Transport)
and the fields set on them, wherever they are set in the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.parse import ancestors, captures, text
from steadygo.golang.values import ALL_FIELDS, assigned_fields, fields_set, fields_set_later

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
                    fields = fields_set(ctx.pkg, f, value) if lit is not None else later_only(ctx, value)
                    found[name].append(TypedValue(name, value, fields, lit))
        for spec in captures(VAR_ZERO_Q, f.root).get("spec", []):
            if spec.child_by_field_name("value") is not None:
                continue
            tnode = spec.child_by_field_name("type")
            for name in found:
                if f.is_member(tnode, NET_HTTP, name):
                    found[name].append(TypedValue(name, spec, var_fields(ctx, spec), None))
        return found

    return ctx.pkg.memo(("http.typed_values", ctx.file.path), compute)[type_name]


def later_only(ctx, node):
    return fields_set_later(ctx.pkg, ctx.file, node)


def var_fields(ctx, spec) -> set[str]:
    name = text(spec.child_by_field_name("name"))
    fn = ctx.funcs.enclosing(spec)
    scopes = [fn.body] if fn is not None else [f.root for f in ctx.pkg.files]
    out: set[str] = set()
    for s in scopes:
        out |= assigned_fields(s, name, last_component=False)
    return out


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
