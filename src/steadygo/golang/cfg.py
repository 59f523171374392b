"""A control-flow graph of one Go function body, and "on every path" questions.

flow.py answers "is this released before that exit?" structurally (a release
dominates an exit when no branch separates them), which is quick but cannot
see that both arms of an ``if``/every case of a ``switch`` release, nor follow
``continue outer``.  Here the body becomes basic blocks joined by edges, the
way go/cfg builds them for go vet: a block holds the tree-sitter nodes that
run in it (simple statements whole; of a compound statement only its header:
an ``if`` condition, a ``switch`` tag, a ``case`` list, a ``for`` clause).

- ``if``/``else``, ``switch``/type switch (with ``fallthrough``), ``select``
  (a select without ``default`` runs one of its cases), ``for``/``range`` with
  ``break``/``continue`` and labels; a ``for`` without condition only leaves
  by ``break``.
- ``return`` and falling off the end of the body are the exits.
- ``panic``, ``os.Exit``, ``log.Fatal``, ``t.FailNow``... end their block with
  no successor: nothing after them needs releasing.
- ``goto`` ends its block with an *unknown* exit: we do not follow it, and a
  question whose answer depends on it gets "don't know" (callers then stay
  silent).
- ``defer`` and ``go`` statements are nodes where they stand; a deferred call
  runs at every later exit, so a path that passes ``defer cancel()`` has
  "called" cancel for every exit it reaches.
- A function literal is a separate function: its body is opaque here (an
  identifier inside it still counts as mentioned where the literal stands).

Statement nesting is walked with Python recursion bounded by ``MAX_DEPTH``:
code nested deeper than that gets no graph (every question answers "don't
know") instead of blowing the stack.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable

from steadygo.golang.parse import matches, text, unparen

MAX_DEPTH = 150

_EXITING_CALLS = frozenset({
    ("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln"),
    ("log", "Panic"), ("log", "Panicf"), ("log", "Panicln"),
})
_SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement"})
_CASES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})
# Methods that end the goroutine or the process whatever their receiver:
# testing's t.Fatal/FailNow/Skip, and the Fatal/Panic of log, logrus, zap,
# klog.  Taking a method that only logs for one that stops loses a finding,
# never invents one.
_NORETURN_METHODS = frozenset({
    "Fatal", "Fatalf", "Fatalln", "FailNow", "Skip", "Skipf", "SkipNow",
    "Panic", "Panicf", "Panicln", "Goexit", "Exitf",
})


@dataclass(frozen=True)
class Exit:
    kind: str  # 'return' | 'end' | 'unknown' (a goto we do not follow)
    node: object  # the return or goto statement; None for 'end'
    line: int


@dataclass(eq=False)
class Block:
    index: int
    nodes: list = field(default_factory=list)
    succs: list = field(default_factory=list)
    exit: Exit | None = None


@dataclass
class CFG:
    blocks: list
    entry: Block
    where: dict  # node id -> (block, position) for every node placed in a block
    loop_done: dict  # for_statement id -> block control reaches when the loop ends (break or condition false)
    loop_completed: dict  # for_statement id -> block reached only when the loop's condition fails

    def place(self, node):
        return self.where.get(node.id)


@dataclass
class _Target:
    label: str
    brk: Block
    cont: Block | None  # None for switch/select


class _TooDeep(Exception):
    pass


def is_exit_call(file, stmt) -> bool:
    """``panic(...)``, ``os.Exit``, ``log.Fatal``... as a statement (imports resolved)."""
    if stmt.type != "expression_statement":
        return False
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    if fn.type == "identifier" and text(fn) == "panic":
        return True
    return file.call_target(call) in _EXITING_CALLS


def _stops(file, stmt, noreturn: frozenset = frozenset()) -> bool:
    if is_exit_call(file, stmt):
        return True
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    if fn is not None and fn.type == "identifier":
        return text(fn) in noreturn
    return fn is not None and fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in _NORETURN_METHODS


class _Builder:
    def __init__(self, file, noreturn: frozenset = frozenset()):
        self.file = file
        self.noreturn = noreturn
        self.blocks: list[Block] = []
        self.cur: Block | None = None
        self.targets: list[_Target] = []
        self.fall: list = []  # the next case body, per enclosing switch
        self.where: dict = {}
        self.loop_done: dict = {}
        self.loop_completed: dict = {}
        self.depth = 0

    def new(self) -> Block:
        b = Block(len(self.blocks))
        self.blocks.append(b)
        return b

    def here(self) -> Block:
        if self.cur is None:  # unreachable code still gets a block (without predecessors)
            self.cur = self.new()
        return self.cur

    def add(self, node) -> None:
        if node is None:
            return
        b = self.here()
        self.where[node.id] = (b, len(b.nodes))
        b.nodes.append(node)

    def jump(self, to: Block) -> None:
        if self.cur is not None:
            self.cur.succs.append(to)
        self.cur = None

    def finish(self, kind: str, node) -> None:
        self.here().exit = Exit(kind, node, node.start_point[0] + 1)
        self.cur = None

    # statements -----------------------------------------------------------
    def body(self, node) -> None:
        """A block, a statement list or a case clause: its statements in order."""
        if node is None:
            return
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        for c in node.named_children:
            if c.type == "statement_list":
                self.body(c)
            elif node.type == "statement_list" or node.type == "block":
                if c.type != "comment":
                    self.stmt(c)
        self.depth -= 1

    def stmt(self, s, label: str = "") -> None:
        t = s.type
        if t == "block":
            self.body(s)
        elif t == "return_statement":
            self.add(s)
            self.finish("return", s)
        elif t == "expression_statement":
            self.add(s)
            if _stops(self.file, s, self.noreturn):
                self.cur = None
        elif t == "if_statement":
            self.if_stmt(s)
        elif t == "for_statement":
            self.for_stmt(s, label)
        elif t in _SWITCHES:
            self.switch_stmt(s, label)
        elif t == "select_statement":
            self.select_stmt(s, label)
        elif t == "labeled_statement":
            inner = s.named_children[1] if s.named_child_count > 1 else None
            if inner is not None:
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    raise _TooDeep
                self.stmt(inner, text(s.child_by_field_name("label")))
                self.depth -= 1
        elif t in ("break_statement", "continue_statement"):
            self.branch(s)
        elif t == "goto_statement":
            self.add(s)
            self.finish("unknown", s)
        elif t == "fallthrough_statement":
            self.add(s)
            if self.fall and self.fall[-1] is not None:
                self.jump(self.fall[-1])
            else:
                self.finish("unknown", s)
        elif t != "empty_statement":
            self.add(s)  # simple statements, declarations, go, defer

    def branch(self, s) -> None:
        lab = s.named_child(0) if s.named_child_count else None
        name = text(lab) if lab is not None else ""
        want_loop = s.type == "continue_statement"
        target = None
        for tg in reversed(self.targets):
            if name and tg.label != name:
                continue
            if want_loop and tg.cont is None:
                if name:
                    break
                continue
            target = tg
            break
        self.add(s)
        if target is None:
            self.finish("unknown", s)
        else:
            self.jump(target.cont if want_loop else target.brk)

    def if_stmt(self, s) -> None:
        self.add(s.child_by_field_name("initializer"))
        self.add(s.child_by_field_name("condition"))
        head = self.here()
        done = self.new()
        then_b = self.new()
        head.succs.append(then_b)
        self.cur = then_b
        self.body(s.child_by_field_name("consequence"))
        self.jump(done)
        alt = s.child_by_field_name("alternative")
        if alt is not None:
            else_b = self.new()
            head.succs.append(else_b)
            self.cur = else_b
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeep
            self.stmt(alt)
            self.depth -= 1
            self.jump(done)
        else:
            head.succs.append(done)
        self.cur = done

    def for_stmt(self, s, label: str) -> None:
        clause = next((c for c in s.named_children if c.type not in ("block", "comment")), None)
        cond = update = None
        endless = clause is None
        if clause is not None and clause.type == "for_clause":
            self.add(clause.child_by_field_name("initializer"))
            cond = clause.child_by_field_name("condition")
            update = clause.child_by_field_name("update")
            endless = cond is None
        elif clause is not None:
            cond = clause  # a range clause or a bare condition
        head = self.new()
        self.jump(head)
        self.cur = head
        self.add(cond)
        done = self.new()
        if not endless:
            completed = self.new()
            head.succs.append(completed)
            completed.succs.append(done)
            self.loop_completed[s.id] = completed
        self.loop_done[s.id] = done
        post = head
        if update is not None:
            post = self.new()
            self.cur = post
            self.add(update)
            self.jump(head)
        body_b = self.new()
        head.succs.append(body_b)
        self.targets.append(_Target(label, done, post))
        self.cur = body_b
        self.body(s.child_by_field_name("body"))
        self.jump(post)
        self.targets.pop()
        self.cur = done

    def switch_stmt(self, s, label: str) -> None:
        self.add(s.child_by_field_name("initializer"))
        if s.type == "type_switch_statement":
            self.add(s.child_by_field_name("alias"))
        self.add(s.child_by_field_name("value"))
        head = self.here()
        done = self.new()
        cases = [c for c in s.named_children if c.type in _CASES]
        bodies = [self.new() for _ in cases]
        self.targets.append(_Target(label, done, None))
        for i, c in enumerate(cases):
            test = self.new()
            head.succs.append(test)
            self.cur = test
            self.add(c.child_by_field_name("value"))
            self.jump(bodies[i])
            self.cur = bodies[i]
            self.fall.append(bodies[i + 1] if i + 1 < len(bodies) else None)
            self.body(c)
            self.fall.pop()
            self.jump(done)
        if not any(c.type == "default_case" for c in cases):
            head.succs.append(done)
        self.targets.pop()
        self.cur = done

    def select_stmt(self, s, label: str) -> None:
        head = self.here()
        done = self.new()
        self.targets.append(_Target(label, done, None))
        for c in s.named_children:
            if c.type not in _CASES:
                continue
            b = self.new()
            head.succs.append(b)
            self.cur = b
            self.add(c.child_by_field_name("communication"))
            self.body(c)
            self.jump(done)
        self.targets.pop()
        self.cur = done  # select {} has no case: nothing reaches done


def build(file, fn_node, noreturn: frozenset = frozenset()) -> CFG | None:
    """The graph of a function declaration, method or literal; None when it
    has no body or is nested too deep to build.  ``noreturn``: names of the
    package's functions that never return (a call to one ends its path)."""
    body = fn_node.child_by_field_name("body")
    if body is None:
        return None
    b = _Builder(file, noreturn)
    entry = b.here()
    try:
        b.body(body)
    except _TooDeep:
        return None
    if b.cur is not None:
        b.cur.exit = Exit("end", None, body.end_point[0] + 1)
    return CFG(b.blocks, entry, b.where, b.loop_done, b.loop_completed)


