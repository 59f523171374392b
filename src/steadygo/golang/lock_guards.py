"""Flag conditions around a lock: ``if !locked { mu.Lock(); defer mu.Unlock() }``.

Helpers shared by callers that already hold the lock and callers that do not
take it only when a bool parameter (``locked``, ``needLock``, ``hasLock``...)
or a mode field (``p.isNodeScrapeScope``) says so.  The lock walk
(golang.lock_order) records, for each event, the conditions of the ``if``
statements around it as *terms* ``(inst, value)``: ``inst`` is the
Resolver's instance of the flag (a parameter, the receiver or one of their
fields, a package variable) and ``value`` what it must be.  At a call the
callee's terms on its own parameters are evaluated against the arguments: a
constant that contradicts one (``readErr(true)`` for ``if !locked``) means
the event does not happen on that call; an argument that is itself a flag of
the caller becomes the caller's term, so ``getNextMsg -> processTermLocked(...,
false) -> processAckMsgLocked(..., needLock)`` is decided two calls up.
Anything else (a computed argument, a flag the function reassigns) is no
term: the event is kept, as before.
"""

from __future__ import annotations

from steadygo.golang.parse import text, unparen

_MAX_TERMS = 8  # conditions kept per event; past it the innermost are kept


def condition_terms(res, fn, cond, assigned: set) -> tuple[tuple, tuple]:
    """(terms true in the consequence, terms true in the alternative) of an
    ``if`` condition, each a tuple of ``(inst, value)``."""
    cond = unparen(cond)
    if cond is None:
        return (), ()
    if cond.type == "binary_expression":
        op = cond.child_by_field_name("operator")
        op = op.type if op is not None else ""
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if op == "&&":  # both hold inside; nothing is known in the else
            lt, _ = condition_terms(res, fn, left, assigned)
            rt, _ = condition_terms(res, fn, right, assigned)
            return lt + rt, ()
        if op == "||":  # neither holds in the else
            _, lf = condition_terms(res, fn, left, assigned)
            _, rf = condition_terms(res, fn, right, assigned)
            return (), lf + rf
        if op in ("==", "!="):
            for flag, lit in ((left, right), (right, left)):
                v = bool_literal(lit)
                if v is not None:
                    t, f = condition_terms(res, fn, flag, assigned)
                    return (t, f) if v == (op == "==") else (f, t)
        return (), ()
    if cond.type == "unary_expression" and cond.child_count and cond.child(0).type == "!":
        t, f = condition_terms(res, fn, cond.child_by_field_name("operand"), assigned)
        return f, t
    if cond.type in ("identifier", "selector_expression"):
        if "".join(text(cond).split()) in assigned:
            return (), ()  # `if !locked { mu.Lock(); locked = true }`: not the caller's flag any more
        ref = res.ref(fn, cond)
        if ref.inst is None or ref.inst[0][0] not in ("param", "recv", "global"):
            return (), ()
        return ((ref.inst, True),), ((ref.inst, False),)
    return (), ()


def bool_literal(node):
    node = unparen(node)
    if node is not None and node.type in ("true", "false"):
        return node.type == "true"
    return None


def stable(inst) -> bool:
    """A bare parameter: a copy nobody else changes (the function's own
    assignments are excluded when terms are made).  A field or a package
    variable may change between two tests of it (``if s.closed`` checked again
    after locking), so within a function only parameters rule a branch out."""
    return len(inst) == 1 and inst[0][0] == "param"


def contradicts(guard: tuple, terms: tuple, modes: bool = False) -> bool:
    """Whether ``terms`` cannot hold together with ``guard`` (or among
    themselves); with ``modes`` fields and package variables count too."""
    if not terms:
        return False
    seen = dict(guard)
    for inst, value in terms:
        if seen.get(inst, value) != value and (modes or stable(inst)):
            return True
        seen[inst] = value
    return False


def _lexical(fn, fid) -> bool:
    while fn is not None:
        if fn.fid == fid:
            return True
        fn = fn.outer
    return False


def call_guard(res, caller, callee, call, terms: tuple, path: tuple, modes: bool = False):
    """The terms of a callee's event in the caller's terms, with the caller's
    path conditions ``path``; None when the call rules the event out (a
    constant argument against the callee's test of it, or a term against the
    path: only a parameter's unless ``modes``)."""
    out = list(path)
    for inst, value in terms:
        root = inst[0]
        if root[0] in ("param", "recv") and root[1] == callee.fid:
            node = _bound(call, root)
            node = unparen(node) if node is not None else None
            if node is None:
                continue
            if len(inst) == 1:
                lit = bool_literal(node)
                if lit is not None:
                    if lit != value:
                        return None
                    continue
                while node.type == "unary_expression" and node.child_count and node.child(0).type == "!":
                    node, value = unparen(node.child_by_field_name("operand")), not value
            if node.type not in ("identifier", "selector_expression"):
                continue
            base = res.ref(caller, node)
            if base.inst is None or base.inst[0][0] not in ("param", "recv", "global"):
                continue
            inst = base.inst + inst[1:]
        elif not (root[0] == "global" or (root[0] in ("param", "recv") and _lexical(caller, root[1]))):
            continue  # a callee's local, or a flag of a function this caller cannot see
        if dict(out).get(inst, value) != value and (modes or stable(inst)):
            return None
        if (inst, value) not in out:
            out.append((inst, value))
    return tuple(out[-_MAX_TERMS:])


def _bound(call, root):
    """The caller's expression for a callee's receiver or parameter at ``call``."""
    if root[0] == "recv":
        f = call.child_by_field_name("function")
        return f.child_by_field_name("operand") if f is not None and f.type == "selector_expression" else None
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    named = [a for a in args.named_children if a.type != "comment"]
    return named[root[2]] if root[2] < len(named) else None


def syntactic_path(res, fn, node) -> tuple:
    """The flag terms of the ``if`` statements around ``node`` inside ``fn``'s
    body (the consequence or the alternative it sits in); early returns are
    not looked at, so this knows at most what holds there."""
    terms = []
    child, cur = node, node.parent
    stop = fn.body
    while cur is not None and child != stop:
        if cur.type == "if_statement":
            cond = cur.child_by_field_name("condition")
            if child == cur.child_by_field_name("consequence") or child == cur.child_by_field_name("alternative"):
                t, f = condition_terms(res, fn, cond, set())
                terms.extend(t if child == cur.child_by_field_name("consequence") else f)
        child, cur = cur, cur.parent
    return tuple(terms)
