"""Resource rules (SG3xx): response bodies, locks, defers and request bodies.

Database handles and pools live in ``database.py``, memory retention in
``memory.py``.  Path-sensitive questions ("closed on every path") go through
``golang/flow.py``.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.flow import FunctionFlow, Leak, Resource, acquisition_statement, leaks, owner_function, terminates
from steadygo.golang.functions import ECHO_PATHS, FIBER_PATHS, GIN
from steadygo.golang.handoff import Handoff
from steadygo.golang.parse import FUNC_TYPES, captures, kind_id, text
from steadygo.golang.rules.base import FileContext, GoRule, code_meta as _meta

NET_HTTP = "net/http"

_HTTP_PKG_FUNCS = frozenset({"Get", "Post", "Head", "PostForm"})
_CLIENT_METHODS = frozenset({"Get", "Post", "Head", "PostForm", "Do", "RoundTrip"})




_EQUALITY = frozenset({kind_id("==", False), kind_id("!=", False)})


def statement_index(ctx: FileContext) -> dict:
    """defer/go statements, ==/!= comparisons and value switches of a file, in
    one query shared by the SG3/SG4 rules."""
    def compute():
        f = ctx.file
        return {
            "defer": f.nodes("defer"),
            "go": f.nodes("go"),
            "cmp": [b for b in f.nodes("binary") if b.child_by_field_name("operator").kind_id in _EQUALITY],
            "switch": [s for s in f.nodes("switch") if s.child_by_field_name("value") is not None],
        }

    return ctx.pkg.memo(("res.index", ctx.file.path), compute)


def may_have_handlers(ctx: FileContext) -> bool:
    """Cheap pre-check before asking about handlers: the file imports a web
    framework, or its package uses gRPC."""
    imp = ctx.file.imports
    return any(imp.imports_prefix(p) for p in (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS)) or ctx.pkg.uses_grpc


def function_flow(ctx: FileContext, fn_node) -> FunctionFlow:
    """One FunctionFlow per function, shared by the rules of the family."""
    return ctx.pkg.memo(("flow", ctx.file.path, fn_node.id), lambda: FunctionFlow(ctx.file, fn_node, fn_node.child_by_field_name("body")))


def flow_around(ctx: FileContext, node) -> FunctionFlow | None:
    """The flow of the function (with a body) that ``node`` sits in."""
    owner = owner_function(node)
    if owner is None or owner.child_by_field_name("body") is None:
        return None
    return function_flow(ctx, owner)


def describe(leak: Leak) -> str:
    if leak.kind == "return":
        return f"returns at line {leak.line}"
    if leak.kind == "end":
        return f"reaches the end of the block at line {leak.line}"
    return f"leaves the loop with {leak.kind} at line {leak.line}"


def uses_field(flow: FunctionFlow, var: str, fields: frozenset[str]) -> bool:
    for ident in flow.idents(var):
        p = ident.parent
        if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
            if text(p.child_by_field_name("field")) in fields:
                return True
    return False


# --------------------------------------------------------------------------
# SG301


def _response_foreign(name: str, is_var: bool) -> bool:
    # A whole *http.Response given to another package is that package's now;
    # resp.Body given to io.Copy / json.NewDecoder is only read.
    return is_var or "close" in name.lower() or "drain" in name.lower()


def client_calls(f):
    """(call, function node, method, strong) for every ``x.Get/Post/Do...``
    call that is, or may be, an outbound net/http request (see _strong)."""
    for call in f.method_calls:
        fn = call.child_by_field_name("function")
        method = text(fn.child_by_field_name("field"))
        if method not in _CLIENT_METHODS:
            continue
        strong = ResponseBodyNotClosed._strong(f, call, fn, method)
        if strong is not None:
            yield call, fn, method, strong


class ResponseBodyNotClosed(GoRule):
    meta = _meta(
        "SG301",
        "response-body-not-closed",
        Severity.ERROR,
        "Every unclosed response body pins a connection, its read/write goroutines and a file descriptor; under load the process runs out of descriptors or the upstream's connection limit.",
        "Body of an outbound HTTP response is not closed on every path.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call, fn, method, strong in client_calls(f):
            label = text(fn).replace("\n", " ")
            stmt, lhs = acquisition_statement(call)
            if stmt is None:
                p = call.parent
                if strong and p is not None and p.type == "expression_statement":
                    ctx.report(call, f"response of {label} is discarded: its body is never closed, so the connection "
                               "and a file descriptor leak on every call")
                continue
            if len(lhs) != 2:
                continue
            var, err = lhs
            if var == "_":
                if strong:
                    ctx.report(call, f"response of {label} is assigned to _: its body can never be closed, so the "
                               "connection and a file descriptor leak on every call")
                continue
            flow = flow_around(ctx, call)
            if flow is None:
                continue
            if not strong and not uses_field(flow, var, frozenset({"Body", "StatusCode"})):
                continue
            handoff = ctx.pkg.memo(("handoff.resp", f.path), lambda: Handoff(ctx.pkg, f, "resp", frozenset({"Close"}), "Body", _response_foreign))
            res = Resource(
                var=var,
                operands=frozenset({f"{var}.Body"}),
                methods=frozenset({"Close"}),
                err_var=err if err != "_" else "",
                scoped=stmt.type != "assignment_statement",
                sub_field="Body",
                arg_releases=handoff.arg_releases,
            )
            found = leaks(flow, stmt, res, stmt.parent)
            if found:
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe(found[0])}: the "
                           f"connection and its file descriptor leak; add defer {var}.Body.Close() right after the error check")

    @staticmethod
    def _strong(f, call, fn, method):
        """True: certainly net/http; False: a method call that may be one
        (needs evidence from how the result is used); None: not ours."""
        q = f.qualified(fn)
        if q is not None:
            if f.is_member(fn, NET_HTTP, *_HTTP_PKG_FUNCS):
                return True
            return None  # another package's function
        operand = fn.child_by_field_name("operand")
        if f.is_member(operand, NET_HTTP, "DefaultClient"):
            return True
        return False


# --------------------------------------------------------------------------
# SG316

# The toolchain release whose http.Transport drains up to 256 KiB of an
# unread response body on Close (golang/go#77370); before it, Close on an
# unread body closes the connection.  Not GODEBUG-gated: it follows the
# toolchain that builds the binary, which the go directive only bounds from
# below.
_DRAINING_GO = (1, 27)


class ResponseBodyClosedUnread(GoRule):
    meta = _meta(
        "SG316",
        "response-body-closed-unread",
        Severity.INFO,
        "Built with Go before 1.27, closing a response body that was never read closes the keep-alive connection: every call to the upstream pays a new TCP (and TLS) handshake and leaves a TIME_WAIT socket, which under load exhausts ephemeral ports and adds latency.",
        "Outbound response whose body is closed but never read, in a module whose go directive is older than 1.27.",
        status="preview",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        if ctx.pkg.module.go_at_least(*_DRAINING_GO) is not False:
            return  # built by 1.27+ (or unknown): Close drains small bodies itself
        f = ctx.file
        for call, _, method, _ in client_calls(f):
            if method == "Head":
                continue  # a HEAD response has no body to drain
            stmt, lhs = acquisition_statement(call)
            if stmt is None or len(lhs) != 2 or lhs[0] == "_":
                continue
            var = lhs[0]
            flow = flow_around(ctx, call)
            if flow is None:
                continue
            if self._closed_unread(flow, var, stmt):
                v = ctx.pkg.module.go_version
                ctx.report(call, f"{var}.Body is closed but never read: a binary built with Go before 1.27 (go.mod says "
                           f"{v[0]}.{v[1]}) then drops the keep-alive connection, so every call opens a new one; "
                           f"drain it first (io.Copy(io.Discard, {var}.Body)) or build with Go 1.27+")

    @staticmethod
    def _closed_unread(flow: FunctionFlow, var: str, acq) -> bool:
        """``var.Body.Close()`` is the only use of the body, and ``var`` itself
        goes nowhere (a response handed to a helper may be read there)."""
        closed = False
        for ident in flow.idents(var):
            if ident.start_byte < acq.end_byte:
                continue
            sel = ident.parent
            if sel is None or sel.type != "selector_expression" or sel.child_by_field_name("operand") != ident:
                return False  # the response itself escapes: returned, passed, stored
            if text(sel.child_by_field_name("field")) != "Body":
                continue  # StatusCode, Header ...: not the body
            use = sel.parent
            if (use is not None and use.type == "selector_expression" and use.child_by_field_name("operand") == sel
                    and text(use.child_by_field_name("field")) == "Close" and use.parent is not None
                    and use.parent.type == "call_expression"):
                closed = True
                continue
            return False  # the body is read, copied or handed on
        return closed


# --------------------------------------------------------------------------
# SG309


class DeferInLoop(GoRule):
    meta = _meta(
        "SG309",
        "defer-in-loop",
        Severity.WARNING,
        "Deferred calls run when the function returns, not at the end of the iteration: files, rows, locks and connections opened per iteration pile up until the loop ends, or forever in a long-running loop.",
        "defer statement inside a loop body.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for d in statement_index(ctx).get("defer", []):
            loop = None
            n = d.parent
            while n is not None and n.type not in FUNC_TYPES:
                if n.type == "for_statement":
                    loop = n
                    break
                n = n.parent
            if loop is None:
                continue
            if _runs_once_per_loop(f, d, loop):
                continue
            call = d.named_child(0)
            what = text(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else "call"
            if len(what) > 40 or "\n" in what:
                what = "the deferred call"
            ctx.report(d, f"defer {what} inside a loop runs only when the function returns: whatever each iteration "
                       "holds (file, rows, lock, connection) accumulates until then; wrap the iteration in a function "
                       "or release explicitly")


def _runs_once_per_loop(f, defer_stmt, loop) -> bool:
    """The iteration that defers also leaves the loop (a later statement on
    its way out of the loop body returns/breaks), or the defer sits under a
    one-shot guard (``if first { first = false ... }``, ``if x == nil { x = ... }``)."""
    cur = defer_stmt
    while cur is not None and cur != loop:
        sl = cur.parent
        if sl is not None and sl.type == "statement_list":
            later = [x for x in sl.named_children if x.type != "comment" and x.start_byte > cur.start_byte]
            if any(x.type != "continue_statement" and terminates(f, x) for x in later):
                return True
        if cur.type == "block" and cur.parent is not None and cur.parent.type == "if_statement":
            cond = cur.parent.child_by_field_name("condition")
            names = {text(i) for i in captures("(identifier) @i", cond).get("i", [])}
            for lhs in captures("(assignment_statement left: (expression_list (identifier) @l))", cur).get("l", []):
                if text(lhs) in names:
                    return True
        cur = cur.parent
    return False


# --------------------------------------------------------------------------
# SG310 / SG311

def _locks(ctx: FileContext):
    """``x.Lock()`` / ``x.RLock()`` statements, from the package's call index."""

    def compute():
        out = []
        for call in ctx.pkg.calls_in(ctx.file, "Lock", "RLock"):
            stmt = call.parent
            if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or call.child_by_field_name("arguments").named_child_count:
                continue
            if ctx.file.qualified(fn) is not None:
                continue
            mu = text(fn.child_by_field_name("operand")).replace(" ", "")
            unlock = "RUnlock" if text(fn.child_by_field_name("field")) == "RLock" else "Unlock"
            out.append((stmt, call, mu, unlock))
        return out

    return ctx.pkg.memo(("res.locks", ctx.file.path), compute)


