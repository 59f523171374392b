"""Does the code fail its readiness check before ``Server.Shutdown``?

A pod that calls Shutdown while still answering ready keeps receiving new
connections (refused) until its endpoints update.  The code can flip the
flag its readiness handler reads (or wait) between the stop signal and
Shutdown; the deployment can delay SIGTERM with a preStop sleep.  The code
rule SG605 and the joined deploy rule SG830 both read this verdict, stored on
each HTTP ``ShutdownCall`` as ``readiness_flip``:

- ``flipped``: something that may set the readiness state to failing, or a
  drain delay, sits between the last wait for the signal and Shutdown;
- ``no_flip``: nothing does, and every readiness handler of the package reads
  only names that the window leaves untouched;
- ``unknown``: no verdict (no readiness endpoint in the package, a handler
  that cannot be read or watches a context/channel itself, a
  ``RegisterOnShutdown`` hook, a call outside any function).
"""

from __future__ import annotations

import re

from steadygo.golang.parse import captures, text, unparen

FLIPPED, NO_FLIP, UNKNOWN = "flipped", "no_flip", "unknown"

_STATE_WORDS = re.compile(r"(?i)ready|readiness|health|serving|shut|drain|stop|closing|terminat|alive|live")
_FLIP_CALL = re.compile(r"(?i)^(Store\w*|Swap\w*|CompareAndSwap\w*|Add\w*|Set\w*|Mark\w*|Disable\w*|Fail\w*|Drain\w*|\w*(Ready|Readiness|Health|Serving|Unready|Drain)\w*)$")
_HANDLER_NAMES_Q = "[(identifier) (field_identifier)] @n"


def readiness_flip(pkg, file, call, health_endpoints, node_of) -> str:
    """The verdict for one HTTP Shutdown ``call`` in ``file`` of ``pkg``;
    ``health_endpoints`` are the package's (their nodes through ``node_of``)."""
    if any(True for _ in pkg.calls_to("RegisterOnShutdown")):
        return UNKNOWN  # flips readiness from a shutdown hook: late, but a deliberate choice we cannot judge
    reads = _readiness_reads(pkg, health_endpoints, node_of)
    if reads is None:
        return UNKNOWN
    fi = pkg.functions(file).enclosing(call)
    if fi is None or fi.body is None:
        return UNKNOWN
    return FLIPPED if _flips_before(pkg, file, fi, call, reads) else NO_FLIP


def _readiness_reads(pkg, health_endpoints, node_of):
    """Names the package's readiness handlers read, or None when some
    readiness handler cannot be resolved or reacts to shutdown by itself
    (a context or channel it waits on) -- then no verdict is possible."""
    from steadygo.golang.health_handlers import handler_body, route_handler_arg  # imports golang.facts

    def compute():
        names: set[str] = set()
        by_path = {f.relpath: f for f in pkg.files}
        found = False
        for h in health_endpoints:
            if h.kind != "readiness":
                continue
            call, f = node_of(pkg, h), by_path.get(h.location.path)
            if call is None or f is None:
                return None
            arg = route_handler_arg(call)
            body = handler_body(pkg, f, arg) if arg is not None else None
            if body is None:
                return None
            t = text(body[1])
            if "Done()" in t or ".Err()" in t or "<-" in t:
                return None
            found = True
            names.update(text(n) for n in captures(_HANDLER_NAMES_Q, body[1]).get("n", []))
        return names if found else None

    return pkg.memo("health.readiness_reads", compute)


def _last_name(node) -> str:
    node = unparen(node)
    while node is not None and node.type == "unary_expression":
        node = unparen(node.named_child(0))
    if node is None:
        return ""
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    if node.type == "index_expression":
        return _last_name(node.child_by_field_name("operand"))
    return text(node) if node.type == "identifier" else ""


def _is_wait(node) -> bool:
    """A receive, the usual wait for the stop signal: ``<-ch``,
    ``<-ctx.Done()``, ``sig := <-c``."""
    return node.type == "unary_expression" and node.child(0) is not None and node.child(0).type == "<-"


def _flips_before(pkg, f, fi, shutdown_call, reads) -> bool:
    lo, hi = fi.body.start_byte, shutdown_call.start_byte
    # the window opens at the last wait for the signal before Shutdown
    for n in captures("(unary_expression) @u", fi.body).get("u", []):
        if lo <= n.start_byte < hi and _is_wait(n):
            lo = max(lo, n.start_byte)
    for c in f.nodes("call"):
        if not lo <= c.start_byte < hi:
            continue
        fn = c.child_by_field_name("function")
        args = c.child_by_field_name("arguments").named_children
        t = f.call_target(c)
        if t is not None:
            if t == ("time", "Sleep") or (t[0] == "sync/atomic" and args and _last_name(args[0])):
                return True  # a drain delay, or an atomic write
            continue
        if fn.type == "identifier":
            name = text(fn)
            if name == "close" or any(True for _ in pkg.functions_named(name)):
                return True  # closes a channel, or a helper of ours that may flip it
            continue
        if fn.type != "selector_expression":
            continue
        method = text(fn.child_by_field_name("field"))
        target = _last_name(fn.child_by_field_name("operand"))
        if method == "Shutdown" and not args:
            return True  # grpc health server: everything NOT_SERVING
        if _FLIP_CALL.match(method) and (target in reads or _STATE_WORDS.search(target) or _STATE_WORDS.search(method)):
            return True
        if any(True for _ in pkg.functions_named(method)) and method != "Shutdown":
            return True  # a method of ours: it may flip the state
    for a in captures("[(assignment_statement) (inc_statement) (dec_statement)] @a", fi.body).get("a", []):
        if not lo <= a.start_byte < hi:
            continue
        left = a.child_by_field_name("left") or a.named_child(0)
        targets = left.named_children if left is not None and left.type == "expression_list" else [left]
        for t in targets:
            name = _last_name(t)
            if name and (name in reads or _STATE_WORDS.search(name)):
                return True
    return False
