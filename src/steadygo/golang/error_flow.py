"""Where errors go and where they come from, for the %v-versus-%w question.

Formatting an error with ``%v`` only breaks something when someone later asks
the chain a question: ``errors.Is``/``errors.As`` (or a type assertion, or a
module function that does one of those on its parameter) on the result of the
function that formatted it, or the formatted value came from a producer whose
errors are sentinels upstream code is known to test for (``ctx.Err()``,
io/os/net/sql calls, a package-level ``ErrX``).  Everything else is an error
message: nobody can tell ``%v`` from ``%w`` there.

Module-wide answers come from the engine's facts pass (topic ``errors``):
each package records, as plain strings,

* ``error_checks``: ``"checker>callee"``: the error result of ``callee`` is
  handed to ``checker`` (``errors.Is``, ``errors.As``, ``assert`` for a type
  assertion or type switch, or any module function: a possible wrapper);
* ``error_inspectors``: module functions that run errors.Is/As or a type
  assertion on one of their error parameters (the wrappers);
* ``error_returns``: ``"G<F"``: G returns the error F gave it (as is, or
  wrapped with %w), so whoever inspects G's error inspects F's too.

Functions are keyed by name: ``pkgname.Func`` for functions, ``.Method`` for
methods (the receiver's type is rarely known at the call), so two functions
of the same name in one module share a verdict (over-reports, never misses).
"""

from __future__ import annotations

import re

from steadygo.golang.error_checks import ERR_NAME, is_err_name, is_error_call, method_and_operand
from steadygo.golang.frameworks import SQL_DRIVERS
from steadygo.golang.log_calls import LOG_METHODS
from steadygo.golang.package_types import base
from steadygo.golang.parse import string_value, text, unparen

# The library checks that look into a chain (os.IsNotExist & co. unwrap
# *PathError only, but what they test for is a sentinel all the same).
LIBRARY_CHECKERS = frozenset({"errors.Is", "errors.As", "assert", "os.IsNotExist", "os.IsExist", "os.IsPermission",
                              "os.IsTimeout"})
_LIBRARY_CALLS = {("errors", "Is"): "errors.Is", ("errors", "As"): "errors.As", ("os", "IsNotExist"): "os.IsNotExist",
                  ("os", "IsExist"): "os.IsExist", ("os", "IsPermission"): "os.IsPermission",
                  ("os", "IsTimeout"): "os.IsTimeout"}

_LIBRARY_NAMES = frozenset(name for _, name in _LIBRARY_CALLS)

# Producers whose errors carry sentinels callers test for: context errors,
# io.EOF/ErrUnexpectedEOF, fs.ErrNotExist, net.ErrClosed and timeouts, an
# HTTP client's wrapped context errors, sql.ErrNoRows/ErrTxDone, and the SQL
# drivers' ErrNoRows.  Exact packages: net/netip, net/url and friends parse,
# and a parse error carries no sentinel.
SENTINEL_PACKAGES = ("context", "io", "io/fs", "io/ioutil", "os", "os/exec", "net", "net/http", "database/sql",
                     "bufio", "syscall")
_SENTINEL_PREFIXES = tuple(p for p in SQL_DRIVERS if p != "database/sql")
# net/http constructors parse, they do not fail with a sentinel.
_NOT_SENTINEL_CALLS = frozenset({("net/http", "NewRequest"), ("net/http", "NewRequestWithContext"),
                                 ("net/http", "ReadRequest"), ("net/http", "ReadResponse")})
_SENTINEL_NAME = re.compile(r"^[Ee]rr[A-Z0-9_]\w*$")
# Callees that take an error but never test it: formatting, logging, joining.
_NOT_WRAPPERS = ("fmt.", "log.", "errors.New", "errors.Join", "slog.", "zap.", "logrus.", "strings.", "strconv.")
# one query, one walk: type assertions/switches on a value, and returns
_ERRORF_W = re.compile(r"%w")


def _package_name(path: str) -> str:
    parts = path.split("/")
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    return last.split(".")[0].replace("-", "_")


def callee_key(file, call) -> str | None:
    """The name key of a called function: ``pkg.F`` or ``.M``."""
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return None
    if fn.type == "identifier":
        return f"{file.package_name}.{text(fn)}"
    if fn.type != "selector_expression":
        return None
    operand = fn.child_by_field_name("operand")
    name = text(fn.child_by_field_name("field"))
    if operand is not None and operand.type == "identifier":
        path = file.package_of(operand)
        if path is not None:
            return _LIBRARY_CALLS.get((path, name)) or f"{_package_name(path)}.{name}"
    return f".{name}"