def _unlock_calls(flow: FunctionFlow, mu: str, unlock: str):
    return [c for c, sel in flow.sel_calls()
            if text(sel.child_by_field_name("field")) == unlock and text(sel.child_by_field_name("operand")).replace(" ", "") == mu]


class MutexNotUnlockedOnReturn(GoRule):
    meta = _meta(
        "SG311",
        "mutex-not-unlocked-on-return",
        Severity.ERROR,
        "A return that skips Unlock leaves the mutex held forever: the next request that needs it blocks, then every request does, and the service hangs without crashing.",
        "Lock() whose function unlocks on some paths but returns on another with the lock still held.",
    )

    def check(self, ctx: FileContext) -> None:
        for stmt, call, mu, unlock in _locks(ctx):
            flow = flow_around(ctx, stmt)
            if flow is None:
                continue
            unlocks = [c for c in _unlock_calls(flow, mu, unlock) if owner_function(c) == flow.fn]
            if not unlocks:
                continue  # a lock helper that returns locked on purpose
            if any(c.start_byte < stmt.start_byte for c in unlocks):
                continue  # unlock ... lock again: the function's contract is to return locked
            res = Resource(var="", operands=frozenset({mu}), methods=frozenset({unlock}), scoped=False, escapes=False)
            top = flow.body.named_children[0] if flow.body.named_child_count else None
            # A return at the top level of the function (its main exit) that
            # keeps the lock is a design choice (lock handed to the caller,
            # released through a returned func); early returns are the bug.
            found = [l for l in leaks(flow, stmt, res, None) if l.kind != "end" and l.node.parent != top]
            if found:
                ctx.report(call, f"{mu}.{text(call.child_by_field_name('function').child_by_field_name('field'))}() is still held "
                           f"on the path that {describe(found[0])}: every later {mu}.Lock() blocks forever; "
                           f"use defer {mu}.{unlock}() or unlock before returning")


