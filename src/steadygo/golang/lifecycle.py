"""Context and goroutine lifecycles: the control-flow helpers the SG2 rules share.

Everything here is local reasoning over one function (and its closures) with
tree-sitter queries; there is no type checker, so every helper errs towards
*not* reporting when a value escapes where we cannot follow it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.functions import classify
from steadygo.golang.parse import ancestors
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, FUNC_TYPES, text, unparen

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.functions import FuncInfo
    from steadygo.golang.rules.base import FileContext


CALLS_Q = "(call_expression function: [(identifier) (selector_expression)] @fn) @call"
IDENT_Q = "(identifier) @id"
RETURN_Q = "(return_statement) @r"


EXIT_Q = """
(return_statement) @x
(goto_statement) @x
(break_statement) @x
(call_expression function: (identifier) @f (#eq? @f "panic")) @x
(call_expression function: (selector_expression field: (field_identifier) @m
   (#match? @m "^(Exit|Fatal|Fatalf|Fatalln|Goexit|FailNow|Panic|Panicf|Panicln)$"))) @x
"""


FOR_Q = "(for_statement) @for"


# What makes a loop "long-running": it sleeps, selects, or waits for a timer.
# A plain receive from some queue is left out: such loops usually end when
# the queue does.
WAIT_Q = """
(select_statement) @w
(call_expression function: (selector_expression operand: (identifier) @p field: (field_identifier) @m
   (#eq? @p "time") (#match? @m "^(Sleep|After|Tick)$"))) @w
(unary_expression operator: "<-" operand: (selector_expression field: (field_identifier) @c (#eq? @c "C"))) @w
"""


BREAK_TARGETS = frozenset({"for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"})


def own(nodes, fn_node):
    """Captures that belong to fn_node itself, not to a closure inside it."""
    return [n for n in nodes if enclosing_func(n) == fn_node]


def is_within(node, ancestor) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def calls_in(node):
    return captures(CALLS_Q, node).get("call", [])


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
    return {text(n) for n in captures(IDENT_Q, node).get("id", [])}


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
    for x in captures(EXIT_Q, loop.child_by_field_name("body")).get("x", []):
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
        if next((n for n in ancestors(x) if n.type in BREAK_TARGETS), None) == loop:
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


DECLS_Q = "[(function_declaration name: (identifier) @n) (method_declaration name: (field_identifier) @n)]"


def file_decls(pkg, file) -> dict:
    """name -> declaration nodes of one file (one query, memoised)."""

    def compute():
        out: dict = {}
        for n in captures(DECLS_Q, file.root).get("n", []):
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
        nodes = [d for d in file_decls(pkg, file).get(name, []) if d.type == want]
        out = [(d, d.child_by_field_name("body")) for d in nodes if d.child_by_field_name("body") is not None]
    else:
        out = [(fi.node, fi.body) for _f, fi in pkg.functions_named(name) if fi.node.type == want and fi.body is not None]
    return out if len(out) <= 2 else []


def chain_of(ctx, node) -> list[FuncInfo]:
    """Enclosing functions of node, innermost first, classified one by one:
    cheaper than building the file's whole function index when only a few
    candidates need it."""
    return [classify(ctx.file, n, ctx.pkg.uses_grpc) for n in ancestors(node) if n.type in FUNC_TYPES]


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


def handler_ctx_expr(fi: FuncInfo) -> str:
    p = fi.request_param() or "r"
    return {
        "net/http": f"{p}.Context()",
        "gin": f"{p}.Request.Context()",
        "echo": f"{p}.Request().Context()",
        "fiber": f"{p}.UserContext()",
    }.get(fi.handler, fi.ctx_params[0] if fi.ctx_params else "ctx")


GO_Q = "(go_statement) @g"
SEND_Q = "(send_statement) @s"


def go_statements(ctx: FileContext):
    return ctx.pkg.memo(("goroutines.go", ctx.file.path), lambda: ctx.file.nodes("go"))


def in_loop(node, stop) -> bool:
    return innermost_loop(node, stop) is not None


def forever_loops(fn, body):
    """Outermost `for {}` / `for range ticker.C` loops of fn with no exit."""
    out = []
    for loop in own(captures(FOR_Q, body).get("for", []), fn):
        if loop_kind(loop) in ("forever", "range-ticker") and not in_loop(loop, fn) and not exits_of(loop):
            out.append(loop)
    return out


def innermost_loop(node, fn):
    return next((n for n in ancestors(node, fn) if n.type == "for_statement"), None)


_PROCESS_EXITS = {("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln")}
_TIMERS = {("time", "AfterFunc"), ("time", "After"), ("time", "Sleep"), ("time", "NewTimer")}
FX = "go.uber.org/fx"


def forced_quit(pkg, file, call) -> str:
    """How the process exits even if ``call`` (a Shutdown without deadline)
    never returns, or '': a watchdog in the same function (``time.AfterFunc``
    or a goroutine waiting on a timer, then ``os.Exit`` / ``log.Fatal``), or
    an fx ``OnStop`` hook, which fx.App.Run abandons after its StopTimeout
    (15 s by default) and exits."""
    for fi in pkg.functions(file).enclosing_chain(call):
        lit = fi.node
        kv = lit.parent.parent if lit.parent is not None and lit.parent.type == "literal_element" else None
        if kv is not None and kv.type == "keyed_element" and kv.named_child(0) is not None and \
                text(kv.named_child(0)) == "OnStop":
            outer = kv.parent.parent if kv.parent is not None else None
            if outer is not None and outer.type == "composite_literal" and file.is_member(
                    outer.child_by_field_name("type"), FX, "Hook"):
                return "fx stops waiting for OnStop hooks after its StopTimeout and exits"
        body = fi.body
        if body is None:
            continue
        for c in captures("(call_expression) @c", body).get("c", []):
            if file.call_target(c) != ("time", "AfterFunc") and not (
                    c.parent is not None and c.parent.type == "go_statement"):
                continue
            inner = captures("(call_expression) @c", c).get("c", [])
            targets = {file.call_target(x) for x in inner}
            if targets & _PROCESS_EXITS and (targets & _TIMERS or file.call_target(c) == ("time", "AfterFunc")):
                return "a watchdog exits the process after a timeout"
        if fi.node.type != "func_literal":
            break  # the named function holding the call: its callers' watchdogs are out of sight
    return ""
