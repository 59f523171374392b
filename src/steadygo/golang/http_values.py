"""net/http values created in code (http.Server, http.Client, http.Transport)
and the fields set on them, wherever they are set in the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.parse import captures, text
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


def var_fields(pkg, file, spec) -> set[str]:
    name = text(spec.child_by_field_name("name"))
    fn = pkg.functions(file).enclosing(spec)
    scopes = [fn.body] if fn is not None else [f.root for f in pkg.files]
    out: set[str] = set()
    for s in scopes:
        out |= assigned_fields(s, name, last_component=False)
    return out


def scope_body(ctx, node):
    fn = ctx.funcs.enclosing(node)
    return fn.body if fn is not None else ctx.file.root