def function_cfg(ctx, fn_node) -> CFG | None:
    """One graph per function, shared by every rule that asks."""
    return ctx.pkg.memo(("cfg", ctx.file.path, fn_node.id), lambda: build(ctx.file, fn_node, never_returning(ctx.pkg)))


_FUNC_DECL_Q = "(function_declaration name: (identifier) @name body: (block) @body) @fn"
_STOP_WORDS = (b"Exit(", b"Fatal", b"panic(", b"Goexit(")


def never_returning(pkg) -> frozenset:
    """Functions of the package (not methods) no path of which returns --
    ``func die(msg string) { log.Print(msg); os.Exit(1) }`` -- as go vet's
    ctrlflow pass finds them.  One level deep: a function that only calls
    another such function is not found (a path then wrongly stays open,
    which can only add a finding a caller then judges)."""
    def compute():
        names = set()
        for f in pkg.files:
            if not any(w in f.source for w in _STOP_WORDS):
                continue
            for m in matches(_FUNC_DECL_Q, f.root):
                caps = m[1]
                body = caps["body"][0]
                if not any(w in body.text for w in _STOP_WORDS):
                    continue
                g = build(f, caps["fn"][0])
                if g is not None and not exits_avoiding(g, g.entry, lambda n: False):
                    names.add(text(caps["name"][0]))
        return frozenset(names)

    return pkg.memo(("cfg.noreturn",), compute)


