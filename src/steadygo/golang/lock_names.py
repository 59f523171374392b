"""Which mutex (or channel, or WaitGroup) an expression names, across a package.

Lock-order questions need an identity that two functions agree on: ``s.mu`` in
``(*Store).flush`` and ``r.store.mu`` in ``(*Replica).tick`` are the same lock
when ``r.store`` is a ``*Store``.  Two identities are computed from the
package's own declarations (struct fields, receivers, parameters, locals
assigned from them, package vars):

- the *class*: the declaring type and field (``Store.mu``), or the named type
  itself for an embedded mutex (``Store``), or the package var (``var:globalMu``);
  equal classes may still be different objects.
- the *instance*: a root (the receiver, a parameter, a local, a package var)
  and the field path below it; two equal instances are the same object, and a
  callee's instance is translated into the caller's terms at a call.

Anything the declarations do not settle (an index, a call result of unknown
type, another package's value) has no identity, and rules stay silent on it.
Part 1 of issue 18 builds full package type facts; this is the small subset the
lock analysis needs, kept here so the two can evolve apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.golang.parse import text, unparen

_MAX_RESOLVE_STEPS = 12  # chains longer than this (or cyclic := chains) have no identity


@dataclass(eq=False)
class Func:
    """One function, method or function literal of the package."""

    node: object
    file: object
    key: str | None  # "name" / "Type.name" for declarations, None for literals
    body: object
    recv_type: object = None  # type node of the receiver
    outer: "Func | None" = None
    recv_name: str = ""
    # the query runner that reads the locals (collect_functions sets it).
    # Parameters, results and locals are read on first use: most functions
    # of a big package are never looked into.
    _captures: object = field(default=None, repr=False)
    _env: dict | None = field(default=None, repr=False)
    _params: list | None = field(default=None, repr=False)
    _results: list | None = field(default=None, repr=False)

    @property
    def params(self) -> list:
        """[(name, type node)]"""
        if self._params is None:
            self._params = _params_of(self.node.child_by_field_name("parameters"))
        return self._params

    @property
    def results(self) -> list:
        """The result type nodes."""
        if self._results is None:
            self._results = _results_of(self.node)
        return self._results

    @property
    def env(self) -> dict:
        """name -> ("type", type node) | ("expr", expression node, index) | ("range", expr node)"""
        if self._env is None:
            self._env = {}
            if self.body is not None and self._captures is not None:
                _bind_locals(self, self.body, self._captures)
        return self._env

    @property
    def fid(self) -> int:
        return self.node.id

    @property
    def name(self) -> str:
        if self.key is not None:
            return self.key
        return f"func literal at line {self.node.start_point[0] + 1}"


def named(tnode) -> str | None:
    """The package-local type name a type node denotes (``*T``, ``T``, ``T[X]``)."""
    while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
        tnode = tnode.named_child(0)
    if tnode is None:
        return None
    if tnode.type == "type_identifier":
        return text(tnode)
    if tnode.type == "generic_type":
        return text(tnode.child_by_field_name("type"))
    return None


def _deref(tnode):
    while tnode is not None and tnode.type in ("pointer_type", "parenthesized_type"):
        tnode = tnode.named_child(0)
    return tnode


class PackageTypes:
    """Struct fields, functions and package vars of one package."""

    def __init__(self, files):
        self.structs: dict[str, object] = {}  # type name -> struct_type node
        self.aliases: dict[str, object] = {}  # type name -> its underlying type node (non-struct)
        self.fields: dict[int, dict[str, object]] = {}  # struct node id -> field -> type node
        self.vars: dict[str, object] = {}  # package var -> ("type", node) | ("expr", node, i)
        self.funcs: dict[str, Func] = {}
        self.all_funcs: list[Func] = []
        for f in files:
            for top in f.root.named_children:
                if top.type == "type_declaration":
                    for spec in top.named_children:
                        if spec.type in ("type_spec", "type_alias"):
                            name, t = spec.child_by_field_name("name"), spec.child_by_field_name("type")
                            if name is None or t is None:
                                continue
                            if t.type == "struct_type":
                                self.structs[text(name)] = t
                            else:
                                self.aliases[text(name)] = t
                elif top.type == "var_declaration":
                    for spec in _specs(top, "var_spec"):
                        _bind_spec(self.vars, spec)

    def struct_fields(self, tnode) -> dict[str, object] | None:
        """Field name -> type node of a struct type node or named struct type."""
        t = _deref(tnode)
        if t is None:
            return None
        if t.type != "struct_type":
            name = named(t)
            if name is None or name not in self.structs:
                return None
            t = self.structs[name]
        got = self.fields.get(t.id)
        if got is None:
            got = self.fields[t.id] = {}
            lst = next((c for c in t.named_children if c.type == "field_declaration_list"), None)
            for decl in lst.named_children if lst is not None else ():
                if decl.type != "field_declaration":
                    continue
                ftype = decl.child_by_field_name("type")
                names = [c for c in decl.children_by_field_name("name")]
                if names:
                    for n in names:
                        got[text(n)] = ftype
                elif ftype is not None:  # embedded: the field is named after its type
                    got[text(_deref(ftype)).rsplit(".", 1)[-1].split("[")[0]] = ftype
        return got


def _specs(decl, kind):
    for c in decl.named_children:
        if c.type == kind:
            yield c
        elif c.type.endswith("_spec_list"):
            yield from (s for s in c.named_children if s.type == kind)


AMBIGUOUS = ("ambiguous",)


def _bind(env: dict, name: str, binding) -> None:
    """Bind a local; a name declared twice in one function (shadowing, two
    scopes) has no single meaning for a flow-insensitive table."""
    old = env.get(name)
    env[name] = binding if old is None or old == binding else AMBIGUOUS


def _bind_spec(env: dict, spec) -> None:
    names = spec.children_by_field_name("name")
    t = spec.child_by_field_name("type")
    value = spec.child_by_field_name("value")
    values = value.named_children if value is not None else []
    for i, n in enumerate(names):
        if t is not None:
            _bind(env, text(n), ("type", t))
        elif len(values) == len(names):
            _bind(env, text(n), ("expr", values[i], 0))
        elif len(values) == 1:
            _bind(env, text(n), ("expr", values[0], i))


def bind_assignment(env: dict, left, right) -> None:
    lhs = [c for c in left.named_children] if left is not None else []
    rhs = [c for c in right.named_children] if right is not None else []
    for i, n in enumerate(lhs):
        if n.type != "identifier" or text(n) == "_":
            continue
        if len(rhs) == len(lhs):
            _bind(env, text(n), ("expr", rhs[i], 0))
        elif len(rhs) == 1:
            _bind(env, text(n), ("expr", rhs[0], i))


@dataclass(frozen=True)
class Ref:
    """What an expression names: instance (None when unknown) and class."""

    inst: tuple | None
    cls: str | None
    tnode: object = None  # its type node, when known


_NONE = Ref(None, None, None)


class Resolver:
    def __init__(self, types: PackageTypes):
        self.types = types
        # (kind, function, node, index) -> answer: chains of locals resolve the
        # same sub-expressions again and again (a cut-off answer is kept too)
        self._memo: dict = {}
        self._methods: set | None = None

    def lookup(self, fn: Func, name: str):
        """(root, binding, declaring func) of an identifier seen in ``fn``."""
        f = fn
        while f is not None:
            local = f.env.get(name)
            if local is AMBIGUOUS or (local is not None and (name == f.recv_name or any(p == name for p, _ in f.params))):
                return None, None, None  # shadowed somewhere in the function: no identity
            if name == f.recv_name and f.recv_name:
                return ("recv", f.fid), ("type", f.recv_type), f
            for i, (pname, ptype) in enumerate(f.params):
                if pname == name:
                    return ("param", f.fid, i), ("type", ptype), f
            if local is not None:
                return ("local", f.fid, name), local, f
            f = f.outer
        binding = self.types.vars.get(name)
        if binding is not None and binding is not AMBIGUOUS:  # declared in two files (build tags): no identity
            return ("global", name), binding, None
        return None, None, None

    def ref(self, fn: Func, node, steps: int = 0) -> Ref:
        node = unparen(node)
        if node is None or steps > _MAX_RESOLVE_STEPS:
            return _NONE
        key = ("ref", fn.fid, node.id)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = self._ref(fn, node, steps)
        return got

    def _ref(self, fn: Func, node, steps: int) -> Ref:
        t = node.type
        if t == "identifier":
            name = text(node)
            root, binding, owner = self.lookup(fn, name)
            if root is None:
                return _NONE
            tnode = self._binding_type(owner or fn, binding, steps + 1)
            tname = named(tnode)
            if tname in self.types.structs:
                cls = tname
            elif root[0] == "global":
                cls = f"var:{name}"
            else:
                cls = f"local:{root[1]}:{name}"
                if binding[0] == "expr" and binding[2] == 0 and binding[1].type in ("selector_expression", "identifier"):
                    # `ch := s.ch`: a copy of a channel or pointer is the same object
                    alias = self.ref(owner or fn, binding[1], steps + 1)
                    t = tnode
                    while t is not None and t.type == "parenthesized_type":
                        t = t.named_child(0)
                    if alias.cls is not None and t is not None and t.type in ("channel_type", "pointer_type"):
                        cls = alias.cls
            return Ref((root,), cls, tnode)
        if t == "selector_expression":
            base = self.ref(fn, node.child_by_field_name("operand"), steps + 1)
            fname = text(node.child_by_field_name("field"))
            if base.cls is None and base.inst is None:
                return _NONE
            fields = self.types.struct_fields(base.tnode) if base.tnode is not None else None
            ftype = fields.get(fname) if fields else None
            inst = base.inst + (fname,) if base.inst is not None else None
            if ftype is None:
                # a field the declarations do not show (promoted, another package's):
                # same object only by the same path, no class to compare across functions
                return Ref(inst, None, None)
            fnamed = named(ftype)
            if fnamed in self.types.structs:
                cls = fnamed
            else:
                owner = named(base.tnode)
                cls = f"{owner if owner in self.types.structs else base.cls}.{fname}"
            return Ref(inst, cls, ftype)
        if t == "unary_expression" and node.child(0).type in ("*", "&"):
            return self.ref(fn, node.child_by_field_name("operand"), steps + 1)
        return _NONE

    def _binding_type(self, fn: Func, binding, steps: int):
        if binding is None or binding is AMBIGUOUS:
            return None
        if binding[0] == "type":
            return binding[1]
        if binding[0] == "range":
            return self._elem(self.expr_type(fn, binding[1], steps + 1))
        if binding[0] == "rangekey":  # only a channel's single range var has a known type
            t = _deref(self.expr_type(fn, binding[1], steps + 1))
            return self._elem(t) if t is not None and t.type == "channel_type" else None
        return self.expr_type(fn, binding[1], steps + 1, binding[2])

    def expr_type(self, fn: Func, node, steps: int = 0, index: int = 0):
        """The type node of an expression, as far as declarations tell."""
        node = unparen(node)
        if node is None or steps > _MAX_RESOLVE_STEPS:
            return None
        key = ("type", fn.fid, node.id, index)
        if key not in self._memo:
            self._memo[key] = self._expr_type(fn, node, steps, index)
        return self._memo[key]

    def _expr_type(self, fn: Func, node, steps: int, index: int):
        t = node.type
        if t in ("identifier", "selector_expression"):
            return self.ref(fn, node, steps + 1).tnode
        if t == "composite_literal":
            return node.child_by_field_name("type")
        if t == "unary_expression":
            return self.expr_type(fn, node.child_by_field_name("operand"), steps + 1)
        if t == "index_expression":
            return self._elem(self.expr_type(fn, node.child_by_field_name("operand"), steps + 1))
        if t == "type_assertion_expression":
            return node.child_by_field_name("type")
        if t == "call_expression":
            callee = self.callee(fn, node, steps + 1)
            if callee is not None and index < len(callee.results):
                return callee.results[index]
            f = node.child_by_field_name("function")
            if f.type == "identifier" and text(f) in ("new", "make"):
                args = node.child_by_field_name("arguments")
                arg = args.named_child(0) if args is not None and args.named_child_count else None
                return arg if text(f) == "make" else arg
        return None

    def _elem(self, tnode):
        t = _deref(tnode)
        if t is None:
            return None
        if t.type in ("type_identifier", "generic_type"):
            t = self.types.aliases.get(named(t))
            if t is None:
                return None
        if t.type == "map_type":
            return t.child_by_field_name("value")
        if t.type in ("slice_type", "array_type", "channel_type"):
            return t.child_by_field_name("element") or t.child_by_field_name("value")
        return None

    def callee_of_value(self, fn: Func, sel) -> Func | None:
        """The method a method value ``x.m`` (not called) names, when declarations tell."""
        rname = named(self.expr_type(fn, sel.child_by_field_name("operand")))
        if rname is None:
            return None
        return self.types.funcs.get(f"{rname}.{text(sel.child_by_field_name('field'))}")

    def callee(self, fn: Func, call, steps: int = 0) -> Func | None:
        """The same-package function or method a call runs, when declarations tell."""
        f = call.child_by_field_name("function")
        if steps > _MAX_RESOLVE_STEPS:
            return None
        if f is None:
            return None
        if f.type == "identifier":
            name = text(f)
            if name not in self.types.funcs:
                return None  # no package function of that name, whatever the name resolves to
            root, _, _ = self.lookup(fn, name)
            return self.types.funcs.get(name) if root is None else None
        if f.type == "selector_expression":
            method = text(f.child_by_field_name("field"))
            if method not in self._method_names():
                return None  # no method of that name in the package: the receiver's type cannot matter
            recv = self.expr_type(fn, f.child_by_field_name("operand"), steps + 1)
            rname = named(recv)
            if rname is None:
                return None
            return self.types.funcs.get(f"{rname}.{method}")
        return None

    def _method_names(self) -> set:
        # built on first use: the package's functions are all collected by then
        if self._methods is None:
            self._methods = {k.split(".", 1)[1] for k in self.types.funcs if "." in k}
        return self._methods


_DECLS_Q = """
[(short_var_declaration) (var_spec) (range_clause) (func_literal)] @d
"""


def _params_of(plist) -> list:
    out = []
    for p in plist.named_children if plist is not None else ():
        if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        t = p.child_by_field_name("type")
        names = p.children_by_field_name("name")
        if not names:
            out.append(("", t))
        for n in names:
            out.append((text(n), t))
    return out


def _results_of(fn_node) -> list:
    r = fn_node.child_by_field_name("result")
    if r is None:
        return []
    if r.type == "parameter_list":
        return [t for _, t in _params_of(r)]
    return [r]


def collect_functions(types: PackageTypes, files, captures) -> None:
    """Every function of the package with its receiver, parameters and the
    locals its own body declares (a literal's locals are its own; its free
    variables resolve through ``outer``)."""
    for f in files:
        stack: list[Func] = []
        for node in f.nodes("func"):  # source order, outer before inner
            while stack and stack[-1].node.end_byte <= node.start_byte:
                stack.pop()
            body = node.child_by_field_name("body")
            key = None
            fn = Func(node=node, file=f, key=None, body=body, outer=stack[-1] if stack else None)
            if node.type == "function_declaration":
                key = text(node.child_by_field_name("name"))
            elif node.type == "method_declaration":
                recv = _params_of(node.child_by_field_name("receiver"))
                if recv:
                    fn.recv_name, fn.recv_type = recv[0]
                    rname = named(fn.recv_type)
                    if rname is not None:
                        key = f"{rname}.{text(node.child_by_field_name('name'))}"
            fn.key = key
            if key is not None and key not in types.funcs:
                types.funcs[key] = fn
            types.all_funcs.append(fn)
            fn._captures = captures  # its locals are bound when first looked up (Func.env)
            stack.append(fn)


def _bind_locals(fn: Func, body, captures) -> None:
    skip_until = -1
    for d in captures(_DECLS_Q, body).get("d", []):
        if d.start_byte < skip_until:
            continue
        if d.type == "func_literal":
            skip_until = d.end_byte  # its declarations are its own
            continue
        if d.type == "short_var_declaration":
            bind_assignment(fn.env, d.child_by_field_name("left"), d.child_by_field_name("right"))
        elif d.type == "var_spec":
            _bind_spec(fn.env, d)
        elif d.type == "range_clause":
            left, right = d.child_by_field_name("left"), d.child_by_field_name("right")
            names = [c for c in left.named_children] if left is not None else []
            if right is None:
                continue
            # for k, v := range m: v is the element; a channel's single var is too
            if len(names) == 2 and names[1].type == "identifier":
                _bind(fn.env, text(names[1]), ("range", right))
            if names and names[0].type == "identifier":
                _bind(fn.env, text(names[0]), ("rangekey", right))
