"""Where a package starts serving: listen/serve calls, public addresses, main.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.facts import extract_facts, is_loopback_address, resolve_string
from steadygo.golang.parse import ancestors, text
from steadygo.golang.roles import not_a_service

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def is_main(ctx: FileContext) -> bool:
    return ctx.file.package_name == "main"


def is_public(listener) -> bool:
    """A listener that serves traffic from outside the host (a loopback-only
    debug listener, typically pprof on 127.0.0.1:6060, does not)."""
    return not is_loopback_address(listener.addr)


def file_listeners(ctx: FileContext):
    if not_a_service(ctx):
        return []
    return [l for l in extract_facts(ctx.pkg).listeners if l.location.path == ctx.file.relpath and is_public(l)]


_DEBUG_PREFIXES = ("/debug/", "/metrics")


def default_mux_app_routes(pkg) -> int:
    """Routes the package registers on DefaultServeMux (``http.HandleFunc``,
    ``http.Handle``, ``http.DefaultServeMux.Handle...``) other than debug and
    metrics paths.  A path that is not a string literal counts as an app route:
    unknown is not proof of a debug-only mux.  Memoised on the package."""
    return pkg.memo("listeners.default_mux_app_routes", lambda: _count_default_mux_app_routes(pkg))


def _count_default_mux_app_routes(pkg) -> int:
    return sum(1 for path in default_mux_paths(pkg) if path is None or not path.startswith(_DEBUG_PREFIXES))


def default_mux_paths(pkg):
    """The path of every route the package registers on DefaultServeMux
    (None where it is neither a string literal nor a constant)."""
    for f in pkg.files:
        if not f.imports.imports("net/http"):
            continue
        for call in pkg.calls_in(f, "HandleFunc", "Handle"):
            fn = call.child_by_field_name("function")
            if fn is None or fn.type != "selector_expression":
                continue
            operand = fn.child_by_field_name("operand")
            on_default = (operand.type == "identifier" and f.package_of(operand) == "net/http") or (
                operand.type == "selector_expression" and text(operand.child_by_field_name("field")) == "DefaultServeMux"
                and f.package_of(operand.child_by_field_name("operand")) == "net/http")
            if not on_default:
                continue
            args = call.child_by_field_name("arguments")
            first = args.named_child(0) if args is not None and args.named_child_count else None
            yield resolve_string(pkg, f, first) if first is not None else None


def _enabled_test(cond) -> bool:
    """``x != ""``, ``x != 0``, ``x != nil``, ``x > 0``, ``*flag != ""``: the
    shape of "only when the operator configured it"."""
    while cond is not None and cond.type == "parenthesized_expression":
        cond = cond.named_child(0)
    if cond is None or cond.type != "binary_expression":
        return False
    op = cond.child_by_field_name("operator")
    right = cond.child_by_field_name("right")
    if op is None or right is None:
        return False
    return (text(op) == "!=" and text(right) in ('""', "0", "nil", "``")) or (text(op) == ">" and text(right) == "0")


_NAMED_FUNCS = ("function_declaration", "method_declaration")


def _guarded(node) -> bool:
    """Inside the consequence of an ``if`` with an enabled test, within the
    named function around ``node``."""
    child = node
    for p in ancestors(node):
        if p.type == "if_statement" and child == p.child_by_field_name("consequence") and _enabled_test(
                p.child_by_field_name("condition")):
            return True
        if p.type in _NAMED_FUNCS:
            return False
        child = p
    return False


def started_on_request(pkg, call) -> bool:
    """A listener the operator has to switch on: its serve call sits under
    ``if addr != "" {...}``, or the named function around it is called in
    this package only under such an ``if`` (``if opts.ProfPort != 0 {
    s.StartProfiler() }``).  Callers in other packages are not followed, so a
    debug server a dependency starts unconditionally stays reported."""
    if _guarded(call):
        return True
    decl = next((n for n in ancestors(call) if n.type in _NAMED_FUNCS), None)
    if decl is None:
        return False
    name = text(decl.child_by_field_name("name"))
    params = decl.child_by_field_name("parameters")
    arity = sum(max(1, sum(1 for c in p.named_children if c.type == "identifier"))
                for p in params.named_children if p.type == "parameter_declaration") if params is not None else 0
    seen = 0
    for f in pkg.files:
        for c in pkg.calls_in(f, name):
            if decl.start_byte <= c.start_byte < decl.end_byte and f.root == decl.parent:
                continue
            args = c.child_by_field_name("arguments")
            if (args.named_child_count if args is not None else 0) != arity:
                continue
            if not _guarded(c):
                return False
            seen += 1
    return seen > 0


def _ephemeral_loopback(literal: str) -> bool:
    """``"127.0.0.1:0"``, ``"localhost:0"``, ``"[::1]:0"``: a free port on
    this host only, picked per run."""
    host, sep, port = literal.strip('"`').rpartition(":")
    return bool(sep) and port == "0" and is_loopback_address(host + ":1")


def _listens_ephemeral_loopback(file, fn_node) -> bool:
    for call in _calls_within(file, fn_node):
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field") if fn.type == "selector_expression" else fn)
        if name not in ("Listen", "ListenTCP"):
            continue
        args = call.child_by_field_name("arguments").named_children
        if any(a.type == "interpreted_string_literal" and _ephemeral_loopback(text(a)) for a in args):
            return True
    return False


def _calls_within(file, fn_node):
    return [c for c in file.nodes("call") if fn_node.start_byte <= c.start_byte < fn_node.end_byte]


def serves_ephemeral_loopback(pkg, file, node) -> bool:
    """The function around ``node`` (or a same-package function it calls,
    one level) binds its listener to a loopback address on port 0: a
    one-shot local server such as a CLI's OAuth callback (RFC 8252), which
    no deploy ever drains (vikunja's veans login)."""
    chain = list(pkg.functions(file).enclosing_chain(node)) if node is not None else []
    if not chain:
        return False
    outer = chain[-1].node
    if _listens_ephemeral_loopback(file, outer):
        return True
    for call in _calls_within(file, outer):
        fn = call.child_by_field_name("function")
        if fn.type != "identifier":
            continue
        for f, fi in pkg.functions_named(text(fn)):
            if fi.node.type == "function_declaration" and _listens_ephemeral_loopback(f, fi.node):
                return True
    return False