# questions ------------------------------------------------------------------

def exits_avoiding(cfg: CFG, start, blocked: Callable, stop_at: frozenset | set = frozenset()) -> list[Exit]:
    """Every exit reachable from ``start`` along a path on which no node is
    ``blocked`` (a release, a use) and that enters no block whose index is in
    ``stop_at``.  ``start``: a node placed in the graph (the path begins
    right after it) or a Block (the path begins at its first node).  Empty
    when every path is blocked or none leaves the function."""
    if isinstance(start, Block):
        first = [start]
    else:
        placed = cfg.place(start)
        if placed is None:
            return [Exit("unknown", start, start.start_point[0] + 1)]
        blk, i = placed
        if any(blocked(n) for n in blk.nodes[i + 1:]):
            return []
        if blk.exit is not None:
            return [blk.exit]
        first = blk.succs
    out: list[Exit] = []
    seen: set[int] = set()
    work = list(reversed(first))
    while work:
        b = work.pop()
        if b.index in seen:
            continue
        seen.add(b.index)
        if b.index in stop_at or any(blocked(n) for n in b.nodes):
            continue
        if b.exit is not None:
            out.append(b.exit)
            continue
        work.extend(reversed(b.succs))
    return out


def first_escape(cfg: CFG | None, start, blocked: Callable) -> Exit | None:
    """The earliest (by line) exit some unblocked path from ``start``
    reaches; None when every path is blocked -- or when the answer hangs on a
    ``goto`` or a graph we could not build (don't know: say nothing)."""
    if cfg is None:
        return None
    found = exits_avoiding(cfg, start, blocked)
    if not found or any(e.kind == "unknown" for e in found):
        return None
    return min(found, key=lambda e: e.line)


