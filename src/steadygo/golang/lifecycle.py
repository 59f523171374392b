"""Context and goroutine lifecycles: the control-flow helpers the SG2 rules share.

Everything here is local reasoning over one function (and its closures) with
tree-sitter queries; there is no type checker, so every helper errs towards
*not* reporting when a value escapes where we cannot follow it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.consts import int_constant
from steadygo.golang.facts import duration_seconds, package_constants
from steadygo.golang.functions import classify
from steadygo.golang.parse import ancestors
from steadygo.golang.parse import captures, enclosing_function as enclosing_func, FUNC_TYPES, text, unparen
from steadygo.golang.values import assigned_from

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


# Calls whose result is a listing of something outside the program: a
# directory, a bucket, a table, a remote API's page of items.  A loop over
# one runs as many times as the outside world says.
_LISTING = re.compile(r"^(ReadDir|Readdir|Readdirnames|Glob|Walk\w*|List(?!en)\w*|Query\w*|Search\w*|Fetch\w*|Scan\w*)$")
_INT_TYPES = frozenset({"int", "int32", "int64", "uint", "uint32", "uint64"})


def unbounded_loop_source(pkg, file, loop, fn_node) -> str:
    """Why ``loop`` may run an unbounded number of times, or '' when it runs
    over what the program itself holds (a literal, a constant count, the
    receiver's or a value's own fields, a local built from those).

    Unbounded: ``for {}`` and ``for cond {}``, a ticker, and a range or
    ``i < n`` bound over a parameter (the caller's data, a channel), over a
    listing (``os.ReadDir``, ``filepath.Glob``, ``List*``/``Walk*``/``Query*``
    results) or over the request (``r.Form``, ``r.MultipartForm.File``)."""
    kind = loop_kind(loop)
    if kind in ("forever", "cond", "range-ticker"):
        return "no fixed bound"
    src = None
    for c in loop.named_children:
        if c.type == "range_clause":
            src = c.child_by_field_name("right")
        elif c.type == "for_clause":
            cond = unparen(c.child_by_field_name("condition"))
            if cond is not None and cond.type == "binary_expression":
                src = cond.child_by_field_name("right")
    if src is None or fn_node is None:
        return ""
    params = _param_types(file, fn_node)
    body = fn_node.child_by_field_name("body")
    work, seen = [(src, 0)], set()
    while work:
        expr, depth = work.pop()
        expr = unparen(expr)
        if expr is None or expr.id in seen or depth > 4:
            continue
        seen.add(expr.id)
        if expr.type == "call_expression":
            name = callee_name(expr)
            if _LISTING.match(name):
                return f"over a listing from {name}"
            args = expr.child_by_field_name("arguments")
            if name in ("len", "append") and args is not None:
                work += [(a, depth + 1) for a in args.named_children]
            continue
        if expr.type in ("variadic_argument", "unary_expression"):
            work += [(c, depth) for c in expr.named_children]
            continue
        root = expr
        while root is not None and root.type in ("selector_expression", "index_expression", "slice_expression"):
            root = unparen(root.named_child(0))
        if root is None or root.type != "identifier":
            continue
        name = text(root)
        if name in params:
            ptype = params[name]
            if ptype.replace(" ", "").endswith("http.Request"):
                return "over request data"
            if root is expr and (ptype.startswith(("[]", "map[", "chan ", "<-chan", "...")) or ptype in _INT_TYPES):
                return "over the caller's data"
            continue
        if root is expr and body is not None:
            work += [(rhs, depth + 1) for rhs in assigned_from(body, name)]
    return ""


def _param_types(file, fn_node) -> dict[str, str]:
    """Parameter name -> type text of fn_node (not its receiver)."""
    return {p.name: p.type_text for p in classify(file, fn_node).params if p.name and p.name != "_"}


def used_after(loop, names: set[str], fn_node) -> bool:
    """Whether any of ``names``, or a variable the loop body stores one of
    them into (``files = append(files, f)``, ``readers[i] = r``), is read
    after the loop in fn_node: the resource is still needed there, so the
    defer keeps it alive on purpose."""
    body = loop.child_by_field_name("body")
    if body is None or not names:
        return False
    held = set(names)
    for _ in range(3):  # stores of stores: buf -> inline[i] -> writers[i]
        grew = False
        for stmt in captures("[(assignment_statement) (short_var_declaration)] @a", body).get("a", []):
            right, left = stmt.child_by_field_name("right"), stmt.child_by_field_name("left")
            if right is None or left is None or not (_stored(right) & held):
                continue
            op = stmt.child_by_field_name("operator")
            if op is not None and text(op) != "=":
                continue  # total += st.Size(): a number computed from it
            for target in left.named_children:
                if target.type == "identifier" and not _carried(right, held):
                    continue  # pInfo, err = api.Put(ctx, r): a result, not the resource kept
                root = target
                while root is not None and root.type in ("selector_expression", "index_expression"):
                    root = root.named_child(0)
                if root is not None and root.type == "identifier" and text(root) not in held:
                    held.add(text(root))
                    grew = True
        if not grew:
            break
    # what the body declares is gone after the loop (a later ``r`` is another variable)
    local = {text(x) for x in captures("(short_var_declaration left: (expression_list (identifier) @n))", body).get("n", [])}
    local |= {text(x) for x in captures("(var_spec name: (identifier) @n)", body).get("n", [])}
    held -= local
    fn_body = fn_node.child_by_field_name("body")
    if fn_body is None or not held:
        return False
    for ident in captures(IDENT_Q, fn_body).get("id", []):
        if ident.start_byte >= loop.end_byte and text(ident) in held:
            return True
    return False


def _carried(right, held: set[str]) -> bool:
    """A plain variable keeps the resource when it is assigned the resource
    itself or an append of it (``files = append(files, wrap(f))``)."""
    for v in right.named_children:
        v = unparen(v)
        if v is None:
            continue
        if v.type == "identifier" and text(v) in held:
            return True
        if v.type == "call_expression" and callee_name(v) == "append" and _stored(v) & held:
            return True
    return False


def _stored(expr) -> set[str]:
    """Identifiers whose value ``expr`` carries on: ``f`` in ``append(fs, f)``
    or ``wrap(f)``, not in ``f.Stat()`` (a result computed from f)."""
    out = set()
    for ident in captures(IDENT_Q, expr).get("id", []):
        p = ident.parent
        if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
            continue
        out.add(text(ident))
    return out
# A sleep this short is a spin to let the clock move (a unique UnixNano id),
# not a wait: nothing piles up behind it.
BRIEF_SLEEP_SECONDS = 1e-3


def is_brief_sleep(pkg, file, call) -> bool:
    """``time.Sleep(d)`` with ``d`` known to be at most a millisecond."""
    if call.type != "call_expression" or not file.is_member(call.child_by_field_name("function"), "time", "Sleep"):
        return False
    args = call.child_by_field_name("arguments").named_children
    d = duration_seconds(pkg, file, args[0], enclosing_func(call)) if len(args) == 1 else None
    return d is not None and d <= BRIEF_SLEEP_SECONDS


def waits_then_leaves(wait, loop) -> bool:
    """The wait is a statement followed at once by a ``return`` or by a
    ``break`` that leaves ``loop``: it runs once on the way out (``sleep; break``
    before a reconnect), it does not make the loop repeat."""
    stmt = wait.parent
    if stmt is None or stmt.type != "expression_statement":
        return False
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None:
        return False
    if nxt.type == "return_statement":
        return True
    return nxt.type == "break_statement" and nxt in exits_of(loop)


_COUNTER_STEP_Q = """
(inc_statement (identifier) @v)
(dec_statement (identifier) @v)
(assignment_statement left: (expression_list (identifier) @v) operator: ["+=" "-="])
"""


# Rounds of a counted loop that make it a bounded retry rather than a stream.
MAX_RETRY_ROUNDS = 10


def counted_loop(pkg, loop) -> bool:
    """``for n < 5 { ...; n++ }``: a ``cond`` loop that compares a counter with
    a constant of at most MAX_RETRY_ROUNDS and steps it in its body, so it
    ends after a few rounds (a bounded retry).  ``for n < 1000`` with a sleep
    per round is a stream of its own and stays a wait."""
    cond = next((c for c in loop.named_children if c.is_named and c.type == "binary_expression"), None)
    if cond is None or text(cond.child_by_field_name("operator")) not in ("<", "<=", ">", ">=", "!="):
        return False
    left, right = unparen(cond.child_by_field_name("left")), unparen(cond.child_by_field_name("right"))
    if left is None or right is None:
        return False
    if left.type != "identifier":
        left, right = right, left
    if left.type != "identifier" or not _constant(pkg, right):
        return False
    steps = captures(_COUNTER_STEP_Q, loop.child_by_field_name("body")).get("v", [])
    return any(text(v) == text(left) for v in steps)


def _constant(pkg, node) -> bool:
    if node.type == "identifier":
        hit = package_constants(pkg).get(text(node))  # (file, value node)
        node = hit[1] if hit is not None else None
    return node is not None and 0 < int_constant(node) <= MAX_RETRY_ROUNDS
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
