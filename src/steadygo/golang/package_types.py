"""Declared types across the files of one package.

Rules ask "is this expression a ``*sql.Rows``?" and the answer must come from
the declarations, not from the asking file's import list: ``db`` may be a
``var db *sql.DB`` in another file, ``s.db`` a field of a struct declared
elsewhere, ``r.rows(ctx)`` a method in another file returning
``(*sql.Rows, error)``.  This module reads the package-level declarations of
every file (vars, consts, type declarations with their struct fields and
aliases, functions and methods with their parameters and results) and the
local declarations of a function, each resolved through the imports of the
file that declares it.

Types are plain strings, so rules compare them without importing anything:
``"*database/sql.Rows"`` (import path, '.', name, a leading ``*`` per
pointer), ``"Repo"`` for a type declared in the package itself (no path, so a
package of the same name elsewhere never matches), ``"error"`` / ``"string"``
for predeclared types.  Slices, maps, channels, function types and anything
not understood are ``None``: the engine does not guess.  Generic types count
as their base type (``List[T]`` is ``List``); type parameters are unknown, and
so are names a dot import brings in.  Library signatures are known only for
the few calls in ``_EXTERNAL_CALLS`` (database/sql, sqlx, pgx, net/http,
context): there are no declarations of other modules to read.

The questions, on ``pkg.types`` (one ``PackageTypes`` per Package):
``type_of(file, expr)``, ``results_of(file, call)``, ``declaration_of(file,
ident)`` (the variable a name refers to: the identity of ``mu`` or ``cancel``),
``field_type(owner, name)``, ``method_results(owner, name)``; and the module
functions ``is_named(t, "sync", "Mutex")`` (pointer or not), ``base(t)``.

Everything is computed on demand and memoised: a package whose rules never
ask pays nothing but the first-use scan of its top-level declarations.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from steadygo.golang.parse import captures, text, unparen

# Results of the few library calls the rules ask about; the engine has no
# declarations for other modules, so these are stated here, one line each.
# (receiver base type or package path, member) -> result types
_EXTERNAL_CALLS: dict[tuple[str, str], tuple[str, ...]] = {}


def _calls(owner: str, names: tuple[str, ...], results: tuple[str, ...]) -> None:
    for n in names:
        _EXTERNAL_CALLS[(owner, n)] = results


_SQL = "database/sql"
_SQLX = "github.com/jmoiron/sqlx"
_HTTP = "net/http"
for _h in (f"{_SQL}.DB", f"{_SQL}.Conn", f"{_SQL}.Tx", f"{_SQLX}.DB", f"{_SQLX}.Tx", f"{_SQLX}.Conn"):
    _calls(_h, ("Query", "QueryContext"), (f"*{_SQL}.Rows", "error"))
    _calls(_h, ("QueryRow", "QueryRowContext"), (f"*{_SQL}.Row",))
    _calls(_h, ("Prepare", "PrepareContext"), (f"*{_SQL}.Stmt", "error"))
for _h in (f"{_SQL}.DB", f"{_SQL}.Conn", f"{_SQLX}.DB"):
    _calls(_h, ("Begin", "BeginTx"), (f"*{_SQL}.Tx", "error"))
_calls(f"{_SQL}.Stmt", ("Query", "QueryContext"), (f"*{_SQL}.Rows", "error"))
_calls(f"{_SQL}.DB", ("Conn",), (f"*{_SQL}.Conn", "error"))
_calls(_SQL, ("Open", "OpenDB"), (f"*{_SQL}.DB", "error"))
for _h in (f"{_SQLX}.DB", f"{_SQLX}.Tx"):
    _calls(_h, ("Queryx", "QueryxContext", "NamedQuery", "NamedQueryContext"), (f"*{_SQLX}.Rows", "error"))
    _calls(_h, ("Preparex", "PreparexContext"), (f"*{_SQLX}.Stmt", "error"))
    _calls(_h, ("PrepareNamed", "PrepareNamedContext"), (f"*{_SQLX}.NamedStmt", "error"))
_calls(f"{_SQLX}.DB", ("Beginx", "BeginTxx"), (f"*{_SQLX}.Tx", "error"))
_calls(f"{_SQLX}.DB", ("MustBegin", "MustBeginTx"), (f"*{_SQLX}.Tx",))
_calls(_SQLX, ("Open", "Connect", "ConnectContext"), (f"*{_SQLX}.DB", "error"))
_calls(_SQLX, ("MustOpen", "MustConnect", "NewDb"), (f"*{_SQLX}.DB",))
_calls(f"{_HTTP}.Client", ("Get", "Head", "Post", "PostForm", "Do"), (f"*{_HTTP}.Response", "error"))
_calls(f"{_HTTP}.Transport", ("RoundTrip",), (f"*{_HTTP}.Response", "error"))
_calls(_HTTP, ("Get", "Head", "Post", "PostForm"), (f"*{_HTTP}.Response", "error"))
for _v in ("github.com/jackc/pgx/v4", "github.com/jackc/pgx/v5"):
    for _h in (f"*{_v}.Conn", f"*{_v}/pgxpool.Pool", f"*{_v}/pgxpool.Conn", f"{_v}.Tx"):
        _calls(_h.lstrip("*"), ("Query",), (f"{_v}.Rows", "error"))
    for _h in (f"{_v}.Conn", f"{_v}/pgxpool.Pool", f"{_v}/pgxpool.Conn"):
        _calls(_h, ("Begin", "BeginTx"), (f"{_v}.Tx", "error"))
_calls(_HTTP, ("NewRequest", "NewRequestWithContext"), (f"*{_HTTP}.Request", "error"))
_calls("context", ("WithCancel", "WithTimeout", "WithDeadline"), ("context.Context", "context.CancelFunc"))
_calls("context", ("WithCancelCause",), ("context.Context", "context.CancelCauseFunc"))
_calls("context", ("Background", "TODO", "WithValue", "WithoutCancel"), ("context.Context",))
_calls("bytes", ("NewBuffer", "NewBufferString"), ("*bytes.Buffer",))

# Package-level values of other packages: (path, name) -> type
_EXTERNAL_VALUES = {(_HTTP, "DefaultClient"): f"*{_HTTP}.Client", (_HTTP, "DefaultTransport"): f"{_HTTP}.RoundTripper"}

_PREDECLARED = frozenset(
    "bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string "
    "uint uint8 uint16 uint32 uint64 uintptr any comparable".split())

# Local declarations of a function: one query per top-level function.
_LOCAL_Q = """
(parameter_declaration name: (identifier) @param)
(short_var_declaration left: (expression_list (identifier) @short))
(var_spec name: (identifier) @var)
(const_spec name: (identifier) @var)
(variadic_parameter_declaration name: (identifier) @other)
(range_clause left: (expression_list (identifier) @other))
(receive_statement left: (expression_list (identifier) @other))
(type_switch_statement alias: (expression_list (identifier) @other))
"""
_SCOPES = frozenset({"block", "func_literal", "function_declaration", "method_declaration", "for_statement",
                     "if_statement", "expression_switch_statement", "type_switch_statement", "expression_case",
                     "type_case", "default_case", "communication_case", "select_statement"})
_MAX_DEPTH = 12  # resolution steps for one question: alias chains, x := y := f() ...


def base(t: str | None) -> str | None:
    """The named type under any pointers: ``*database/sql.Rows`` -> ``database/sql.Rows``."""
    return t.lstrip("*") if t else t


def is_named(t: str | None, path: str, *names: str) -> bool:
    """``t`` is ``path.Name`` (or a pointer to it) for one of ``names``."""
    b = base(t)
    if not b or "." not in b:
        return False
    p, _, n = b.rpartition(".")
    return p == path and (not names or n in names)


def from_prefix(t: str | None, prefixes: tuple[str, ...]) -> bool:
    """``t`` is a type of a package at or under one of the import paths."""
    b = base(t)
    if not b or "." not in b:
        return False
    p = b.rpartition(".")[0]
    return any(p == x or p.startswith(x + "/") for x in prefixes)


@dataclass(frozen=True)
class Decl:
    """Where a name is declared.  kind: 'param' (parameters, receivers and
    named results), 'short' (``:=``), 'var' (var/const spec), 'other' (range,
    receive, type-switch alias: type not tracked), 'package' (package-level
    var or const).  ``node`` is the declared name's identifier."""

    kind: str
    file: object
    node: object

    @property
    def statement(self):
        """The declaring statement or spec (the parameter declaration for a param)."""
        n = self.node.parent
        while n is not None and n.type == "expression_list":
            n = n.parent
        return n

    @property
    def value(self):
        """The expression assigned to this name where it is declared, when it
        has one of its own (``c := http.DefaultClient``, ``var db = open()``);
        None for parameters and for ``a, b := f()``."""
        stmt = self.statement
        if stmt is None or self.kind not in ("short", "var", "package"):
            return None
        left = stmt.child_by_field_name("left") if stmt.type == "short_var_declaration" else None
        names = left.named_children if left is not None else stmt.children_by_field_name("name")
        value = stmt.child_by_field_name("right" if left is not None else "value")
        if value is None:
            return None
        values = value.named_children if value.type == "expression_list" else [value]
        idx = next((i for i, n in enumerate(names) if n.id == self.node.id), -1)
        return values[idx] if 0 <= idx < len(values) and len(values) == len(names) else None