def every_path_blocked(cfg: CFG | None, start, blocked: Callable) -> bool | None:
    """True when every path from ``start`` to an exit meets a blocked node
    (a release on every path), False when some path does not, None when we
    cannot tell."""
    if cfg is None:
        return None
    found = exits_avoiding(cfg, start, blocked)
    if any(e.kind == "unknown" for e in found):
        return None
    return not found


def mentions(positions: list[int]) -> Callable:
    """A ``blocked`` predicate: the node's text contains one of these byte
    offsets (sorted starts of the identifiers that count as a use)."""
    def blocked(node) -> bool:
        i = bisect.bisect_left(positions, node.start_byte)
        return i < len(positions) and positions[i] < node.end_byte
    return blocked


_OPPOSITE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def complementary(a, b) -> bool:
    """Whether conditions ``a`` and ``b`` cannot both be false (nothing they
    read changing in between): ``c`` / ``!c``, ``x == v`` / ``x != v``,
    ``x < v`` / ``x >= v``, ``i%2 == 0`` / ``i%2 == 1``.  The graph itself is
    path-insensitive; this lets a caller see that ``if i%2 == 0 { cancel() }``
    followed by ``if i%2 == 1 { cancel() }`` covers every path."""
    a, b = unparen(a), unparen(b)
    if a is None or b is None:
        return False
    ta, tb = text(a).replace(" ", ""), text(b).replace(" ", "")
    for x, y in ((a, tb), (b, ta)):
        if x.type == "unary_expression" and text(x.child_by_field_name("operator")) == "!":
            if text(unparen(x.child_by_field_name("operand"))).replace(" ", "") == y:
                return True
    if a.type != "binary_expression" or b.type != "binary_expression":
        return False
    oa, ob = text(a.child_by_field_name("operator")), text(b.child_by_field_name("operator"))
    la, lb = text(a.child_by_field_name("left")).replace(" ", ""), text(b.child_by_field_name("left")).replace(" ", "")
    ra, rb = text(a.child_by_field_name("right")).replace(" ", ""), text(b.child_by_field_name("right")).replace(" ", "")
    if la != lb:
        return False
    if ra == rb and _OPPOSITE.get(oa) == ob:
        return True
    return oa == ob == "==" and la.endswith("%2") and {ra, rb} == {"0", "1"}