def function_key(file, fi) -> str | None:
    """The key callers use for a declared function (None for literals)."""
    if fi is None or not fi.name:
        return None
    return f".{fi.name}" if fi.receiver_type else f"{file.package_name}.{fi.name}"


def named_function(funcs, node):
    """The innermost declared (named) function around node."""
    return next((fi for fi in funcs.enclosing_chain(node) if fi.name), None)


def _error_sources(pkg, fi, node) -> list:
    """The calls an error expression came from: itself when a call, else
    the latest call assigned to the identifier before ``node`` in a scope
    that holds ``node`` (``if err := A(); ...`` does not feed a later
    ``if err := B(); errors.Is(err, ...)``)."""
    node = unparen(node)
    if node is None:
        return []
    if node.type == "call_expression":
        return [node]
    rhs = reaching_value(pkg, fi, node)
    return [rhs] if rhs is not None and rhs.type == "call_expression" else []


_STMT_SCOPES = frozenset({"block", "if_statement", "for_statement", "expression_switch_statement",
                          "type_switch_statement", "expression_case", "default_case", "type_case",
                          "communication_case", "select_statement", "func_literal", "source_file"})


def reaching_value(pkg, fi, ident):
    """The right-hand side last assigned to ``ident`` before it, among the
    assignments whose scope holds it (flow-insensitive within that scope),
    or None."""
    if ident is None or ident.type != "identifier" or fi is None or fi.body is None:
        return None
    best = None
    for rhs in pkg.assigned_from(fi.body, text(ident)):
        if rhs.start_byte >= ident.start_byte:
            continue
        stmt = rhs.parent
        while stmt is not None and stmt.type not in ("assignment_statement", "short_var_declaration", "var_spec"):
            stmt = stmt.parent
        scope = stmt.parent if stmt is not None else None
        while scope is not None and scope.type not in _STMT_SCOPES:
            scope = scope.parent
        if scope is None and fi.body is not None:
            scope = fi.body
        if scope is not None and not (scope.start_byte <= ident.start_byte < scope.end_byte):
            continue
        if best is None or rhs.start_byte > best.start_byte:
            best = rhs
    return unparen(best) if best is not None else None


def package_error_flow(pkg) -> tuple[list[str], list[str], list[str]]:
    """(checks, inspectors, returns) of one package, for the facts pass:
    one pass over each file's calls (the shared node list) and one query for
    its type assertions and returns."""
    checks: set[str] = set()
    inspectors: set[str] = set()
    returns: set[str] = set()
    for file in pkg.files:
        if b"err" not in file.source:
            continue
        funcs = pkg.functions(file)
        params: dict[int, set[str]] = {}

        def owner(node):
            fi = named_function(funcs, node)
            if fi is None or fi.body is None:
                return None, None, None
            if fi.node.id not in params:
                params[fi.node.id] = {p.name for p in fi.params
                                      if p.name and (p.type_text == "error" or ERR_NAME.match(p.name))}
            return fi, function_key(file, fi), params[fi.node.id]

        for call in file.nodes("call"):
            args = call.child_by_field_name("arguments")
            if args is None:
                continue
            first = next((unparen(x) for x in args.named_children
                          if x.type == "identifier" and ERR_NAME.match(text(x)) or x.type == "call_expression"), None)
            if first is None:
                continue
            fn = call.child_by_field_name("function")
            if not is_err_name(first) and not (fn.type == "selector_expression" and
                                               text(fn.child_by_field_name("field")) in _LIBRARY_NAMES):
                continue  # a call's result handed to anything but errors.Is/As & co.
            checker = callee_key(file, call)
            if checker is None:
                continue
            library = checker in LIBRARY_CHECKERS
            if not library and (not is_err_name(first) or checker.startswith(_NOT_WRAPPERS)
                                or checker.rpartition(".")[2] in LOG_METHODS):
                continue  # formatting, logging, a call's result: no inspection
            fi, key, err_params = owner(call)
            if key is None:
                continue
            if library and first.type == "identifier" and text(first) in err_params:
                inspectors.add(key)
            for src in _error_sources(pkg, fi, first):
                k = callee_key(file, src)
                if k is not None and k != checker:
                    checks.add(f"{checker}>{k}")
        # From the file's shared node lists, not a query of its own: one
        # walk of the tree serves every consumer.
        asserted = (a.child_by_field_name("operand" if a.type == "type_assertion_expression" else "value")
                    for a in file.nodes("assert"))
        for v in asserted:
            v = unparen(v)
            if v is None or not is_err_name(v):
                continue
            fi, key, err_params = owner(v)
            if key is None:
                continue
            if text(v) in err_params:
                inspectors.add(key)
            for src in _error_sources(pkg, fi, v):
                k = callee_key(file, src)
                if k is not None:
                    checks.add(f"assert>{k}")
        returned = (next((c for c in r.named_children if c.type == "expression_list"), None)
                    for r in file.nodes("return"))
        for r in returned:
            if r is None:
                continue
            if not any(x.type == "call_expression" or is_err_name(x) for x in r.named_children):
                continue  # return nil, n: no error handed on
            fi, key, _ = owner(r)
            if key is None or "error" not in fi.results_text:
                continue
            for e in r.named_children:
                e = unparen(e)
                if e is None:
                    continue
                passed = [e]
                if e.type == "call_expression" and file.call_target(e) == ("fmt", "Errorf"):
                    fargs = e.child_by_field_name("arguments").named_children
                    fmt = string_value(fargs[0]) if fargs else None
                    if fmt is None or not _ERRORF_W.search(fmt):
                        continue
                    passed = [a for a in fargs[1:] if is_err_name(a)]  # wrapped with %w: the chain goes on
                elif not (is_err_name(e) or e.type == "call_expression"):
                    continue
                for x in passed:
                    for src in _error_sources(pkg, fi, x):
                        k = callee_key(file, src)
                        if k is not None and k != key:
                            returns.add(f"{key}<{k}")
    return sorted(checks), sorted(inspectors), sorted(returns)


