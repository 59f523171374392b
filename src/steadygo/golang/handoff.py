"""Whether passing a resource to a call releases it or hands it off.

``closeBody(resp)``, ``drainAndClose(resp.Body)``, ``finish(tx, err)``: a
same-package helper that closes (or commits/rolls back) what it is given is a
release at the call site.  Helpers are looked up by name in the package and
checked (not path-sensitively) to depth 2.  Calls into other packages follow a
per-resource policy: handing a whole response or rows value to a library
usually means the library owns it now (``pgx.CollectRows`` closes rows), while
passing ``resp.Body`` to ``io.Copy`` or ``json.NewDecoder`` closes nothing.
"""

from __future__ import annotations

from steadygo.golang.flow import FunctionFlow, Resource, releases
from steadygo.golang.parse import captures, text, unparen

_NEUTRAL_BUILTINS = frozenset({"len", "cap", "print", "println"})


def callee_name(call) -> tuple[str, bool]:
    """(name, foreign): foreign when the call goes to another package."""
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return "", True
    if fn.type == "identifier":
        return text(fn), False
    if fn.type == "selector_expression":
        return text(fn.child_by_field_name("field")), None  # decided by caller (needs the file)
    return "", True


class Handoff:
    """Per-package helper knowledge for one resource kind.

    ``methods``: release methods (Close; Commit/Rollback).  ``sub_field``:
    'Body' for responses.  ``foreign(name, is_var)``: policy for calls into
    other packages.
    """

    def __init__(self, pkg, file, kind: str, methods: frozenset[str], sub_field: str = "", foreign=None):
        self.pkg = pkg
        self.file = file
        self.kind = kind
        self.methods = methods
        self.sub_field = sub_field
        self.foreign = foreign or (lambda name, is_var: False)

    def arg_releases(self, call, idx: int, ref, is_var: bool, depth: int = 0) -> bool:
        fn = unparen(call.child_by_field_name("function"))
        if fn is None:
            return False
        if fn.type == "identifier":
            name = text(fn)
            if name in _NEUTRAL_BUILTINS:
                return False
            if name == "append":
                return True  # stored in a slice: handed off
            foreign = False
        elif fn.type == "selector_expression":
            name = text(fn.child_by_field_name("field"))
            foreign = self.file.qualified(fn) is not None
        else:
            return True  # calling a func value: cannot see, assume it takes care
        if not foreign:
            helpers = list(self.pkg.functions_named(name))
            if helpers:
                return any(self._helper_releases(f, fi, idx, depth) for f, fi in helpers)
            foreign = True  # method of a type from elsewhere
        return bool(self.foreign(name, is_var))

    def _helper_releases(self, file, fi, idx: int, depth: int) -> bool:
        if depth >= 2 or not fi.params or fi.body is None:
            return False
        if idx >= len(fi.params):
            idx = len(fi.params) - 1
        pname = fi.params[idx].name
        if not pname or pname == "_":
            return False
        key = ("handoff", self.kind, file.path, fi.node.id, idx)

        def compute():
            sub = Handoff(self.pkg, file, self.kind, self.methods, self.sub_field, self.foreign)
            operands = {pname}
            if self.sub_field:
                operands.add(f"{pname}.{self.sub_field}")
            res = Resource(
                var=pname,
                operands=frozenset(operands),
                methods=self.methods,
                sub_field=self.sub_field,
                escapes=False,
                arg_releases=lambda c, i, r, v: sub.arg_releases(c, i, r, v, depth + 1),
            )
            return bool(releases(FunctionFlow(file, fi.node, fi.body), res)) or _kept_by_closer(self.pkg, fi, pname, self.methods)

        return self.pkg.memo(key, compute)


_COMPOSITE_Q = "(composite_literal) @c"


def _stored_fields(body, pname: str):
    """(type name, field name) of each ``T{field: pname}`` in ``body``."""
    for lit in captures(_COMPOSITE_Q, body).get("c", []):
        t, vals = lit.child_by_field_name("type"), lit.child_by_field_name("body")
        if t is None or vals is None:
            continue
        for kv in vals.named_children:
            if kv.type != "keyed_element" or kv.named_child_count != 2:
                continue
            k, v = (c.named_children[0] if c.type == "literal_element" and c.named_child_count else c for c in kv.named_children)
            v = unparen(v)
            if v is not None and v.type == "identifier" and text(v) == pname:
                yield text(t), text(k)


def _kept_by_closer(pkg, fi, pname: str, methods: frozenset[str]) -> bool:
    """A constructor that stores the value in a field of a struct of this
    package whose own Close (release method) releases that field:
    ``return &conn{reader: body}`` with ``func (c *conn) Close() error {
    return c.reader.Close() }``.  The struct owns it now; whoever holds the
    struct closes it."""
    for t, k in _stored_fields(fi.body, pname):
        type_name = t.lstrip("*").strip()
        field_name = k.strip()
        for method in methods:
            for mfile, m in pkg.functions_named(method):
                if m.receiver_type.lstrip("*").strip() != type_name or m.body is None:
                    continue
                recv = _receiver_name(m.node)
                if not recv:
                    continue
                res = Resource(var="", operands=frozenset({f"{recv}.{field_name}"}), methods=methods, escapes=False)
                if releases(FunctionFlow(mfile, m.node, m.body), res):
                    return True
    return False


def _receiver_name(method_node) -> str:
    recv = method_node.child_by_field_name("receiver")
    if recv is None or not recv.named_child_count:
        return ""
    name = recv.named_children[0].child_by_field_name("name")
    return text(name) if name is not None else ""
