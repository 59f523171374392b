"""Whether code really runs for a request, and whether a fresh root context
handed to a call is detached on purpose.

SG201 asks both about a ``context.Background()`` found in a function that
receives a ctx.  On real services (minio, etcd, traefik, caddy) most such
calls were one of a few deliberate shapes: the context goes only to a logging
or audit helper, to a callee that ignores it (``_ context.Context``), to
teardown (unlock, shutdown, exit) or to undo work on a failure branch (delete
what was half created), or the function is a background loop started by
``go`` or by a lifecycle entry point (``Run``, ``Start``) that no handler
reaches.  Everything here is by name inside one package, without types;
where the answer is unknown the code counts as serving a request.
"""

from __future__ import annotations

from steadygo.golang.frameworks import ROOT_CONTEXTS
from steadygo.golang.names import words
from steadygo.golang.parse import ancestors, text, unparen

# first word of a callee that tears down or undoes: it must finish even when
# the caller has given up, so a context that dies with the caller is wrong
_TEARDOWN = frozenset({"shutdown", "stop", "exit", "close", "release", "unlock", "cleanup", "rollback",
                       "undo", "abort", "revert", "unregister", "deregister"})
_TEARDOWN_PAIRS = frozenset({("clean", "up")})
# removals are undo work only on a failure path (delete what was half made);
# a DELETE handler's main delete must follow the request
_REMOVAL = frozenset({"delete", "remove", "purge", "drop", "discard", "destroy"})
# a context handed to these only labels log/audit output
_LOGGING = frozenset({"log", "logger", "logf", "audit"})
# entry points of long-lived components: their ctx is the process's, not a request's
_ROOT_NAMES = frozenset({"Run", "Start", "Init", "Loop", "Main"})
_ROOT_FIRST_WORDS = frozenset({"run", "start", "init", "monitor", "loop", "background"})
MAX_CALLERS = 24


def _first_words(name: str) -> list[str]:
    return words(name)[:2]


def teardown_name(name: str) -> bool:
    ws = _first_words(name)
    return bool(ws) and (ws[0] in _TEARDOWN or tuple(ws) in _TEARDOWN_PAIRS)


def removal_name(name: str) -> bool:
    ws = _first_words(name)
    return bool(ws) and ws[0] in _REMOVAL


def cleanup_owner_name(name: str) -> bool:
    """A function whose whole job is cleanup (``purgeDeletedBucket``,
    ``cleanupUploads``): removals in it are undo work.  A plain ``Delete*``
    is not: deleting can be what the request asked for."""
    ws = _first_words(name)
    return teardown_name(name) or (bool(ws) and ws[0] == "purge")


def logging_name(name: str) -> bool:
    """``auditLogInternal``, ``batchLogIf``, ``LogOnceIf``, ``GetLogger``."""
    return any(w in _LOGGING for w in words(name))


def _error_name(name: str) -> bool:
    ws = words(name)
    return bool(ws) and (ws[-1] in ("err", "errs", "error", "errors") or ws[0] == "err")


def on_failure_path(node, stop) -> bool:
    """Inside an ``if`` (up to ``stop``) whose condition tests an error
    value: ``if err != nil``, ``if shouldCheckForDangling(err, ...)``,
    ``if err == nil || isNotFound(err)`` (bookkeeping after the outcome of the
    main work is known)."""
    for n in ancestors(node, stop):
        if n.type != "if_statement":
            continue
        cond = n.child_by_field_name("condition")
        if cond is None:
            continue
        stack = [cond]
        while stack:
            c = stack.pop()
            if c.type == "identifier" and _error_name(text(c)):
                return True
            stack.extend(c.named_children)
    return False


def consumer_of(node):
    """(call, argument index) when ``node`` is an argument of a call."""
    args = node.parent
    if args is None or args.type != "argument_list":
        return None, -1
    call = args.parent
    if call is None or call.type != "call_expression":
        return None, -1
    for i, a in enumerate(args.named_children):
        if a.id == node.id:
            return call, i
    return call, -1


def called_name(call) -> str:
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return ""
    if fn.type == "identifier":
        return text(fn)
    if fn.type == "selector_expression":
        return text(fn.child_by_field_name("field"))
    return ""


def _same_package_targets(pkg, file, call):
    """Declarations a call may reach in this package (by name; a selector on
    an imported package reaches none)."""
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return []
    if fn.type == "identifier":
        want = "function_declaration"
    elif fn.type == "selector_expression":
        op = fn.child_by_field_name("operand")
        if op is not None and op.type == "identifier" and file.package_of(op) is not None:
            return []
        want = "method_declaration"
    else:
        return []
    return [fi for _f, fi in pkg.functions_named(called_name(call)) if fi.node.type == want]


def ignores_context_arg(pkg, file, call, idx: int) -> bool:
    """Every same-package declaration the call may reach names that
    parameter ``_`` (or leaves it unnamed): the context goes nowhere."""
    if idx < 0:
        return False
    targets = _same_package_targets(pkg, file, call)
    if not targets:
        return False
    for fi in targets:
        if idx >= len(fi.params) or fi.params[idx].name not in ("_", ""):
            return False
    return True


def _started_by_go(pkg, name: str) -> bool:
    return any(c.parent is not None and c.parent.type == "go_statement" for _f, c in pkg.calls_to(name))


def _lifecycle_root(pkg, fi) -> bool:
    if fi.name in _ROOT_NAMES:
        return True
    ws = words(fi.name)
    if ws and ws[0] in _ROOT_FIRST_WORDS:
        return True
    return _started_by_go(pkg, fi.name)


