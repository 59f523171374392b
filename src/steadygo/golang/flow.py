"""Small, structured control-flow questions over one function body.

"Is this resource released on every path from where it is acquired to every
way out of the function?"  Go code is structured (goto is rare), so instead of
building a CFG we enumerate the *exits* reachable after the acquisition
(``return`` statements, the end of the variable's scope, ``break``/``continue``
leaving a loop the acquisition sits in) and ask, for each, whether some release
*dominates* it: a release that is not inside a branch (if/else arm, case
clause, loop body) the exit is not also inside.  A ``defer`` or ``go``
statement counts where it stands, whatever its literal does inside.

Exits inside the acquisition's own error check (``if err != nil`` right after
``x, err := acquire()``, while ``err`` is still that error) are skipped: the
resource is nil there.

Everything is iterative: ancestor climbs and explicit work lists, so deep
code cannot blow the Python stack.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from steadygo.golang.cfg import exits_avoiding, is_exit_call, mentions
from steadygo.golang.parse import ancestors, captures, FUNC_TYPES, kind_id, text, unparen
from steadygo.golang.parse import enclosing_function as owner_function  # the name flow's users know

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext

_CASE_TYPES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})
_BREAKABLE = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})
_RETURNS_Q = "[(return_statement) (break_statement) (continue_statement)] @r"
_SEL_CALLS_Q = "(call_expression function: (selector_expression operand: (_) @op field: (field_identifier) @m)) @call"
_IDENT_Q = "(identifier) @id"
_ERR_ASSIGN_Q = """
(assignment_statement left: (expression_list (identifier) @id))
(short_var_declaration left: (expression_list (identifier) @id))
"""


def contains(node, start: int, end: int) -> bool:
    return node.start_byte <= start and end <= node.end_byte


def is_branch(node) -> bool:
    """A region that may or may not run when control passes its statement."""
    t = node.type
    if t in _CASE_TYPES:
        return True
    p = node.parent
    if p is None:
        return False
    if t == "block" and p.type in ("if_statement", "for_statement"):
        return True
    if t == "if_statement" and p.type == "if_statement" and p.child_by_field_name("alternative") == node:
        return True
    return False


def anchor(node, stop):
    """The node that stands for ``node`` in the flow of ``stop``'s body: the
    enclosing ``defer``/``go`` statement when there is one below ``stop``."""
    n = node
    best = node
    while n is not None and n != stop:
        if n.type in ("defer_statement", "go_statement"):
            best = n
        n = n.parent
    return best


def _nil_guard(branch, res) -> bool:
    """``if resp != nil { defer resp.Body.Close() }``, ``if err == nil
    {...}`` or the ``else`` of ``if err != nil {...}`` right after the
    acquisition: when the branch is skipped there is nothing to release, so a
    release inside it covers every path."""
    if res is None:
        return False
    p = branch.parent
    if branch.type != "block" or p is None or p.type != "if_statement":
        return False
    if p.child_by_field_name("consequence") == branch:
        taken = True
    elif p.child_by_field_name("alternative") == branch:
        taken = False  # if err != nil { log } else { ...; rows.Close() }: the skipped side has nothing
    else:
        return False
    return bool(_implied(p.child_by_field_name("condition"), res, taken) & {"var!=", "err=="})


def dominates(release, start: int, end: int, acq=None, res=None) -> bool:
    """True when ``release`` runs on every path from ``acq`` that reaches
    [start, end) (structured approximation): no branch separates the release
    from the lowest node holding it together with the exit or the acquisition."""
    n = release
    while True:
        p = n.parent
        if p is None:
            return False
        if contains(p, start, end):
            return True
        if acq is not None and contains(p, acq.start_byte, acq.end_byte):
            return True
        if is_branch(p) and not (acq is not None and _same_condition_as_acq(p, acq)) and not _nil_guard(p, res):
            return False
        n = p


def _guard(block):
    """Condition text of the if whose consequence is ``block``."""
    p = block.parent
    if block.type == "block" and p is not None and p.type == "if_statement" and p.child_by_field_name("consequence") == block:
        return text(p.child_by_field_name("condition")).replace(" ", "")
    return None


def _same_condition_as_acq(branch, acq) -> bool:
    """``if b == 10 { mu.Lock() } ... if b == 10 { mu.Unlock() }``: the
    release sits under the same test as the acquisition."""
    cond = _guard(branch)
    if cond is None:
        return False
    for n in ancestors(acq):
        if n.type in FUNC_TYPES:
            break
        if _guard(n) == cond:
            return True
    return False


def lowest_common(a, start: int, end: int):
    n = a
    while n is not None and not contains(n, start, end):
        n = n.parent
    return n


def terminates(file, stmt) -> bool:
    """Whether control never falls off the end of ``stmt`` (Go spec's
    terminating statements, simplified).  Iterative over nested if/else."""
    work = [stmt]
    while work:
        s = work.pop()
        while s is not None and s.type == "labeled_statement":
            s = s.named_children[-1] if s.named_child_count > 1 else None
        if s is None:
            return False
        t = s.type
        if t in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
            continue
        if is_exit_call(file, s):
            continue
        if t == "block":
            last = last_statement(s)
            if last is None:
                return False
            work.append(last)
            continue
        if t == "if_statement":
            alt = s.child_by_field_name("alternative")
            if alt is None:
                return False
            work.append(s.child_by_field_name("consequence"))
            work.append(alt)
            continue
        if t == "for_statement":
            header = [c for c in s.named_children if c.type != "block"]
            if header or has_break_to(s):
                return False
            continue
        if t in _SWITCHES:
            # a switch with a default (a select needs none) whose every case
            # ends in a terminating statement, and no break out of it
            cases = [c for c in s.named_children if c.type in _CASES]
            if (t != "select_statement" and not any(c.type == "default_case" for c in cases)) or has_break_to(s):
                return False
            for c in cases:
                last = _case_last(c)
                if last is None:
                    return False
                if last.type != "fallthrough_statement":
                    work.append(last)
            continue
        return False
    return True


_SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
_CASES = frozenset({"expression_case", "type_case", "default_case", "communication_case"})


def _case_last(case):
    for c in case.named_children:
        if c.type == "statement_list":
            stmts = [x for x in c.named_children if x.type != "comment"]
            return stmts[-1] if stmts else None
    return None


def last_statement(block):
    for c in block.named_children:
        if c.type == "statement_list":
            stmts = [x for x in c.named_children if x.type != "comment"]
            return stmts[-1] if stmts else None
    return None


def break_target(stmt):
    """The statement a break/continue leaves; None for labelled ones."""
    if stmt.named_child_count:  # label
        return None
    kinds = _BREAKABLE if stmt.type == "break_statement" else frozenset({"for_statement"})
    for n in ancestors(stmt):
        if n.type in FUNC_TYPES:
            return None
        if n.type in kinds:
            return n
    return None


def has_break_to(loop) -> bool:
    for b in captures("(break_statement) @b", loop).get("b", []):
        if b.named_child_count or break_target(b) == loop:
            return True
    return False


@dataclass
class Resource:
    """What is acquired and how it is released.

    ``var``: the variable holding it ('' when not held in a plain identifier).
    ``operands``: expression texts a release method is called on
    (``resp.Body``, ``rows``, ``s.mu``).  ``methods``: release method names.
    ``err_var``: the error returned with it.  ``scoped``: declared with ``:=``
    at the acquisition, so it dies at the end of that block.
    ``arg_releases(call, idx, ref, is_var)``: whether passing the value to a
    call counts as release (a helper that closes it, or handing it off).
    ``next_loop_releases``: ``for v.Next() {}`` running to completion closes
    it (database/sql and pgx rows do).
    """

    var: str
    operands: frozenset[str]
    methods: frozenset[str]
    err_var: str = ""
    scoped: bool = True
    sub_field: str = ""  # 'Body' for responses: resp.Body is the closable part
    escapes: bool = True  # assigning/returning/storing the value hands it off
    arg_releases: Callable | None = None
    next_loop_releases: bool = False
    # gorm: ``tx := db.Begin()`` carries its error in ``tx.Error``; tested
    # right after the Begin, a non-nil one means no transaction was started
    error_field: str = ""


@dataclass
class Leak:
    kind: str  # 'return', 'end', 'break', 'continue'
    line: int
    node: object = None  # the exit statement; for 'end' the statement list whose end it is


@dataclass
class FunctionFlow:
    """Per-function facts shared by every resource analysed in it."""

    file: object
    fn: object  # function node
    body: object
    _exits: list | None = None
    _sel_calls: list | None = None
    _idents: dict | None = None
    _assigns: dict | None = None

    def own(self, node) -> bool:
        return owner_function(node) == self.fn

    def exits(self):
        if self._exits is None:
            self._exits = [r for r in captures(_RETURNS_Q, self.body).get("r", []) if self.own(r)]
        return self._exits

    def sel_calls(self):
        if self._sel_calls is None:
            caps = captures(_SEL_CALLS_Q, self.body)
            self._sel_calls = [(c, c.child_by_field_name("function")) for c in caps.get("call", [])]
        return self._sel_calls

    def idents(self, name: str):
        if self._idents is None:
            self._idents = {}
            for i in captures(_IDENT_Q, self.body).get("id", []):
                self._idents.setdefault(text(i), []).append(i)
        return self._idents.get(name, [])

    def assignments_to(self, name: str) -> list[tuple[int, object]]:
        """(position, statement) of assignments to a plain identifier, in order."""
        if self._assigns is None:
            self._assigns = {}
            for i in captures(_ERR_ASSIGN_Q, self.body).get("id", []):
                self._assigns.setdefault(text(i), []).append((i.start_byte, i.parent.parent))
            for v in self._assigns.values():
                v.sort(key=lambda a: a[0])
        return self._assigns.get(name, [])


def releases(flow: FunctionFlow, res: Resource) -> list:
    """Nodes (anchored at defer/go statements) that release or hand off the
    resource anywhere in the function."""
    out = []
    for call, sel in flow.sel_calls():
        if text(sel.child_by_field_name("field")) in res.methods:
            op = text(sel.child_by_field_name("operand")).replace(" ", "")
            if op in res.operands:
                out.append(anchor(call, flow.body))
    if res.var and res.var != "_":
        for ident in flow.idents(res.var):
            if _occurrence_releases(ident, res):
                out.append(anchor(ident, flow.body))
        if res.next_loop_releases:
            for ident in flow.idents(res.var):
                sel = ident.parent
                if sel is None or sel.type != "selector_expression" or text(sel.child_by_field_name("field")) != "Next":
                    continue
                call = sel.parent
                loop = call.parent if call is not None else None
                if loop is not None and loop.type == "for_statement" and call.type == "call_expression":
                    if not has_break_to(loop):
                        out.append(loop)
                first = _first_statement_after_false_next(call)
                if first is not None:
                    out.append(first)
    return out


def _first_statement_after_false_next(call):
    """``if !rows.Next() { return ... }``: database/sql closes the rows when
    Next reports false, so whatever the consequence does is after the
    release; its first statement stands for it."""
    if call is None or call.type != "call_expression":
        return None
    neg = call.parent
    while neg is not None and neg.type == "parenthesized_expression":
        neg = neg.parent
    if neg is None or neg.type != "unary_expression" or text(neg.child_by_field_name("operator")) != "!":
        return None
    cond = neg
    while cond.parent is not None and cond.parent.type == "parenthesized_expression":
        cond = cond.parent
    stmt = cond.parent
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("condition") != cond:
        return None
    block = stmt.child_by_field_name("consequence")
    body = [c for c in block.named_children if c.type != "comment"] if block is not None else []
    if body and body[0].type == "statement_list":
        body = [c for c in body[0].named_children if c.type != "comment"]
    return body[0] if body else None


def _occurrence_releases(ident, res: Resource) -> bool:
    ref = ident
    p = ref.parent
    if p is None:
        return False
    if p.type == "selector_expression" and p.child_by_field_name("operand") == ref:
        field_name = text(p.child_by_field_name("field"))
        if res.sub_field and field_name == res.sub_field:
            ref = p
            p = ref.parent
            if p is None:
                return False
        else:
            # v.Close as a method value (handed to a deferred checker)
            return field_name in res.methods and not (p.parent is not None and p.parent.type == "call_expression" and p.parent.child_by_field_name("function") == p)
    if p.type == "selector_expression" and p.child_by_field_name("operand") == ref:
        field_name = text(p.child_by_field_name("field"))
        return field_name in res.methods and not (p.parent is not None and p.parent.type == "call_expression" and p.parent.child_by_field_name("function") == p)
    while p is not None and (p.type == "parenthesized_expression" or (p.type == "unary_expression" and text(p)[:1] == "&")):
        ref = p
        p = p.parent
    if p is None:
        return False
    t = p.type
    if t == "argument_list":
        call = p.parent
        if res.arg_releases is None:
            return False
        idx = [c.id for c in p.named_children].index(ref.id)
        return bool(res.arg_releases(call, idx, ref, ref.type == "identifier"))
    if not res.escapes:
        return False
    if t == "expression_list":
        stmt = p.parent
        if stmt is None:
            return False
        if stmt.type in ("assignment_statement", "short_var_declaration"):
            return stmt.child_by_field_name("right") == p
        return stmt.type in ("return_statement", "var_spec")
    if t in ("return_statement", "literal_element", "keyed_element", "var_spec"):
        return True
    if t == "send_statement":
        return p.child_by_field_name("value") == ref
    return False


def _cond_kind(cond, res: Resource) -> str:
    cond = unparen(cond)
    if cond is None or cond.type != "binary_expression":
        return ""
    op = text(cond.child_by_field_name("operator"))
    left = unparen(cond.child_by_field_name("left"))
    right = unparen(cond.child_by_field_name("right"))
    if op not in ("==", "!=") or left is None or right is None:
        return ""
    if right.type != "nil":
        left, right = right, left
    if right.type != "nil":
        return ""
    if left.type == "selector_expression" and res.sub_field and text(left.child_by_field_name("field")) == res.sub_field:
        left = unparen(left.child_by_field_name("operand"))
    if left is None or left.type != "identifier":
        return ""
    name = text(left)
    if res.err_var and name == res.err_var:
        return "err" + op
    if res.var and name == res.var:
        return "var" + op
    return ""


_NEGATED = {"err==": "err!=", "err!=": "err==", "var==": "var!=", "var!=": "var=="}


def _implied(cond, res: Resource, taken: bool) -> set[str]:
    """The nil tests of the resource or its error (``err!=``, ``var==``...)
    that hold where ``cond`` is true (taken) or false: ``err != nil &&
    ctx.Err() != nil`` taken implies ``err!=``; ``resp != nil && resp.Body !=
    nil`` taken implies ``var!=``; an ``||`` says something only when false."""
    cond = unparen(cond)
    if cond is None:
        return set()
    if cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
        return _implied(cond.child_by_field_name("operand"), res, not taken)
    if cond.type == "binary_expression":
        op = text(cond.child_by_field_name("operator"))
        if op in ("&&", "||"):
            if (op == "&&") != taken:
                return set()  # a false && or a true ||: either side may be the one
            return _implied(cond.child_by_field_name("left"), res, taken) | _implied(cond.child_by_field_name("right"), res, taken)
    if cond.type == "call_expression" and _tests_error_value(cond, res):
        # errors.Is(err, context.DeadlineExceeded) holds only for a non-nil
        # err; false says nothing (err may be nil or another error).
        return {"err!="} if taken else set()
    kind = _cond_kind(cond, res)
    if not kind:
        return set()
    return {kind} if taken else {_NEGATED[kind]}


def _tests_error_value(call, res: Resource) -> bool:
    """``errors.Is(err, target)`` / ``errors.As(err, &target)`` on the
    acquisition's error (by text: a package named errors that is not the
    standard one would be a rarity)."""
    fn = call.child_by_field_name("function")
    if not res.err_var or fn is None or text(fn).replace(" ", "") not in ("errors.Is", "errors.As"):
        return False
    args = call.child_by_field_name("arguments")
    first = unparen(args.named_children[0]) if args is not None and args.named_child_count else None
    return first is not None and first.type == "identifier" and text(first) == res.err_var


def in_error_branch(flow: FunctionFlow, acq, exit_node, res: Resource) -> bool:
    """Exit sits where the acquisition failed (resource is nil there)."""
    n = exit_node
    while n is not None and not contains(n, acq.start_byte, acq.end_byte):
        p = n.parent
        if p is None:
            break
        if_stmt = None
        in_cons = False
        if p.type == "if_statement" and n.type in ("block", "if_statement"):
            if p.child_by_field_name("consequence") == n:
                if_stmt, in_cons = p, True
            elif p.child_by_field_name("alternative") == n:
                if_stmt, in_cons = p, False
        if if_stmt is not None and if_stmt.start_byte >= acq.end_byte:
            if _failure_test(flow, acq, if_stmt, res, in_cons):
                return True
        if p.type == "statement_list":
            # `if err == nil { ...; return }` earlier in the list: whatever
            # follows it runs only when the acquisition failed.
            for sib in p.named_children:
                if sib.start_byte >= n.start_byte:
                    break
                if sib.type != "if_statement" or sib.start_byte < acq.end_byte or sib.child_by_field_name("alternative") is not None:
                    continue
                if _failure_test(flow, acq, sib, res, False) and terminates(flow.file, sib.child_by_field_name("consequence")):
                    return True
        n = p
    return False


def _failure_test(flow, acq, if_stmt, res, in_cons: bool) -> bool:
    """Whether the consequence (in_cons) or the else side of ``if_stmt`` is
    where the acquisition failed."""
    if res.error_field and _tests_own_error_field(acq, if_stmt, res, in_cons):
        return True
    init = if_stmt.child_by_field_name("initializer")
    if init is not None and res.err_var:
        if any(text(x) == res.err_var for x in captures("(identifier) @i", init).get("i", [])):
            return False
    cond = if_stmt.child_by_field_name("condition")
    holds = _implied(cond, res, in_cons)
    if "var==" in holds:
        return True
    if "err!=" not in holds:
        return False
    # err is still the acquisition's error when the last assignment to it
    # before the test is the acquisition itself (or a re-acquisition).
    assigns = flow.assignments_to(res.err_var)
    i = bisect.bisect_left(assigns, cond.start_byte, key=lambda a: a[0]) - 1
    if i < 0 or assigns[i][0] < acq.end_byte:
        return True
    stmt = assigns[i][1]
    return any(text(x) == res.var for x in stmt.child_by_field_name("left").named_children)


def _tests_own_error_field(acq, if_stmt, res, in_cons: bool) -> bool:
    """``if tx.Error != nil`` as the statement right after the acquisition
    (its consequence is the failure side): later, the field may carry the
    error of a statement run on the started transaction."""
    if not in_cons or if_stmt.prev_named_sibling is None or if_stmt.prev_named_sibling.id != acq.id:
        return False
    cond = unparen(if_stmt.child_by_field_name("condition"))
    if cond is None or cond.type != "binary_expression" or text(cond.child_by_field_name("operator")) != "!=":
        return False
    sides = [unparen(cond.child_by_field_name("left")), unparen(cond.child_by_field_name("right"))]
    if not any(x is not None and x.type == "nil" for x in sides):
        return False
    return any(x is not None and x.type == "selector_expression" and text(x).replace(" ", "") == f"{res.var}.{res.error_field}"
               for x in sides)


def leaks(flow: FunctionFlow, acq, res: Resource, scope=None, graph=None) -> list[Leak]:
    """Exits after the acquisition statement ``acq`` on which no release
    dominates.  ``scope``: the statement_list the variable lives in (for
    ``:=``); otherwise the whole function body.

    ``graph`` (the function's cfg.CFG): each return or end-of-function leak
    the structured walk finds is kept only when some path of the graph from
    the acquisition reaches it without a release -- releases in both arms of
    an ``if`` or in every case of a ``switch`` cover the exit after it,
    though none of them dominates it."""
    found = _structured_leaks(flow, acq, res, scope)
    if graph is None or not found:
        return found
    unreleased = _unreleased_exits(flow, graph, acq, res)
    return [lk for lk in found if lk.kind not in ("return", "end") or _graph_reaches(flow, unreleased, lk)]


def _unreleased_exits(flow: FunctionFlow, graph, acq, res: Resource) -> list:
    rels = releases(flow, res)
    starts = sorted(r.start_byte for r in rels if r.type != "for_statement")
    # a rows loop run to completion releases on its way out, not in its header
    done = {graph.loop_completed[r.id].index for r in rels if r.type == "for_statement" and r.id in graph.loop_completed}
    released = mentions(starts)
    return exits_avoiding(graph, acq, released, stop_at=done)


def _graph_reaches(flow: FunctionFlow, found: list, leak: Leak) -> bool:
    if any(e.kind == "unknown" for e in found):
        return True  # cannot tell: keep what the structured walk saw
    if leak.kind == "return":
        return any(e.kind == "return" and e.node == leak.node for e in found)
    if leak.node is not None and leak.node.parent == flow.body:
        return any(e.kind == "end" for e in found)  # falling off the end of the function
    return True  # the end of an inner scope: the graph has no exit there


def _structured_leaks(flow: FunctionFlow, acq, res: Resource, scope=None) -> list[Leak]:
    rels = releases(flow, res)
    rel_starts = sorted((r.start_byte, i) for i, r in enumerate(rels))
    starts = [s for s, _ in rel_starts]
    region = scope if (res.scoped and scope is not None) else flow.body
    out: list[Leak] = []

    def covered(start: int, end: int) -> bool:
        lo = bisect.bisect_left(starts, acq.end_byte)
        for k in range(lo, len(starts)):
            s, i = rel_starts[k]
            if s > start:
                break
            r = rels[i]
            if contains(r, start, end) and r.type == "for_statement":
                continue  # a rows loop releases when it ends, not inside
            if dominates(r, start, end, acq, res):
                return True
        return False

    def reachable(start: int, end: int) -> bool:
        lca = lowest_common(acq, start, end)
        return lca is not None and lca.type not in ("if_statement", "expression_switch_statement", "type_switch_statement", "select_statement")

    for ex in flow.exits():
        if ex.start_byte < acq.end_byte or not contains(region, ex.start_byte, ex.end_byte):
            continue
        if ex.type in ("break_statement", "continue_statement"):
            target = break_target(ex)
            # only a loop around the acquisition ends the variable's life
            if target is None or not contains(target, acq.start_byte, acq.end_byte) or not res.scoped:
                continue
        if not reachable(ex.start_byte, ex.end_byte):
            continue
        if covered(ex.start_byte, ex.end_byte) or _self_releases(ex, rels):
            continue
        if in_error_branch(flow, acq, ex, res):
            continue
        out.append(Leak(ex.type.replace("_statement", ""), ex.start_point[0] + 1, ex))
    # falling off the end of the scope (or function)
    sl = region if region.type == "statement_list" else _stmt_list(region)
    if sl is not None:
        stmts = [x for x in sl.named_children if x.type != "comment"]
        if stmts and not terminates(flow.file, stmts[-1]):
            end = sl.end_byte
            if sl.parent is not None and sl.parent.type == "block":
                end = sl.parent.end_byte - 1
            if not covered(end, end) and not _end_in_error_branch(flow, acq, sl, res):
                line = (sl.parent.end_point[0] + 1) if sl.parent is not None else sl.end_point[0] + 1
                out.append(Leak("end", line, sl))
    return out


def _end_in_error_branch(flow, acq, sl, res) -> bool:
    owner = sl.parent
    if owner is None:
        return False
    return in_error_branch(flow, acq, owner, res) if owner.start_byte >= acq.end_byte else False


def _self_releases(exit_node, rels) -> bool:
    return any(contains(exit_node, r.start_byte, r.end_byte) for r in rels)


def _stmt_list(block):
    for c in block.named_children:
        if c.type == "statement_list":
            return c
    return None


def acquisition_statement(call):
    """(statement, lhs identifiers as text) when ``call`` is the whole right
    side of ``a, b := call`` / ``a, b = call`` / ``var a, b = call`` sitting
    directly in a statement list; else (None, [])."""
    p = call.parent
    while p is not None and p.type == "parenthesized_expression":
        p = p.parent
    if p is None or p.type != "expression_list" or p.named_child_count != 1:
        return None, []
    stmt = p.parent
    if stmt is None:
        return None, []
    if stmt.type in ("short_var_declaration", "assignment_statement") and stmt.child_by_field_name("right") == p:
        if stmt.parent is None or stmt.parent.type != "statement_list":
            return None, []
        lhs = [text(x) for x in stmt.child_by_field_name("left").named_children]
        return stmt, lhs
    if stmt.type == "var_spec":
        decl = stmt.parent
        if decl is not None and decl.type == "var_declaration" and decl.parent is not None and decl.parent.type == "statement_list":
            return decl, [text(x) for x in stmt.children_by_field_name("name")]
    return None, []


EQUALITY_OPERATORS = frozenset({kind_id("==", False), kind_id("!=", False)})


def statement_index(ctx: FileContext) -> dict:
    """defer/go statements, ==/!= comparisons and value switches of a file, in
    one query shared by the SG3/SG4 rules."""
    def compute():
        f = ctx.file
        return {
            "defer": f.nodes("defer"),
            "go": f.nodes("go"),
            "cmp": [b for b in f.nodes("binary") if b.child_by_field_name("operator").kind_id in EQUALITY_OPERATORS],
            "switch": [s for s in f.nodes("switch") if s.child_by_field_name("value") is not None],
        }

    return ctx.pkg.memo(("res.index", ctx.file.path), compute)


def function_flow(ctx: FileContext, fn_node) -> FunctionFlow:
    """One FunctionFlow per function, shared by the rules of the family."""
    return ctx.pkg.memo(("flow", ctx.file.path, fn_node.id), lambda: FunctionFlow(ctx.file, fn_node, fn_node.child_by_field_name("body")))


def flow_around(ctx: FileContext, node) -> FunctionFlow | None:
    """The flow of the function (with a body) that ``node`` sits in."""
    owner = owner_function(node)
    if owner is None or owner.child_by_field_name("body") is None:
        return None
    return function_flow(ctx, owner)


def describe_leak(leak: Leak) -> str:
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


def unchecked_exit_after_loop(flow: FunctionFlow, graph, loop, var: str, plumbing: frozenset[str]):
    """The first exit reporting success that some path from the end of
    ``loop`` reaches without looking at ``var`` again (``rows.Err()`` checked
    on one branch only).  A mention other than a ``plumbing`` method call
    (Next, Scan, Close...) counts as a look: ``var.Err()``, handing ``var``
    to a helper, returning or storing it.  A look inside a ``defer`` covers
    every exit.  Returns that hand back an error (``return nil, err``), or
    sit under an ``if err != nil``, are not reported: the caller sees a
    failure either way.  None when every
    path looks, or we cannot tell."""
    if graph is None or loop.id not in graph.loop_done:
        return None
    looks = []
    for ident in flow.idents(var):
        p = ident.parent
        if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
            if text(p.child_by_field_name("field")) in plumbing:
                continue
        if anchor(ident, flow.body).type == "defer_statement":
            return None
        looks.append(ident.start_byte)
    found = exits_avoiding(graph, graph.loop_done[loop.id], mentions(sorted(looks)))
    if any(e.kind == "unknown" for e in found):
        return None
    ok = [e for e in found if _reports_success(flow.fn, e) and not _under_error_check(flow, e)]
    return min(ok, key=lambda e: e.line) if ok else None


def _under_error_check(flow: FunctionFlow, ex) -> bool:
    """A return inside ``if someErr != nil { ... }``: whatever it returns (a
    handler's bare return after http.Error), it is the failure path."""
    if ex.node is None:
        return False
    for n in ancestors(ex.node, flow.body):
        p = n.parent
        if p is not None and p.type == "if_statement" and p.child_by_field_name("consequence") == n:
            cond = unparen(p.child_by_field_name("condition"))
            if cond is not None and cond.type == "binary_expression" and text(cond.child_by_field_name("operator")) == "!=":
                sides = [unparen(cond.child_by_field_name(k)) for k in ("left", "right")]
                if any(x is not None and x.type == "nil" for x in sides) and any(
                        x is not None and x.type == "identifier" and "err" in text(x).lower() for x in sides):
                    return True
    return False


def _reports_success(fn, ex) -> bool:
    """An exit that tells the caller all went well: the end of the function,
    a bare ``return`` of a function without named results, or a return whose
    last value is ``nil`` where the last result is an ``error``."""
    result = fn.child_by_field_name("result")
    if ex.kind == "end":
        return True
    values = ex.node.named_children[0].named_children if ex.node.named_child_count else []
    if not values:
        return result is None or result.type != "parameter_list" or not any(d.child_by_field_name("name") for d in result.named_children)
    if result is None:
        return True
    last_type = result if result.type != "parameter_list" else (result.named_children[-1].child_by_field_name("type") if result.named_child_count else None)
    if text(last_type) != "error":
        return True
    return unparen(values[-1]).type == "nil"


def retry_loop_leaks(flow: FunctionFlow, acq, res: Resource, leak: Leak) -> list[Leak] | None:
    """A retry loop with a success flag::

        for attempt() {
            resp, err = client.Do(req)
            if err != nil { continue }
            if resp.StatusCode != 200 { resp.Body.Close(); continue }
            ok = true
            break
        }
        if !ok { return errGaveUp }
        defer resp.Body.Close()

    ``leak`` (the ``return`` under ``if !ok`` after the loop) is reached only
    when no iteration got as far as ``ok = true``; what is open there is what
    an iteration left open on its way round.  So for such a leak this returns
    the leaks of the loop body itself (the acquisition taken as scoped to
    it, the ``ok = true; break`` exits left out): [] when every other way
    round the loop closes the body or had no body.  None when ``leak`` is
    not of this shape."""
    if leak.kind != "return" or leak.node is None:
        return None
    loop = next((a for a in ancestors(acq, flow.body) if a.type == "for_statement"), None)
    if loop is None or not flow.own(loop):
        return None
    flag, guard = _negated_flag_guard(leak.node, loop, flow.body)
    if not flag:
        return None
    sets = [stmt for _, stmt in flow.assignments_to(flag) if _assigns_true(stmt, flag)]
    if not sets or any(not contains(loop, s.start_byte, s.end_byte) or s.start_byte < acq.end_byte for s in sets):
        return None
    success_breaks = set()
    for s in sets:
        nxt = s.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        if nxt is None or nxt.type != "break_statement" or break_target(nxt) != loop:
            return None  # the flag is set but the loop goes on: cannot tell
        success_breaks.add(nxt.id)
    inner = Resource(var=res.var, operands=res.operands, methods=res.methods, err_var=res.err_var, scoped=True,
                     sub_field=res.sub_field, escapes=res.escapes, arg_releases=res.arg_releases,
                     next_loop_releases=res.next_loop_releases, error_field=res.error_field)
    return [lk for lk in _structured_leaks(flow, acq, inner, acq.parent)
            if not (lk.node is not None and lk.node.id in success_breaks)]


def _negated_flag_guard(exit_node, loop, stop):
    """(flag, if statement) when ``exit_node`` sits in the consequence of an
    ``if !flag`` / ``if flag == false`` that comes after ``loop``."""
    for n in ancestors(exit_node, stop):
        p = n.parent
        if p is None or p.type != "if_statement" or p.child_by_field_name("consequence") != n:
            continue
        if p.start_byte < loop.end_byte:
            return "", None
        cond = unparen(p.child_by_field_name("condition"))
        name = ""
        if cond is not None and cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
            op = unparen(cond.child_by_field_name("operand"))
            name = text(op) if op is not None and op.type == "identifier" else ""
        elif cond is not None and cond.type == "binary_expression" and text(cond.child_by_field_name("operator")) == "==":
            left, right = (unparen(cond.child_by_field_name(k)) for k in ("left", "right"))
            if left is not None and right is not None and left.type == "identifier" and right.type == "false":
                name = text(left)
        return (name, p) if name else ("", None)
    return "", None


def _assigns_true(stmt, flag: str) -> bool:
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
        return True  # ok, err = f(): set to something we cannot read, so count it as a set
    return text(left.named_children[0]) == flag and right.named_children[0].type == "true"