class PackageTypes:
    """The declared types of one package (see module docstring)."""

    def __init__(self, pkg):
        # A proxy, not the package: a Package -> PackageTypes -> Package cycle
        # would leave every package's trees to the cyclic collector, which
        # counts objects, not the megabytes of C trees behind them (the peak
        # RSS of a GOROOT scan went from 98 to 144 MB).
        self.pkg = weakref.proxy(pkg)
        self._scanned = False
        self._types: dict[str, tuple] = {}  # type name -> (file, type_spec or type_alias node)
        self._vars: dict[str, tuple] = {}  # package var/const name -> (file, name node)
        self._funcs: dict[str, tuple] = {}  # function name -> (file, node)
        self._methods: dict[tuple[str, str], tuple] = {}  # (receiver type, method) -> (file, node)
        self._locals: dict[int, dict] = {}  # top-level function node id -> name -> [(from, start, end, Decl)]
        self._decl_types: dict[int, str | None] = {}
        self._results: dict[int, tuple] = {}
        self._uses: dict[tuple, re.Pattern | None] = {}
        self._returning: dict[object, list[str]] = {}
        self._file_uses: dict[tuple, bool] = {}
        self._structs: dict[str, tuple[dict, list]] = {}

    # --- the questions rules ask --------------------------------------------

    def type_of(self, file, node, _depth: int = 0) -> str | None:
        """The type of an expression (see module docstring), or None."""
        node = unparen(node)
        if node is None or _depth > _MAX_DEPTH:
            return None
        t = node.type
        d = _depth + 1
        if t == "identifier":
            decl = self.declaration_of(file, node)
            return self.decl_type(decl, d) if decl is not None else None
        if t == "selector_expression":
            operand = unparen(node.child_by_field_name("operand"))
            field = text(node.child_by_field_name("field"))
            path = self._package_qualifier(file, operand)
            if path is not None:
                return _EXTERNAL_VALUES.get((path, field))
            return self.field_type(self.type_of(file, operand, d), field, d)
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments").named_children
            if fn is not None and fn.type == "identifier" and text(fn) == "new" and len(args) == 1:
                return self._new_of(file, args[0], d)  # new(bytes.Buffer)
            res = self.results_of(file, node, d)
            return res[0] if res else None
        if t == "unary_expression":
            op = text(node.child_by_field_name("operator"))
            inner = self.type_of(file, node.child_by_field_name("operand"), d)
            if inner is None:
                return None
            if op == "&":
                return "*" + inner
            if op == "*":
                return inner[1:] if inner.startswith("*") else None
            return None
        if t == "composite_literal":
            return self.resolve_type(file, node.child_by_field_name("type"), d)
        if t == "type_assertion_expression":
            return self.resolve_type(file, node.child_by_field_name("type"), d)
        return None

    def results_of(self, file, call, _depth: int = 0) -> tuple[str | None, ...] | None:
        """The result types of a call, or None when the callee is unknown."""
        if _depth > _MAX_DEPTH or call.type != "call_expression":
            return None
        memo = self._results.get(call.id)
        if memo is not None:
            return memo or None
        fn = unparen(call.child_by_field_name("function"))
        out: tuple = ()
        d = _depth + 1
        if fn is not None and fn.type == "identifier":
            name = text(fn)
            decl = self.declaration_of(file, fn)
            if decl is None:
                if name == "new":
                    args = call.child_by_field_name("arguments")
                    inner = self.resolve_type(file, args.named_child(0), d) if args is not None and args.named_child_count == 1 else None
                    out = ("*" + inner,) if inner else ()
                elif name in self._scan()._funcs:
                    ffile, fnode = self._funcs[name]
                    out = self._signature_results(ffile, fnode, d)
                elif name in self._types:  # a conversion to a package type
                    out = (self._alias_target(name, d) or name,)
        elif fn is not None and fn.type == "selector_expression":
            operand = unparen(fn.child_by_field_name("operand"))
            method = text(fn.child_by_field_name("field"))
            path = self._package_qualifier(file, operand)
            if path is not None:
                out = _EXTERNAL_CALLS.get((path, method), ())
            else:
                out = self.method_results(self.type_of(file, operand, d), method, d) or ()
        elif fn is not None and fn.type == "generic_type":  # f[int](x)
            inner = fn.child_by_field_name("type")
            if inner is not None and text(inner) in self._scan()._funcs:
                ffile, fnode = self._funcs[text(inner)]
                out = self._signature_results(ffile, fnode, d)
        self._results[call.id] = out
        return out or None

    def declaration_of(self, file, ident) -> Decl | None:
        """The declaration an identifier refers to: the innermost local one
        visible at that point, else the package-level var or const; None for
        functions, types, imports and names declared nowhere in the package."""
        name = text(ident)
        funcs = self.pkg.functions(file)
        top = None
        for fi in funcs.enclosing_chain(ident):
            top = fi.node
        if top is not None:
            best = None
            at = ident.start_byte
            for visible, start, end, decl in self._local_index(file, top).get(name, ()):
                if decl.node.id == ident.id:
                    return decl  # the declaring name itself
                if visible <= at and start <= at < end and (best is None or visible >= best[0]):
                    best = (visible, decl)
            if best is not None:
                return best[1]
        entry = self._scan()._vars.get(name)
        if entry is None or file.imports.path_of(name) is not None:
            return None  # in this file the name is its import
        return Decl("package", entry[0], entry[1])

    def decl_type(self, decl: Decl, _depth: int = 0) -> str | None:
        """The declared (or inferred) type of a declaration."""
        key = decl.node.id
        if key in self._decl_types:
            return self._decl_types[key]
        self._decl_types[key] = None  # a cycle (x = y; y = x) resolves to unknown
        out = self._decl_type(decl, _depth + 1) if _depth <= _MAX_DEPTH else None
        self._decl_types[key] = out
        return out

    def field_type(self, owner: str | None, field: str, _depth: int = 0) -> str | None:
        """The type of ``x.field`` for ``x`` of type ``owner`` (a package
        struct, fields of embedded package structs included)."""
        seen = set()
        todo = [base(owner)]
        while todo and _depth <= _MAX_DEPTH:
            name = todo.pop(0)
            if not name or "." in name or name in seen:
                continue
            seen.add(name)
            fields, embedded = self._struct(name)
            if field in fields:
                f, tnode = fields[field]
                return self.resolve_type(f, tnode, _depth + 1)
            todo.extend(base(t) for t in embedded)
            _depth += 1
        return None

    def method_results(self, owner: str | None, method: str, _depth: int = 0) -> tuple | None:
        """Result types of ``x.method(...)`` for ``x`` of type ``owner``:
        methods of package types (promoted ones included) and the few library
        methods in ``_EXTERNAL_CALLS``."""
        todo = [base(owner)]
        seen = set()
        while todo and _depth <= _MAX_DEPTH:
            name = todo.pop(0)
            if not name or name in seen:
                continue
            seen.add(name)
            if "." in name:
                res = _EXTERNAL_CALLS.get((name, method))
                if res is not None:
                    return res
                continue
            entry = self._scan()._methods.get((name, method))
            if entry is not None:
                return self._signature_results(entry[0], entry[1], _depth + 1)
            target = self._alias_target(name, _depth + 1)
            if target is not None:
                todo.append(base(target))
            todo.extend(base(t) for t in self._struct(name)[1])
            _depth += 1
        return None

    def _new_of(self, file, arg, depth: int) -> str | None:
        """``new(T)``: T parses as a type or, when it could be a value, as an
        expression (``bytes.Buffer`` a selector, ``Repo`` an identifier)."""
        arg = unparen(arg)
        if arg is not None and arg.type == "selector_expression":
            q = file.qualified(arg)
            return f"*{q[0]}.{q[1]}" if q is not None and q[0] != "." else None
        if arg is not None and arg.type == "identifier":
            name = text(arg)
            return "*" + name if name in self._scan()._types or name in _PREDECLARED else None
        inner = self.resolve_type(file, arg, depth)
        return "*" + inner if inner is not None else None

    def resolve_type(self, file, tnode, _depth: int = 0) -> str | None:
        """A type expression, resolved through ``file``'s imports and the
        package's aliases."""
        stars = ""
        while tnode is not None and _depth <= _MAX_DEPTH:
            t = tnode.type
            if t == "pointer_type":
                stars += "*"
                tnode = tnode.named_child(0)
            elif t in ("parenthesized_type", "type_elem"):
                tnode = tnode.named_child(0)
            elif t == "generic_type":
                tnode = tnode.child_by_field_name("type")
            elif t == "qualified_type":
                path = file.imports.path_of(text(tnode.child_by_field_name("package")))
                return stars + path + "." + text(tnode.child_by_field_name("name")) if path else None
            elif t == "type_identifier":
                name = text(tnode)
                target = self._alias_target(name, _depth + 1)
                if target is not None:
                    return stars + target
                if name in self._scan()._types or name in _PREDECLARED:
                    return stars + name
                return None  # a type parameter, or a name from a dot import
            else:
                return None
            _depth += 1
        return None

    def uses_types_from(self, file, prefixes: tuple[str, ...]) -> bool:
        """The file may reach a type of those packages through the package's
        declarations (a var, field, function result, method result or alias
        whose type is from them), though it need not import them itself.  A
        cheap gate: a word search for those declarations' names."""
        pattern = self._uses.get(prefixes, False)
        if pattern is False:
            pattern = None
            # no declaration can name a type of a package no file imports
            if any(f.imports.imports_any_prefix(prefixes) for f in self.pkg.files):
                names = self._names_typed_from(prefixes)
                if names:
                    pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
            self._uses[prefixes] = pattern
        if pattern is None:
            return False
        key = (file.path, prefixes)
        hit = self._file_uses.get(key)
        if hit is None:
            hit = self._file_uses[key] = pattern.search(file.source) is not None
        return hit

    def functions_returning(self, predicate) -> frozenset[str]:
        """Names of the package's functions and methods one of whose results
        satisfies ``predicate`` (a test on a type string): the callee names
        to look a rule's candidate calls up by."""
        out = set()
        self._scan()
        for name, (f, node) in self._funcs.items():
            if any(predicate(t) for t in self._signature_results(f, node)):
                out.add(name)
        for (_, name), (f, node) in self._methods.items():
            if any(predicate(t) for t in self._signature_results(f, node)):
                out.add(name)
        return frozenset(out)

    def calls_returning(self, file, predicate) -> list:
        """Calls in ``file`` of the package's own functions and methods whose
        declared first result satisfies ``predicate`` (``rows, err :=
        r.listRows(ctx)`` with ``listRows`` returning ``(*sql.Rows, error)``
        in some file of the package), in source order."""
        names = self._returning.get(predicate)
        if names is None:
            names = self._returning[predicate] = sorted(self.functions_returning(predicate))
        if not names:
            return []
        out = []
        for c in self.pkg.calls_in(file, *names):
            res = self.results_of(file, c)
            if res and predicate(res[0]):
                out.append(c)
        return out

    # --- declarations ---------------------------------------------------------

    def _scan(self) -> "PackageTypes":
        if self._scanned:
            return self
        self._scanned = True
        for f in self.pkg.files:
            for decl in f.root.named_children:
                t = decl.type
                if t == "function_declaration":
                    self._funcs.setdefault(text(decl.child_by_field_name("name")), (f, decl))
                elif t == "method_declaration":
                    recv = _receiver_type(decl)
                    if recv:
                        self._methods.setdefault((recv, text(decl.child_by_field_name("name"))), (f, decl))
                elif t == "type_declaration":
                    for spec in decl.named_children:
                        if spec.type in ("type_spec", "type_alias"):
                            self._types.setdefault(text(spec.child_by_field_name("name")), (f, spec))
                elif t in ("var_declaration", "const_declaration"):
                    for spec in _specs(decl):
                        for n in spec.children_by_field_name("name"):
                            self._vars.setdefault(text(n), (f, n))
        return self

    def _decl_type(self, decl: Decl, depth: int) -> str | None:
        stmt = decl.statement
        if stmt is None or decl.kind == "other":
            return None
        f = decl.file
        if decl.kind == "param":
            return self.resolve_type(f, stmt.child_by_field_name("type"), depth)
        tnode = stmt.child_by_field_name("type")  # var x T = ...
        if tnode is not None:
            return self.resolve_type(f, tnode, depth)
        left = stmt.child_by_field_name("left") if stmt.type == "short_var_declaration" else None
        names = left.named_children if left is not None else stmt.children_by_field_name("name")
        value = stmt.child_by_field_name("right" if left is not None else "value")
        if value is None:
            return None
        values = value.named_children if value.type == "expression_list" else [value]
        idx = next((i for i, n in enumerate(names) if n.id == decl.node.id), -1)
        if idx < 0:
            return None
        if len(values) == len(names):
            if stmt.type == "const_spec":
                return None  # untyped constants: their type is the use's
            return self.type_of(f, values[idx], depth)
        if len(values) == 1 and unparen(values[0]) is not None and unparen(values[0]).type == "call_expression":
            res = self.results_of(f, unparen(values[0]), depth)
            return res[idx] if res and idx < len(res) else None
        return None

    def _local_index(self, file, top) -> dict:
        idx = self._locals.get(top.id)
        if idx is not None:
            return idx
        idx = self._locals[top.id] = {}
        for kind, nodes in captures(_LOCAL_Q, top).items():
            for n in nodes:
                if n.end_byte - n.start_byte == 1 and text(n) == "_":
                    continue  # the blank identifier declares nothing
                scope = _scope_of(n, kind)
                if scope is None:
                    continue
                if kind == "param":
                    visible = scope.start_byte
                else:  # visible after its declaration: ``x := f(x)`` reads the outer x
                    stmt = n.parent.parent if n.parent.type == "expression_list" else n.parent
                    visible = stmt.end_byte if kind != "other" else n.end_byte
                idx.setdefault(text(n), []).append((visible, scope.start_byte, scope.end_byte, Decl(kind, file, n)))
        return idx

    def _struct(self, name: str) -> tuple[dict, list]:
        """(field name -> (file, type node), embedded types) of a package struct."""
        out = self._structs.get(name)
        if out is None:
            out = self._structs[name] = ({}, [])  # a struct embedding itself ends here
            fields, embedded = self._read_struct(name)
            out[0].update(fields)
            out[1].extend(embedded)
        return out

    def _read_struct(self, name: str) -> tuple[dict, list]:
        entry = self._scan()._types.get(name)
        if entry is None or entry[1].type != "type_spec":
            return {}, []
        f, spec = entry
        st = spec.child_by_field_name("type")
        if st is None or st.type != "struct_type":
            return {}, []
        fields: dict = {}
        embedded: list = []
        body = next((c for c in st.named_children if c.type == "field_declaration_list"), None)
        for fd in body.named_children if body is not None else ():
            if fd.type != "field_declaration":
                continue
            tnode = fd.child_by_field_name("type")
            names = fd.children_by_field_name("name")
            for n in names:
                fields[text(n)] = (f, tnode)
            if not names and tnode is not None:
                t = self.resolve_type(f, tnode)
                if t is not None:
                    embedded.append(t)
                    fields.setdefault(base(t).rpartition(".")[2], (f, tnode))
        return fields, embedded

    def _alias_target(self, name: str, depth: int) -> str | None:
        """What ``type Name = T`` stands for, or for ``type Name T`` with T a
        pointer (``type DB *sql.DB``) nothing: only aliases are the same type."""
        entry = self._scan()._types.get(name)
        if entry is None or entry[1].type != "type_alias" or depth > _MAX_DEPTH:
            return None
        f, spec = entry
        return self.resolve_type(f, spec.child_by_field_name("type"), depth + 1)

    def _signature_results(self, file, fn_node, depth: int = 0) -> tuple:
        key = fn_node.id
        memo = self._results.get(key)
        if memo is not None:
            return memo
        self._results[key] = ()  # recursion through the declarations resolves to unknown
        res = fn_node.child_by_field_name("result")
        out: list = []
        if res is not None and res.type == "parameter_list":
            for p in res.named_children:
                if p.type != "parameter_declaration":
                    continue
                t = self.resolve_type(file, p.child_by_field_name("type"), depth)
                out.extend([t] * max(1, len(p.children_by_field_name("name"))))
        elif res is not None:
            out.append(self.resolve_type(file, res, depth))
        self._results[key] = tuple(out)
        return self._results[key]

    def _names_typed_from(self, prefixes: tuple[str, ...]) -> set[str]:
        self._scan()
        hit = lambda t: from_prefix(t, prefixes)  # noqa: E731
        names = set(self.functions_returning(hit))
        for name, (f, n) in self._vars.items():
            if hit(self.decl_type(Decl("package", f, n))):
                names.add(name)
        for name, (f, spec) in self._types.items():
            if spec.type == "type_alias" and hit(self._alias_target(name, 0)):
                names.add(name)
            fields, embedded = self._struct(name)
            for fname, (ff, tnode) in fields.items():
                if hit(self.resolve_type(ff, tnode)):
                    names.add(fname)
            if any(hit(t) for t in embedded):
                names.add(name)  # ``s.Query(...)`` on ``type Store struct{ *sql.DB }`` names no field
        return names

    def _package_qualifier(self, file, operand) -> str | None:
        """The import path when ``operand`` names an import of ``file`` (and
        no local declaration shadows it)."""
        if operand is None or operand.type != "identifier":
            return None
        path = file.imports.path_of(text(operand))
        if path is None:
            return None
        return path if self.declaration_of(file, operand) is None else None


def _specs(decl):
    for c in decl.named_children:
        if c.type in ("var_spec", "const_spec"):
            yield c
        elif c.type in ("var_spec_list", "const_spec_list"):
            yield from (x for x in c.named_children if x.type in ("var_spec", "const_spec"))


def _receiver_type(method) -> str:
    r = method.child_by_field_name("receiver")
    p = next((c for c in r.named_children if c.type == "parameter_declaration"), None) if r is not None else None
    t = p.child_by_field_name("type") if p is not None else None
    while t is not None and t.type in ("pointer_type", "parenthesized_type", "generic_type"):
        t = t.child_by_field_name("type") if t.type == "generic_type" else t.named_child(0)
    return text(t) if t is not None and t.type == "type_identifier" else ""


def _scope_of(name_node, kind: str):
    node = name_node.parent
    if kind == "param":
        # parameter_declaration -> parameter_list -> function, method or literal
        fn = node.parent.parent if node.parent is not None else None
        return fn
    while node is not None and node.type not in _SCOPES:
        node = node.parent
    return node