def serves_request(pkg, file, fi, depth: int = 3) -> bool:
    """False when ``fi`` runs apart from any request: a lifecycle entry point
    or ``go`` target, a callback with its own ctx inside a function that has
    neither a request nor a ctx (a scheduled job), or a function whose every
    caller in the package is such code.  True when a handler is reached and
    when nothing can be told (no caller seen: exported API, interface
    dispatch, too many callers)."""
    return pkg.memo(("request_scope.serves", file.path, fi.node.id, depth),
                    lambda: _serves(pkg, file, fi, depth))


def _outer_named(pkg, file, fi):
    chain = pkg.functions(file).enclosing_chain(fi.node)
    return next((o for o in chain if o.node.id != fi.node.id), None)


def _serves(pkg, file, fi, depth: int) -> bool:
    if fi.is_handler:
        return True
    if fi.node.type == "func_literal":
        outer = _outer_named(pkg, file, fi)
        if outer is None:
            return True
        if outer.is_handler:
            return True
        if not outer.ctx_params:
            return False  # its ctx comes from whoever runs the callback, not from a request
        return serves_request(pkg, file, outer, depth)
    if _lifecycle_root(pkg, fi):
        return False
    if depth <= 0:
        return True
    callers = production_calls(pkg, fi)
    if len(callers) > MAX_CALLERS:
        return True
    if not callers:
        return True
    background = 0  # callers known to run apart from requests
    for f, call in callers:
        if call.parent is not None and call.parent.type == "go_statement":
            background += 1
            continue
        caller = pkg.functions(f).enclosing(call)
        if caller is None:
            return True  # a package-level initialiser: cannot tell
        if caller.node.id == fi.node.id:
            continue  # recursion tells nothing
        if caller.node.type == "function_declaration" and caller.name in ("main", "init"):
            background += 1
            continue
        if serves_request(pkg, f, caller, depth - 1):
            return True
        background += 1
    return background == 0


def carries_root_context_only(pkg, file, fi, depth: int = 3) -> bool:
    """True when every caller hands ``fi``'s ctx parameters a bare root
    context (``context.Background()``/``TODO()``, ``WithValue`` of one,
    ``WithoutCancel`` of any), directly or through a caller's own ctx
    parameter that carries nothing either.  Such a ctx has
    no deadline and is never cancelled, so a request built without it loses
    nothing (syncthing's release fetcher, called only from main with
    Background).  Only where every caller can be seen: package main or an
    unexported function, not referenced as a value anywhere (a callback's
    caller is unknown), called at least once outside tests."""
    return pkg.memo(("request_scope.root_only", file.path, fi.node.id, depth),
                    lambda: _root_only(pkg, file, fi, depth))


def _root_only(pkg, file, fi, depth: int) -> bool:
    if fi.is_handler or not fi.ctx_params or not fi.name or depth <= 0:
        return False
    slots = [i for i, p in enumerate(fi.params) if p.name in fi.ctx_params]
    callers = visible_callers(pkg, file, fi) if slots else None
    if not callers:
        return False
    for f, call in callers:
        args = call.child_by_field_name("arguments").named_children
        caller = pkg.functions(f).enclosing(call)
        for i in slots:
            if i >= len(args) or not _root_argument(pkg, f, caller, unparen(args[i]), depth):
                return False
    return True


def visible_callers(pkg, file, fi) -> list | None:
    """Every call that can reach ``fi``, when all of them can be seen: an
    unexported function (or any in package main), called at least once
    outside tests and at most MAX_CALLERS times, whose name appears in the
    package only in its declarations and those calls (no method value, no
    callback whose caller is unknown).  None otherwise."""
    if not fi.name or fi.node.type == "func_literal":
        return None
    if file.package_name != "main" and fi.name[:1].isupper():
        return None
    callers = production_calls(pkg, fi)
    if not callers or len(callers) > MAX_CALLERS:
        return None
    if pkg.name_uses(fi.name) > len(callers) + pkg.declarations_of(fi.name):
        return None
    return callers


def production_calls(pkg, fi) -> list:
    """(file, call) of the calls outside tests that may reach ``fi`` by name:
    ``x.m(...)`` for a method, ``f(...)`` for a function; at most one past
    the caller limit, so callers can tell "too many" apart."""
    want_selector = fi.node.type == "method_declaration"
    out = []
    for f, call in pkg.calls_to(fi.name):
        if f.is_test:
            continue
        fn = unparen(call.child_by_field_name("function"))
        if fn is None or (fn.type == "selector_expression") != want_selector:
            continue
        out.append((f, call))
        if len(out) > MAX_CALLERS:
            break
    return out


def _root_argument(pkg, file, caller, arg, depth: int) -> bool:
    if arg is None:
        return False
    if arg.type == "call_expression":
        target = file.call_target(arg)
        if target in ROOT_CONTEXTS or target == ("context", "WithoutCancel"):
            return True  # WithoutCancel: never cancelled and no deadline, whatever its parent
        if target == ("context", "WithValue"):
            args = arg.child_by_field_name("arguments").named_children
            return bool(args) and _root_argument(pkg, file, caller, unparen(args[0]), depth)
        return False
    if arg.type == "identifier" and caller is not None and text(arg) in caller.ctx_params:
        return carries_root_context_only(pkg, file, caller, depth - 1)
    return False