def inspected_functions(facts) -> frozenset[str]:
    """Keys of the functions whose error result reaches an errors.Is/As
    (directly, through a module wrapper, or returned up to one that does)."""
    checkers = LIBRARY_CHECKERS | set(facts.error_inspectors)
    out = {callee for c in facts.error_checks for checker, _, callee in [c.partition(">")] if checker in checkers}
    by_outer: dict[str, list[str]] = {}
    for r in facts.error_returns:
        outer, _, inner = r.partition("<")
        by_outer.setdefault(outer, []).append(inner)
    todo = list(out)
    while todo:
        for inner in by_outer.get(todo.pop(), ()):
            if inner not in out:
                out.add(inner)
                todo.append(inner)
    return frozenset(out)


def sentinel_source(pkg, file, fi, node) -> str | None:
    """What makes the error ``node`` (an error variable or ``err.Error()``)
    one whose chain upstream code is known to test: the producer's text, or
    None."""
    node = unparen(node)
    if node is None:
        return None
    if is_error_call(node):
        node = unparen(node.child_by_field_name("function").child_by_field_name("operand"))
    if node.type in ("identifier", "selector_expression") and is_sentinel_value(pkg, file, node):
        return text(node)
    if node.type != "identifier":
        return None
    rhs = reaching_value(pkg, fi, node)
    if rhs is None:
        return None
    if rhs.type in ("identifier", "selector_expression") and is_sentinel_value(pkg, file, rhs):
        return text(rhs)
    return _sentinel_producer(pkg, file, rhs) if rhs.type == "call_expression" else None


def _sentinel_producer(pkg, file, call) -> str | None:
    method, operand = method_and_operand(call)
    if method == "Err" and call.child_by_field_name("arguments").named_child_count == 0:
        return text(call)  # ctx.Err(), rows.Err(), scanner.Err()
    target = file.call_target(call)
    if target is not None:
        if target not in _NOT_SENTINEL_CALLS and not target[1].startswith("Parse") and _in_sentinel_package(target[0]):
            return text(call.child_by_field_name("function"))
        return None
    if operand is not None and method:
        t = base(pkg.types.type_of(file, operand))
        if t is not None and "." in t and _in_sentinel_package(t.rpartition(".")[0]):
            return text(call.child_by_field_name("function"))
    return None


def _in_sentinel_package(path: str) -> bool:
    return path in SENTINEL_PACKAGES or any(path == p or path.startswith(p + "/") for p in _SENTINEL_PREFIXES)


def is_sentinel_value(pkg, file, node) -> bool:
    """``ErrNotFound`` / ``errBusy`` declared at package level, or ``pkg.ErrX``."""
    if node.type == "selector_expression":
        operand = node.child_by_field_name("operand")
        name = text(node.child_by_field_name("field"))
        return (operand is not None and operand.type == "identifier" and file.package_of(operand) is not None
                and bool(_SENTINEL_NAME.match(name)))
    if not _SENTINEL_NAME.match(text(node)):
        return False
    d = pkg.types.declaration_of(file, node)
    return d is not None and d.kind == "package"
