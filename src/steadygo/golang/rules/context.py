"""Context propagation rules (SG201, SG202, SG212, SG213) and the
control-flow helpers the goroutine-lifecycle rules (goroutines.py) share.

Everything here is local reasoning over one function (and its closures) with
tree-sitter queries; there is no type checker, so every helper errs towards
*not* reporting when a value escapes where we cannot follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from steadygo.findings import Layer, Severity
from steadygo.golang.functions import ECHO_PATHS, FIBER_PATHS, GIN, FuncInfo, classify
from steadygo.golang.parse import FUNC_TYPES, captures, text, unparen
from steadygo.golang.parse import enclosing_function as enclosing_func  # the family's short name
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.values import holder_of
from steadygo.registry import RuleMeta

CONTEXT = "context"
NET_HTTP = "net/http"
FRAMEWORKS = (NET_HTTP, GIN, *ECHO_PATHS, *FIBER_PATHS, "google.golang.org/grpc")

_CALLS_Q = "(call_expression function: [(identifier) (selector_expression)] @fn) @call"
_IDENT_Q = "(identifier) @id"
_RETURN_Q = "(return_statement) @r"
_EXIT_Q = """
(return_statement) @x
(goto_statement) @x
(break_statement) @x
(call_expression function: (identifier) @f (#eq? @f "panic")) @x
(call_expression function: (selector_expression field: (field_identifier) @m
   (#match? @m "^(Exit|Fatal|Fatalf|Fatalln|Goexit|FailNow|Panic|Panicf|Panicln)$"))) @x
"""
_FOR_Q = "(for_statement) @for"
# What makes a loop "long-running": it sleeps, selects, or waits for a timer.
# A plain receive from some queue is left out: such loops usually end when
# the queue does.
_WAIT_Q = """
(select_statement) @w
(call_expression function: (selector_expression operand: (identifier) @p field: (field_identifier) @m
   (#eq? @p "time") (#match? @m "^(Sleep|After|Tick)$"))) @w
(unary_expression operator: "<-" operand: (selector_expression field: (field_identifier) @c (#eq? @c "C"))) @w
"""

_BREAK_TARGETS = frozenset({"for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"})


@dataclass(frozen=True)
class HasNodes:
    """Marker: the file has at least one node of this kind in the shared
    node walk (``GoFile.nodes``).  Exact, and cheaper than a byte search
    once the walk is done, which it is for nearly every file."""

    kind: str


class LifecycleRule(GoRule):
    """A rule of this family with a cheap gate: ``markers`` are groups of
    alternatives (bytes searched in the raw source, compiled regexes, or
    HasNodes), and every group must match.  Most files contain none of
    ``go``-statements, ``select {}``, ``WithCancel``..., so they are skipped
    before any rule-specific query walks their tree."""

    markers: tuple = ()

    def applies_to(self, file) -> bool:
        if not super().applies_to(file):
            return False
        seen = file.__dict__.setdefault("_lifecycle_markers", {})  # shared by the family's rules
        src = file.source
        for group in self.markers:
            hit = False
            for m in group:
                found = seen.get(m)
                if found is None:
                    if isinstance(m, bytes):
                        found = m in src
                    elif isinstance(m, HasNodes):
                        found = bool(file.nodes(m.kind))
                    else:
                        found = m.search(src) is not None
                    seen[m] = found
                if found:
                    hit = True
                    break
            if not hit:
                return False
        return True


GO_STMT = (HasNodes("go"),)


def meta(id, name, severity, breakpoint, summary, status="stable"):
    return RuleMeta(id=id, name=name, layer=Layer.CODE, severity=severity, breakpoint=breakpoint,
                    summary=summary, status=status)


# --------------------------------------------------------------------------
# Shared helpers


def own(nodes, fn_node):
    """Captures that belong to fn_node itself, not to a closure inside it."""
    return [n for n in nodes if enclosing_func(n) == fn_node]


def is_within(node, ancestor) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def calls_in(node):
    return captures(_CALLS_Q, node).get("call", [])


def callee_name(call) -> str:
    fn = call.child_by_field_name("function")
    if fn is None:
        return ""
    if fn.type == "selector_expression":
        return text(fn.child_by_field_name("field"))
    return text(fn)


def callee_operand(call) -> str:
    """``s.wg`` for ``s.wg.Add(1)``; '' for plain calls."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return ""
    return text(fn.child_by_field_name("operand")).replace(" ", "")


def idents(node) -> set[str]:
    return {text(n) for n in captures(_IDENT_Q, node).get("id", [])}


def is_ctx_name(name: str) -> bool:
    low = name.lower()
    return low == "ctx" or low.endswith("ctx") or low == "context"


def ctx_names(chain: list[FuncInfo]) -> set[str]:
    out = set()
    for fi in chain:
        out |= {n for n in fi.ctx_params if n and n != "_"}
    return out


def observes_context(node, names: set[str]) -> bool:
    """The code under node refers to a context: one of the caller's ctx
    names, anything called *ctx, or a ``.Done()`` / ``.Err()`` /
    ``.Context()`` / ``UserContext()`` call."""
    for n in idents(node):
        if n in names or is_ctx_name(n) or "cancel" in n.lower():
            return True  # a ctx, or the cancel func of one: tied to a context's lifetime
    for call in calls_in(node):
        if callee_name(call) in ("Done", "Err", "Context", "UserContext", "Deadline"):
            return True
    return False


def exits_of(loop) -> list:
    """Statements that leave the loop: return, goto, panic/exit calls, a
    break that targets it (an unlabelled break inside a select or switch
    only leaves that select or switch)."""
    fn = enclosing_func(loop)
    out = []
    for x in captures(_EXIT_Q, loop.child_by_field_name("body")).get("x", []):
        if enclosing_func(x) != fn:
            continue
        if x.type != "break_statement":
            out.append(x)
            continue
        label = next((c for c in x.named_children if c.type == "label_name"), None)
        if label is not None:
            name = text(label)
            n = loop
            while n is not None and n != fn:
                if n.type == "labeled_statement" and text(n.child_by_field_name("label")) == name:
                    out.append(x)
                    break
                n = n.parent
            continue
        n = x.parent
        while n is not None and n.type not in _BREAK_TARGETS:
            n = n.parent
        if n == loop:
            out.append(x)
    return out


def loop_kind(loop) -> str:
    """'forever' (``for {}``), 'cond' (``for cond {}``), 'clause' (3-part),
    'range' or 'range-ticker' (``range t.C`` / ``range time.Tick(d)``)."""
    for c in loop.named_children:
        if c.type == "for_clause":
            return "forever" if c.child_by_field_name("condition") is None else "clause"
        if c.type == "range_clause":
            right = unparen(c.child_by_field_name("right"))
            rt = text(right).replace(" ", "")
            if right is not None and (rt.endswith(".C") or rt.startswith("time.Tick(")):
                return "range-ticker"
            return "range"
        if c.type == "block":
            continue
        if c.is_named and c != loop.child_by_field_name("body"):
            return "cond"
    return "forever"


_DECLS_Q = "[(function_declaration name: (identifier) @n) (method_declaration name: (field_identifier) @n)]"


def _file_decls(pkg, file) -> dict:
    """name -> declaration nodes of one file (one query, memoised)."""

    def compute():
        out: dict = {}
        for n in captures(_DECLS_Q, file.root).get("n", []):
            out.setdefault(text(n), []).append(n.parent)
        return out

    return pkg.memo(("lifecycle.decls", file.path), compute)


def go_target_bodies(pkg, file, go_stmt, local_only: bool = False):
    """(function node, body) pairs a go statement runs: a func literal, or a
    same-package function/method it names (at most two candidates).  With
    local_only, only declarations in the same file are followed, without
    building the package's function index."""
    call = go_stmt.named_child(0)
    if call is None or call.type != "call_expression":
        return []
    fn = unparen(call.child_by_field_name("function"))
    if fn is None:
        return []
    if fn.type == "func_literal":
        return [(fn, fn.child_by_field_name("body"))]
    if fn.type == "identifier":
        name, want = text(fn), "function_declaration"
    elif fn.type == "selector_expression":
        op = fn.child_by_field_name("operand")
        if op is not None and op.type == "identifier" and file.package_of(op) is not None:
            return []  # another package's function: not ours to follow
        name, want = text(fn.child_by_field_name("field")), "method_declaration"
    else:
        return []
    if local_only:
        nodes = [d for d in _file_decls(pkg, file).get(name, []) if d.type == want]
        out = [(d, d.child_by_field_name("body")) for d in nodes if d.child_by_field_name("body") is not None]
    else:
        out = [(fi.node, fi.body) for _f, fi in pkg.functions_named(name) if fi.node.type == want and fi.body is not None]
    return out if len(out) <= 2 else []


def chain_of(ctx, node) -> list[FuncInfo]:
    """Enclosing functions of node, innermost first, classified one by one:
    cheaper than building the file's whole function index when only a few
    candidates need it."""
    out = []
    n = node.parent
    while n is not None:
        if n.type in FUNC_TYPES:
            out.append(classify(ctx.file, n, ctx.pkg.uses_grpc))
        n = n.parent
    return out


def in_main_or_init(chain: list[FuncInfo], file) -> bool:
    for fi in chain:
        if fi.node.type == "function_declaration" and fi.name == "init":
            return True
        if fi.node.type == "function_declaration" and fi.name == "main" and file.package_name == "main":
            return True
        if fi.name.startswith(("Test", "Benchmark", "Fuzz", "Example")) and file.is_test:
            return True
        if any(p.type_text.replace(" ", "") in ("*testing.T", "*testing.B", "*testing.F", "testing.TB") for p in fi.params):
            return True  # test helpers: not production request paths
    return False


def request_chain(funcs, node) -> tuple[list[FuncInfo], FuncInfo | None]:
    """Enclosing functions of node up to (but not through) a goroutine
    boundary, and the first one that carries a request context (a handler
    or a function with a named ctx parameter)."""
    chain = []
    for fi in funcs.enclosing_chain(node):
        chain.append(fi)
        if fi.is_handler or any(n and n != "_" for n in fi.ctx_params):
            return chain, fi
        lit = fi.node
        if lit.type != "func_literal":
            return chain, None
        parent = lit.parent
        if parent is not None and parent.type == "call_expression" and parent.parent is not None and parent.parent.type in (
            "go_statement",
            "defer_statement",
        ):
            return chain, None  # detached or cleanup code: a fresh context is deliberate
        if parent is not None and parent.type == "argument_list":
            call = parent.parent
            if call is None or callee_name(call) != "Go":
                return chain, None  # a callback runs later, on someone else's schedule
        elif parent is None or parent.type != "call_expression":
            return chain, None  # stored in a variable or field: a callback, not inline code
    return chain, None


def handler_ctx_expr(fi: FuncInfo) -> str:
    p = fi.request_param() or "r"
    return {
        "net/http": f"{p}.Context()",
        "gin": f"{p}.Request.Context()",
        "echo": f"{p}.Request().Context()",
        "fiber": f"{p}.UserContext()",
    }.get(fi.handler, fi.ctx_params[0] if fi.ctx_params else "ctx")


# --------------------------------------------------------------------------
# SG201



class ContextChainBroken(LifecycleRule):
    meta = meta(
        "SG201",
        "context-background-in-request-path",
        Severity.WARNING,
        "Client disconnects and deadlines stop reaching downstream calls: abandoned requests keep running queries and RPCs exactly when the service is overloaded.",
        "context.Background()/TODO() created inside a handler or a function that already receives a context.",
    )
    requires_imports = (CONTEXT,)
    markers = ((b"Background()", b"TODO()"),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if f.is_test:
            return
        for call in ctx.pkg.calls_in(f, "Background", "TODO"):
            target = f.call_target(call)
            if target not in (("context", "Background"), ("context", "TODO")):
                continue
            chain, owner = request_chain(ctx.funcs, call)
            if owner is None or in_main_or_init(chain, f):
                continue
            wrapped = _wrapping_calls(call)
            outer = wrapped[-1]
            if (
                _compared(call)
                or _in_nil_check(call, owner)
                or self._outbound_request(ctx, call)
                or _deliberate_holder(outer, owner)
                or _deferred_or_go_argument(outer)
            ):
                continue
            if (
                not owner.is_handler
                and target[1] == "Background"
                and holder_of(outer).kind == "var"
            ):
                # ctx-taking function that names a separate root context
                # (cleanup, a stream that must outlive the call): deliberate
                # far more often than not; inline Background()/TODO() is not.
                continue
            sev = None
            if any(_is_bounding(f, w) for w in wrapped[1:]):
                if not owner.is_handler or owner.handler == "grpc":
                    continue  # detached with its own deadline: cleanup that must survive cancellation
                sev = Severity.INFO
            if owner.is_handler and owner.handler != "grpc":
                where = f"handler {owner.name or '(func literal)'}; use {handler_ctx_expr(owner)}"
            else:
                where = f"{owner.name or 'a function'} which receives {owner.ctx_params[0]}; pass it on"
            ctx.report(call, f"{text(call)} starts a new context chain inside {where}: client disconnects and "
                       "deadlines no longer cancel the work below (use context.WithoutCancel if detaching is intended)",
                       severity=sev)

    @staticmethod
    def _outbound_request(ctx, call) -> bool:
        # SG106 already reports http.NewRequestWithContext(context.Background(), ...)
        if "SG106" not in ctx.pkg.enabled:
            return False
        args = call.parent
        outer = args.parent if args is not None and args.type == "argument_list" else None
        return outer is not None and ctx.file.call_target(outer) == (NET_HTTP, "NewRequestWithContext")


def _wrapping_calls(call) -> list:
    """The Background() call and the context-deriving calls wrapped around
    it: ``context.WithTimeout(ns.WithNamespace(context.Background(), n), d)``."""
    out = [call]
    node = call
    while node.parent is not None and node.parent.type == "argument_list" and len(out) < 4:
        outer = node.parent.parent
        if outer is None or outer.type != "call_expression":
            break
        name = callee_name(outer)
        if not (name.startswith("With") or (name.startswith("New") and name.endswith("Context"))):
            break  # a consumer of the context (db.QueryContext), not a wrapper deriving a new one
        out.append(outer)
        node = outer
    return out


def _compared(call) -> bool:
    # `if ctx != context.Background()`: a fast path test, not a new chain
    p = call.parent
    return p is not None and p.type == "binary_expression" and text(p.child(1)) in ("==", "!=")


def _in_nil_check(call, owner) -> bool:
    """``if ctx == nil { ctx = context.Background() }`` / ``return context.Background()``."""
    names = {n for n in owner.ctx_params if n}
    n = call.parent
    while n is not None and n != owner.node:
        if n.type == "if_statement":
            cond = text(n.child_by_field_name("condition")).replace(" ", "")
            if any(f"{c}==nil" in cond for c in names):
                return True
        n = n.parent
    return False


def _deliberate_holder(node, owner) -> bool:
    """The new context is stored in a struct field (or its cancel is), or
    replaces the ctx parameter itself: the author chose its lifetime."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "literal_element":
        return True  # &onlyValuesCtx{Context: context.Background()}
    if parent.type != "expression_list":
        return False
    stmt = parent.parent
    if stmt is None or stmt.type not in ("assignment_statement", "short_var_declaration"):
        return False
    if stmt.child_by_field_name("right") != parent:
        return False
    for target in stmt.child_by_field_name("left").named_children:
        if target.type == "selector_expression":
            return True
        if target.type == "identifier" and text(target) in owner.ctx_params:
            return True
    return False


def _deferred_or_go_argument(node) -> bool:
    # defer ref.Release(context.TODO()) / go x.Close(context.Background()):
    # cleanup and detached work run after (or apart from) the request
    p = node.parent
    if p is not None and p.type == "argument_list":
        p = p.parent.parent if p.parent is not None else None
    return p is not None and p.type in ("defer_statement", "go_statement")


def _is_bounding(f, call) -> bool:
    name = callee_name(call)
    return "Timeout" in name or "Deadline" in name


# --------------------------------------------------------------------------
# SG202

_WITH_CANCEL = ("WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause")
_ASSIGN_Q = """
(short_var_declaration left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(assignment_statement left: (expression_list) @lhs right: (expression_list (call_expression) @call)) @stmt
(var_spec value: (expression_list (call_expression) @call)) @stmt
"""


class LostCancel(LifecycleRule):
    meta = meta(
        "SG202",
        "context-cancel-not-called",
        Severity.ERROR,
        "Every uncancelled child context stays registered with its parent (and WithTimeout keeps a live timer) until the parent ends: memory and goroutines grow with traffic.",
        "Cancel function of WithCancel/WithTimeout/WithDeadline discarded or not called on every return path.",
    )
    requires_imports = (CONTEXT,)
    markers = ((b"WithCancel", b"WithTimeout", b"WithDeadline"),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for m in captures(_ASSIGN_Q, f.root).get("stmt", []):
            if m.type == "var_spec":
                names = m.children_by_field_name("name")
                vals = m.child_by_field_name("value").named_children
                lhs_names = [text(n) for n in names]
            else:
                lhs_names = [text(n) for n in m.child_by_field_name("left").named_children]
                vals = m.child_by_field_name("right").named_children
            if len(vals) != 1 or len(lhs_names) != 2:
                continue
            call = unparen(vals[0])
            target = f.call_target(call) if call is not None and call.type == "call_expression" else None
            if target is None or target[0] != CONTEXT or target[1] not in _WITH_CANCEL:
                continue
            cancel = lhs_names[1]
            if cancel == "_":
                ctx.report(m, f"the cancel function of context.{target[1]} is discarded: the child context stays "
                           "registered with its parent (and its timer alive) until the parent ends; "
                           "keep it and defer cancel()")
                continue
            fn = enclosing_func(m)
            if fn is None or "." in cancel or _is_named_result(fn, cancel):
                continue
            problem = self._uncovered_return(fn, m, cancel)
            if problem is not None:
                ctx.report(m, f"{cancel} (from context.{target[1]}) is not called on every path: the return at line "
                           f"{problem.start_point[0] + 1} leaves the context alive until its parent ends; "
                           f"use defer {cancel}()", severity=Severity.WARNING)

    @staticmethod
    def _uncovered_return(fn, stmt, cancel):
        body = fn.child_by_field_name("body")
        if body is None:
            return None
        direct_calls = []
        for ident in captures(_IDENT_Q, body).get("id", []):
            if text(ident) != cancel or ident.start_byte < stmt.end_byte:
                continue
            p = ident.parent
            if p is not None and p.type == "call_expression" and p.child_by_field_name("function") == ident:
                if enclosing_func(ident) != fn:
                    return None  # called from a closure we do not follow
                if p.parent is not None and p.parent.type == "defer_statement":
                    return None
                direct_calls.append(p)
            else:
                return None  # escapes: returned, stored, passed, reassigned
        block = stmt.parent
        while block is not None and block.type not in ("block", "statement_list"):
            block = block.parent
        if block is None:
            return None
        for r in own(captures(_RETURN_Q, body).get("r", []), fn):
            if r.start_byte < stmt.end_byte or not is_within(r, block):
                continue
            if not any(_precedes_on_path(c, r) for c in direct_calls):
                return r
        if not direct_calls:
            return stmt  # never called at all
        return None


def _is_named_result(fn, name: str) -> bool:
    res = fn.child_by_field_name("result")
    if res is None or res.type != "parameter_list":
        return False
    return any(text(n) == name for d in res.named_children for n in d.children_by_field_name("name"))


def _precedes_on_path(call, ret) -> bool:
    """call is a statement that runs before ret on ret's path: it sits in a
    statement list enclosing ret, before the statement that holds ret (or in
    ret's own expression)."""
    if is_within(call, ret):
        return True
    if call.start_byte > ret.start_byte:
        return False
    stmt = call.parent
    if stmt is None or stmt.type != "expression_statement":
        return False
    lst = stmt.parent
    return lst is not None and lst.type in ("statement_list", "block") and is_within(ret, lst)


# --------------------------------------------------------------------------
# SG212

_BUILTIN_TYPES = frozenset(
    "string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr float32 float64 bool byte rune".split()
)
_CONST_Q = "(const_spec) @c"
_LITERALS = ("interpreted_string_literal", "raw_string_literal", "int_literal", "float_literal", "rune_literal", "true", "false", "iota")


def _builtin_consts(pkg) -> set[str]:
    def compute():
        out: set[str] = set()
        for f in pkg.files:
            for spec in captures(_CONST_Q, f.root).get("c", []):
                if enclosing_func(spec) is not None:
                    continue
                t = spec.child_by_field_name("type")
                vals = spec.child_by_field_name("value")
                builtin = False
                if t is not None:
                    builtin = text(t) in _BUILTIN_TYPES
                elif vals is not None:
                    builtin = all(unparen(v).type in _LITERALS for v in vals.named_children)
                else:
                    # implicit repetition in a const block: follow the previous spec
                    prev = spec.prev_named_sibling
                    while prev is not None and prev.type == "const_spec" and prev.child_by_field_name("value") is None:
                        prev = prev.prev_named_sibling
                    if prev is not None and prev.type == "const_spec":
                        pt = prev.child_by_field_name("type")
                        pv = prev.child_by_field_name("value")
                        builtin = (pt is not None and text(pt) in _BUILTIN_TYPES) or (
                            pt is None and pv is not None and all(_untyped_const_expr(v) for v in pv.named_children)
                        )
                if builtin:
                    out |= {text(n) for n in spec.children_by_field_name("name")}
        return out

    return pkg.memo(("context.builtin_consts",), compute)


def _untyped_const_expr(v) -> bool:
    """A literal, iota, or arithmetic on them: no conversion to a named type."""
    v = unparen(v)
    if v.type in _LITERALS:
        return True
    return v.type == "binary_expression" and "(" not in text(v)


class ContextKeyBuiltinType(LifecycleRule):
    meta = meta(
        "SG212",
        "context-key-builtin-type",
        Severity.WARNING,
        "Two packages that both store under the string \"user\" silently read each other's values: wrong tenant, wrong auth, wrong trace.",
        "context.WithValue keyed by a string, integer or other built-in type.",
    )
    requires_imports = (CONTEXT,)
    markers = ((b"WithValue(",),)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        consts = None
        for call in ctx.pkg.calls_to("WithValue"):
            if call[0] is not f:
                continue
            call = call[1]
            if f.call_target(call) != (CONTEXT, "WithValue"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if len(args) != 3:
                continue
            key = unparen(args[1])
            kind = None
            if key.type in _LITERALS:
                kind = "a literal of a built-in type"
            elif key.type == "call_expression" and text(key.child_by_field_name("function")) in _BUILTIN_TYPES:
                kind = f"a {text(key.child_by_field_name('function'))} conversion"
            elif key.type == "identifier":
                consts = consts if consts is not None else _builtin_consts(ctx.pkg)
                if text(key) in consts:
                    kind = f"constant {text(key)} of a built-in type"
            if kind:
                ctx.report(key, f"context.WithValue key is {kind}: any package using the same value reads or "
                           "overwrites it; declare an unexported key type (type ctxKey struct{})")


# --------------------------------------------------------------------------
# SG213


class LoopIgnoresContext(LifecycleRule):
    meta = meta(
        "SG213",
        "loop-ignores-context",
        Severity.WARNING,
        "After the caller cancels, the loop keeps polling, sleeping and retrying: work for dead requests piles up until the process is saturated.",
        "Long-running loop (sleeps, receives, selects) in a function with a ctx that never checks ctx.Done()/ctx.Err().",
    )
    requires_imports = (CONTEXT, *FRAMEWORKS)
    markers = ((HasNodes("for"),), (HasNodes("select"), b"Sleep(", b"Tick", b"After(", b".C"))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for loop in f.nodes("for"):
            kind = loop_kind(loop)
            if kind not in ("forever", "cond", "range-ticker"):
                continue
            body = loop.child_by_field_name("body")
            fn = enclosing_func(loop)
            waits = own(captures(_WAIT_Q, body).get("w", []), fn)
            if not waits and kind != "range-ticker":
                continue
            chain = chain_of(ctx, loop)
            owner = next((fi for fi in chain if fi.is_handler or any(n and n != "_" for n in fi.ctx_params)), None)
            if owner is None or in_main_or_init(chain, f):
                continue
            names = ctx_names(chain)
            if observes_context(loop, names):
                continue
            exits = exits_of(loop)
            in_goroutine = any(
                fi.node.type == "func_literal" and fi.node.parent is not None and fi.node.parent.parent is not None
                and fi.node.parent.parent.type == "go_statement" for fi in chain[: chain.index(owner)]
            )
            if not exits and in_goroutine and "SG206" in ctx.pkg.enabled:
                continue  # SG206 reports the loop that can never end
            if any(_inside_comm_case(x, loop) for x in exits):
                continue  # a quit/done channel ends it: stoppable, just not by ctx
            if kind == "cond" and not any(w.type == "call_expression" for w in waits):
                continue  # `for !done { <-ch }`: the condition is the stop signal
            what = "handler" if owner.is_handler and owner.handler != "grpc" else f"{owner.ctx_params[0]}"
            ctx.report(loop, f"this loop waits (sleep/channel/select) but never checks {what if what != 'handler' else handler_ctx_expr(owner)}"
                       ".Done() or .Err(): after the caller cancels it keeps running; select on ctx.Done() "
                       "or return when ctx.Err() != nil")


def _inside_comm_case(node, loop) -> bool:
    n = node.parent
    while n is not None and n != loop:
        if n.type == "communication_case":
            return True
        n = n.parent
    return False


RULES = [ContextChainBroken(), LostCancel(), ContextKeyBuiltinType(), LoopIgnoresContext()]