_BLOCKING_PKG = {("time", "Sleep"), ("net/http", "Get"), ("net/http", "Post"), ("net/http", "Head"), ("net/http", "PostForm"),
                 ("net", "Dial"), ("net", "DialTimeout")}
_DB_BLOCKING = frozenset({"QueryContext", "ExecContext", "QueryRowContext", "Query", "Exec", "QueryRow", "BeginTx", "PingContext", "Ping"})
_DB_PATHS = ("database/sql", "github.com/jmoiron/sqlx", "github.com/jackc/pgx", "gorm.io/gorm")
_REGION_CALLS_Q = "(call_expression) @call"


class MutexHeldAcrossBlockingCall(GoRule):
    meta = _meta(
        "SG310",
        "mutex-held-across-blocking-call",
        Severity.WARNING,
        "Holding a lock across a sleep, network or database call makes every other request that needs the lock wait for that I/O: one slow upstream serialises the whole service.",
        "Lock() held across time.Sleep, an HTTP/DB/network call before Unlock().",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        db = any(f.imports.imports_prefix(p) for p in _DB_PATHS)
        for stmt, call, mu, unlock in _locks(ctx):
            region = self._held_region(stmt, mu, unlock)
            for node in region:
                hit = self._blocking(f, node, db)
                if hit is not None:
                    op, what = hit
                    ctx.report(op, f"{what} while {mu} is locked (line {stmt.start_point[0] + 1}): every goroutine waiting "
                               f"for {mu} now waits for this I/O too; copy what you need, unlock, then call")
                    break

    @staticmethod
    def _held_region(stmt, mu: str, unlock: str) -> list:
        sibs = []
        n = stmt.next_named_sibling
        while n is not None:
            sibs.append(n)
            n = n.next_named_sibling
        out = []
        for s in sibs:
            hits = [c for c in captures(_SEL_CALLS_SIMPLE_Q, s).get("call", [])
                    if text(c.child_by_field_name("function").child_by_field_name("field")) == unlock
                    and text(c.child_by_field_name("function").child_by_field_name("operand")).replace(" ", "") == mu]
            if hits:
                if s.type == "defer_statement":
                    continue  # held until return: keep scanning the rest
                break
            out.append(s)
        return out

    @staticmethod
    def _blocking(f, node, db: bool):
        for call in captures(_REGION_CALLS_Q, node).get("call", []):
            if _in_literal(call, node):
                continue
            t = f.call_target(call)
            if t in _BLOCKING_PKG:
                return call, f"{t[0].split('/')[-1]}.{t[1]}"
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression" or t is not None:
                continue
            method = text(fn.child_by_field_name("field"))
            operand = fn.child_by_field_name("operand")
            if method == "Do" and (f.is_member(operand, NET_HTTP, "DefaultClient") or text(operand).lower().endswith("client")):
                return call, f"HTTP call {text(fn)}"
            if db and method in _DB_BLOCKING and call.child_by_field_name("arguments").named_child_count:
                return call, f"database call {text(fn)}"
        return None


_SEL_CALLS_SIMPLE_Q = "(call_expression function: (selector_expression)) @call"


def _in_literal(node, stop) -> bool:
    n = node.parent
    while n is not None and n != stop:
        if n.type == "func_literal":
            return True
        n = n.parent
    return False


# --------------------------------------------------------------------------
# SG312

_READERS = {("io", "ReadAll"), ("io/ioutil", "ReadAll"), ("encoding/json", "NewDecoder"), ("encoding/xml", "NewDecoder")}


class UnboundedRequestBodyRead(GoRule):
    meta = _meta(
        "SG312",
        "unbounded-request-body-read",
        Severity.WARNING,
        "One request with a multi-gigabyte body is read entirely into memory: the process hits its memory limit and is OOM-killed, taking every other request with it.",
        "Request body read whole (io.ReadAll, json.NewDecoder) without http.MaxBytesReader.",
    )
    requires_imports = (NET_HTTP, "github.com/gin-gonic/gin", "github.com/labstack/echo")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.memo("res.body_limited", lambda: _package_limits_bodies(ctx.pkg)):
            return
        bodies = set()
        for fi in ctx.funcs.funcs:
            if fi.name == "RoundTrip" or fi.results_text.replace(" ", "").startswith(("*http.Response", "(*http.Response")):
                continue  # client side: the request body is our own outgoing payload
            for p in fi.params:
                if not p.name or p.name == "_":
                    continue
                if f.is_member(p.type_node, NET_HTTP, "Request"):
                    bodies.add((fi.node.id, f"{p.name}.Body"))
                elif f.is_member(p.type_node, "github.com/gin-gonic/gin", "Context"):
                    bodies.add((fi.node.id, f"{p.name}.Request.Body"))
                elif fi.handler == "echo":
                    bodies.add((fi.node.id, f"{p.name}.Request().Body"))
        if not bodies:
            return
        for call in ctx.pkg.calls_in(f, *{name for _, name in _READERS}):
            t = f.call_target(call)
            if t not in _READERS:
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args:
                continue
            arg = text(args[0]).replace(" ", "")
            for fi in ctx.funcs.enclosing_chain(call):
                if (fi.node.id, arg) in bodies:
                    what = f"{t[0].split('/')[-1]}.{t[1]}"
                    ctx.report(call, f"{what}({arg}) reads the request body with no size limit: one huge request is "
                               f"buffered whole and can OOM the process; wrap it with http.MaxBytesReader first")
                    break


def _package_limits_bodies(pkg) -> bool:
    for name in ("MaxBytesReader", "MaxBytesHandler", "LimitReader"):
        if any(True for _ in pkg.calls_to(name)):
            return True
    return False


RULES = [
    ResponseBodyNotClosed(),
    ResponseBodyClosedUnread(),
    DeferInLoop(),
    MutexHeldAcrossBlockingCall(),
    MutexNotUnlockedOnReturn(),
    UnboundedRequestBodyRead(),
]
