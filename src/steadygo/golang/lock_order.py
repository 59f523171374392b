"""Which locks are held when a function takes another lock, blocks on a
channel or waits for goroutines, within a package.

Each function's body is walked once, statement by statement in source order,
with the set of locks it *must* hold at that point (a lock released on one
branch only is not held after the branch; a branch that returns does not flow
on).  A call to a same-package function or method brings in that callee's
summary: the locks it may take and the channel operations and waits it may
block in, bounded to ``_MAX_CALL_DEPTH`` calls deep and with the callee's
receiver and parameters translated to the caller's expressions, so
``s.mu.Lock(); s.helper()`` where ``helper`` takes ``s.mu`` again is one
instance locked twice.

Function literals are their own functions (they usually run in another
goroutine, or later), except literals called on the spot, whose deferred
unlocks release at their end.  No CFG: this is a must-held walk, good enough
for lock ordering, and deliberately separate from the path analysis of
issue 18 part 2.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from steadygo.golang.lock_guards import call_guard, condition_terms, contradicts, syntactic_path
from steadygo.golang.lock_names import Func, PackageTypes, Ref, Resolver, collect_functions, named
from steadygo.golang.parse import captures, text, unparen

_MAX_CALL_DEPTH = 4
_MAX_NESTING = 60  # statement nesting deeper than this is not followed
_MAX_WALK_NESTING = 8  # callee walks started from inside a walk, at most
_MAX_STATEMENTS = 60_000  # statements walked per package; past it the rest of the package is not analysed
_MAX_EVENTS = 400  # a function's events (its callees' included) kept for its callers
_LOCKS = {"Lock": "W", "RLock": "R"}
_UNLOCKS = {"Unlock": "W", "RUnlock": "R"}
_EXPR_Q = """
[(call_expression) (unary_expression operator: "<-") (func_literal) (keyed_element)] @e
"""
_EXITS = {("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln"), ("log", "Panic"), ("log", "Panicf")}


@dataclass(frozen=True)
class Event:
    """Something a function does that matters under a lock, in its own terms.

    kind: "lock" / "unlock" (ref, mode), "send" / "recv" / "range" / "close"
    (ref: the channel), "select" / "tryselect" (the kinds and refs of its
    cases; a tryselect has a default and never blocks), "wait" / "done" / "add" (ref:
    the WaitGroup).  ``site`` is the node in the function
    that does it (the call that leads there for an event of a callee);
    ``via`` names the callees it went through; ``target`` is the innermost node."""

    kind: str
    ref: Ref | None
    site: object
    fn: Func
    mode: str = "W"
    via: tuple = ()
    target: object = None
    cases: tuple = ()  # select: ((kind, Ref), ...)
    deferred: bool = False
    held: frozenset = frozenset()  # classes of the locks held when it happens
    loops: tuple = ()  # ids of the loops around it, the caller's then the callee's
    origin: object = None  # the function whose own statement it is (the innermost callee)
    fresh: bool = False  # a lock of an object made on this path: nobody else holds it
    drained: bool = False  # a receive from a channel the function closed before: never blocks
    lost: bool = False  # its object is a callee's receiver or argument the caller names by index or call
    # the flag conditions it happens under: ((inst, value), ...) for ``if !locked {``
    # around it (inst names a bool parameter, receiver field...; see lock_guards)
    guard: tuple = ()


@dataclass
class Held:
    ref: Ref
    mode: str
    event: Event  # the acquisition
    text: str
    deferred: bool = False  # released by a defer: held to the function's end
    loop: object = None  # the loop whose body takes it unconditionally
    # released where the walk cannot follow (in a function literal, through its
    # address): whether it is still held is unknown, so nothing is said about it
    unsure: bool = False
    # an object this path made and has not handed to anyone yet (``upv = &T{}``
    # then ``upv.Lock()``): nobody else can hold its lock, until it is stored
    # or passed on
    fresh: bool = False


@dataclass(frozen=True)
class Edge:
    """``outer`` was held when ``inner`` was taken."""

    outer: Held
    inner: Event


@dataclass(frozen=True)
class Reacquire:
    held: Held
    inner: Event
    again_at: object = None  # the continue / loop end that leads to the next iteration


@dataclass(frozen=True)
class Blocked:
    held: Held
    op: Event


@dataclass
class LockFacts:
    edges: list = field(default_factory=list)
    reacquired: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    writers: set = field(default_factory=set)  # classes some function Lock()s for writing
    funcs: list = field(default_factory=list)  # every Func of the package
    # Filled by the walks, and complete only once every function is walked:
    # read them through the properties below.
    _events: dict = field(default_factory=dict)  # fid -> [Event] of the function, callees expanded
    _called: set = field(default_factory=set)  # fids of the functions some function of the package calls
    _buffered: set = field(default_factory=set)  # classes of channels made with a capacity
    # Walks the functions not walked yet (see _analyse); None once done.
    _rest: object = None
    _pkg: object = None
    _res: object = None

    def callers_rule_out(self, fn: Func, guard: tuple, depth: int = 0) -> bool:
        """Whether every call of ``fn`` in the package sits under a condition that
        contradicts ``guard``'s terms on ``fn``'s receiver or parameters (the
        relock happens only in a mode its callers never call it in: ``if
        p.isNodeScrapeScope { p.cAdvisor() }`` against ``if !p.isNodeScrapeScope``
        in the helper).  An exported function, one never called here, or one
        named anywhere but in its calls (a func value) is not ruled out.  A
        caller that passes the condition on (its own receiver's flag) is asked
        in turn, up to ``_MAX_CALL_DEPTH`` callers up."""
        own = tuple(t for t in guard if t[0][0][0] in ("param", "recv") and t[0][0][1] == fn.fid)
        if not own or self._pkg is None or not fn.key or fn.outer is not None or depth >= _MAX_CALL_DEPTH:
            return False
        name = fn.key.rsplit(".", 1)[-1]
        if name[:1].isupper():
            return False
        calls = list(self._pkg.calls_to(name))
        mentions = sum(1 for f in self._pkg.files if name.encode() in f.source
                       for i in captures("[(identifier) (field_identifier)] @i", f.root).get("i", []) if text(i) == name)
        if not calls or mentions != len(calls) + 1:
            return False
        by_file: dict[int, list] = {}
        for g in self.funcs:
            by_file.setdefault(id(g.file), []).append(g)
        for f, call in calls:
            caller = None
            for g in by_file.get(id(f), ()):  # the innermost function whose body holds the call
                if g.body is not None and g.body.start_byte <= call.start_byte < g.body.end_byte and (
                        caller is None or g.body.start_byte >= caller.body.start_byte):
                    caller = g
            if caller is None or self._res.callee(caller, call) is not fn:
                return False
            path = syntactic_path(self._res, caller, call)
            g = call_guard(self._res, caller, fn, call, own, path, modes=True)
            if g is None:
                continue
            up = caller
            while up.outer is not None:  # a literal's flag is its declaring function's
                up = up.outer
            if up is fn or not self.callers_rule_out(up, g, depth + 1):
                return False
        return True

    def _complete(self) -> None:
        if self._rest is not None:
            self._rest()  # a file's time budget may stop it: then the next rule asking starts it again
            self._rest = None

    @property
    def events(self) -> dict:
        self._complete()
        return self._events

    @property
    def called(self) -> set:
        self._complete()
        return self._called

    @property
    def buffered(self) -> set:
        self._complete()
        return self._buffered

    def counterparts(self, cls: str | None, op_kinds: set, chan_cls: str | None, besides: Func, taken_before: bool = False,
                     origin: Func | None = None):
        """(function, op, needs the lock) for every op of ``op_kinds`` on
        ``chan_cls`` in the package outside ``besides`` (the blocked side).
        A function some other function of the package calls is judged in its
        callers, where its ops appear with the callers' locks.

        An op needs a lock of class ``cls`` when it is done with the lock held,
        or deferred to the end of a function that takes it; with
        ``taken_before`` also after an earlier Lock/Unlock of it (a worker that
        locks, unlocks, then calls Done) or before a Lock later in the same
        loop (on the next round the Lock comes first).  A Lock that comes
        before ``besides`` is even created inside the function does not count:
        it is over before the other side can hold the lock."""
        if cls is None or chan_cls is None:
            return
        for fn in self.funcs:
            if fn is besides or fn.fid in self.called:
                continue
            events = self.events.get(fn.fid, ())
            start = -1
            if fn.file is besides.file and fn.node.start_byte <= besides.node.start_byte < fn.node.end_byte:
                start = besides.node.start_byte
            locks = [i for i, e in enumerate(events)
                     if e.kind == "lock" and e.ref is not None and e.ref.cls == cls and e.site.start_byte > start]
            adds = [i for i, e in enumerate(events) if e.kind == "add" and e.ref is not None and e.ref.cls == chan_cls]
            for i, e in enumerate(events):
                if not _does(e, op_kinds, chan_cls) or (origin is not None and e.origin is origin):
                    continue  # the blocked op's own function does not answer itself
                if e.deferred:  # at the function's end: after every Lock but one taken before an Add
                    needs = any(not any(a > j for a in adds) for j in locks)
                else:
                    # a Lock before it, or later in a loop around it (before it on
                    # the next round); not a Lock taken once before the loop it
                    # waits in (that goroutine is past it)
                    inside = set(e.loops)
                    needs = cls in e.held or (taken_before and any(
                        inside <= set(events[j].loops) and (j < i or inside) and not _added_between(adds, j, i)
                        for j in locks))
                yield fn, e, needs


def _added_between(adds: list, j: int, i: int) -> bool:
    """An Add() of the WaitGroup after the Lock at ``j`` and before the Done at
    ``i`` (round the loop when ``j`` comes later): the lock is taken before this
    worker is counted (``mu.Lock(); wg.Add(1); mu.Unlock()`` by design), so a
    Wait under it does not wait for a worker still to take it."""
    if j < i:
        return any(j < a < i for a in adds)
    return any(a > j or a < i for a in adds)


def _does(e: Event, op_kinds: set, chan_cls: str | None) -> bool:
    if chan_cls is None:
        return False
    if e.kind in op_kinds and e.ref is not None and e.ref.cls == chan_cls:
        return True
    return e.kind in ("select", "tryselect") and any(k in op_kinds and r is not None and r.cls == chan_cls for k, r in e.cases)


def lock_facts(pkg) -> LockFacts:
    """The package's lock facts, computed once and shared by the rules."""
    return pkg.memo("lock_order", lambda: _analyse(pkg))


def _analyse(pkg) -> LockFacts:
    facts = LockFacts()
    if not any(b"Lock()" in f.source for f in pkg.files):
        return facts
    types = PackageTypes(pkg.files)
    collect_functions(types, pkg.files, captures)
    facts.funcs = types.all_funcs
    an = _Analysis(types, facts)
    facts._pkg, facts._res = pkg, an.res
    # Only a function that can hold a lock adds edges, relocks or blocked
    # operations: one that calls Lock()/RLock() itself, or one that calls a
    # helper returning with its lock held (known once the lockers are
    # walked).  The rest (most of a big package: 8,000 of runtime's 8,500
    # functions) matter only as the other side of a blocked operation, so
    # they are walked when a rule first asks for that (``counterparts``).
    lockers = _calling(types.all_funcs, pkg, ("Lock", "RLock"))
    for fn in types.all_funcs:
        if fn.fid in lockers:
            an.events_of(fn)
    for fn in _callers(types.all_funcs, pkg, an.res, an.exit_held):
        an.events_of(fn)

    def rest():
        an._busy.clear()  # left over when a budget stopped an earlier try mid-walk
        for fn in types.all_funcs:
            an.events_of(fn)

    facts._rest = rest
    return facts


def _calling(funcs: list, pkg, names) -> set:
    """fids of the functions whose body (nested literals included) calls one
    of ``names``, from the package's call index rather than another walk."""
    starts: dict[int, list[int]] = {}
    for name in names:
        for f, call in pkg.calls_to(name):
            starts.setdefault(id(f), []).append(call.start_byte)
    for lst in starts.values():
        lst.sort()
    out = set()
    for fn in funcs:
        lst = starts.get(id(fn.file)) if fn.body is not None else None
        if lst:
            i = bisect.bisect_left(lst, fn.body.start_byte)
            if i < len(lst) and lst[i] < fn.body.end_byte:
                out.add(fn.fid)
    return out


def _callers(funcs: list, pkg, res: Resolver, targets: dict) -> list:
    """The functions, in order, with a call that resolves to one of
    ``targets`` (fids): asked of every function whose body holds the call,
    as the walk of each of them would ask."""
    if not targets:
        return []
    names = {fn.key.rsplit(".", 1)[-1] for fn in funcs if fn.fid in targets and fn.key}
    by_file: dict[int, list] = {}
    for fn in funcs:  # per file in source order, outer before inner
        by_file.setdefault(id(fn.file), []).append(fn)
    starts = {k: [fn.node.start_byte for fn in v] for k, v in by_file.items()}
    found = set()
    for name in sorted(names):
        for f, call in pkg.calls_to(name):
            lst = by_file.get(id(f))
            if not lst:
                continue
            i = bisect.bisect_right(starts[id(f)], call.start_byte) - 1
            g = lst[i] if i >= 0 else None
            while g is not None:
                if g.body is not None and g.body.start_byte <= call.start_byte < g.body.end_byte:
                    callee = res.callee(g, call)
                    if callee is not None and callee.fid in targets:
                        found.add(g.fid)
                g = g.outer
    return [fn for fn in funcs if fn.fid in found]


def _is_waitgroup(resolver: Resolver, fn: Func, operand) -> bool:
    t = resolver.expr_type(fn, operand)
    if t is not None:
        return text(t).endswith("WaitGroup")
    last = text(operand).rsplit(".", 1)[-1].lower()
    return last == "wg" or last.endswith("waitgroup")


class _Analysis:
    def __init__(self, types: PackageTypes, facts: LockFacts):
        self.types = types
        self.res = Resolver(types)
        self.facts = facts
        self._busy: set[int] = set()
        self.walked = 0  # statements walked so far (the package's budget)
        self.exit_held: dict[int, list] = {}  # fid -> locks the function returns with, on every way out

    def events_of(self, fn: Func) -> list:
        got = self.facts._events.get(fn.fid)
        if got is not None:
            return got
        if fn.fid in self._busy or fn.body is None:
            return []  # recursion: the cycle adds nothing new
        if len(self._busy) > _MAX_WALK_NESTING:
            return []  # a long chain of calls: summaries this deep are not used (and not stored)
        self._busy.add(fn.fid)
        w = _Walker(self, fn)
        end, done = w.block(fn.body, [], 0, None)
        self._busy.discard(fn.fid)
        self.facts._events[fn.fid] = w.events[:_MAX_EVENTS]
        states = w.exits + ([] if done else [end])
        if states:
            keep = [h for h in _meet(states) if not h.deferred and h.event.fn is fn and not h.event.via
                    and h.ref.inst is not None and not _unlocked_in_literal(fn, h.text)]
            if keep:
                self.exit_held[fn.fid] = keep
        return w.events

    def translate(self, ev: Event, callee: Func, caller: Func, call, held=frozenset()) -> Event:
        """A callee's event in the caller's terms, sited at the call."""
        ref = ev.ref
        lost = ev.lost
        if ref is not None and ref.inst is not None:
            root = ref.inst[0]
            base = None
            if root[0] == "recv" and root[1] == callee.fid:
                f = call.child_by_field_name("function")
                base = self.res.ref(caller, f.child_by_field_name("operand")) if f.type == "selector_expression" else None
            elif root[0] == "param" and root[1] == callee.fid:
                args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
                base = self.res.ref(caller, args[root[2]]) if root[2] < len(args) else None
            if root[0] == "global":
                inst = ref.inst
            elif base is not None and base.inst is not None:
                inst = base.inst + ref.inst[1:]
            else:
                inst = None
                # the callee's receiver or argument is an element or a call result
                # here (b.buf[i].unref()): which object it is, is not known
                lost = root[0] in ("recv", "param") and root[1] == callee.fid
            ref = Ref(inst, ref.cls, ref.tnode)
        name = callee.key or callee.name
        return replace(ev, ref=ref, site=call, fn=caller, via=(name,) + ev.via, target=ev.target or ev.site, held=ev.held | held,
                       fresh=ev.fresh or (ev.kind == "lock" and _fresh(caller, ref)),
                       deferred=False,  # the callee's deferred op happens when it returns: at the call
                       lost=lost,
                       cases=tuple((k, Ref(None, r.cls, r.tnode)) for k, r in ev.cases))


class _Walker:
    """The must-held walk of one function body."""

    def __init__(self, an: _Analysis, fn: Func):
        self.an = an
        self.res = an.res
        self.fn = fn
        self.events: list[Event] = []
        self._elsewhere: set | None = None
        self._unlock_values: bool | None = None
        self.closed: set = set()  # channels this function has closed so far (their spelling)
        self.loops: list = []
        self.dropped: set = set()  # instances a called helper unlocks for its caller
        self.added: list = []  # locks a called helper returns with, held by its caller now
        self.breaks: list = []  # per enclosing for/switch/select: the held sets at its breaks
        self.exits: list = []  # the held sets at the function's returns
        self.loop_unlocks: dict = {}  # loop id -> operands unlocked in its body so far
        self.pending_defers: list | None = None  # unlocks deferred inside a literal called on the spot
        self.guard: tuple = ()  # the flag conditions known on the path here (``if !locked {`` around it)
        self.unshared: set = set()  # locals assigned a new object on the path and not handed on since
        self.from_map: dict = {}  # local -> (map, key) spellings of ``b, ok := m.buckets[name]``
        self._assigned: set | None = None

    # -- statements ------------------------------------------------------
    def block(self, node, held: list, depth: int, loop) -> tuple[list, bool]:
        """Walk a block's statements; return (held after, terminated)."""
        if depth > _MAX_NESTING or self.an.walked > _MAX_STATEMENTS:
            return held, False
        stmts = node.named_children if node.type in ("block", "statement_list") else [node]
        if node.type == "block":
            stmts = [c for s in node.named_children for c in (s.named_children if s.type == "statement_list" else [s])]
        self.an.walked += len(stmts)
        saved = self.guard  # an early return's condition (``if locked { return }``) holds to the block's end
        unshared = set(self.unshared)  # an object made in the block is new only inside it
        try:
            for s in stmts:
                if self.unshared:
                    self.note_shared(s, held)
                held, done = self.statement(s, held, depth, loop)
                if self.dropped:  # unlocked by a helper the statement called
                    held = [h for h in held if h.ref.inst not in self.dropped]
                    self.dropped = set()
                if self.added:  # locked by a helper that returns with the lock held
                    held = held + [a for a in self.added if not any(h.ref.inst == a.ref.inst for h in held)]
                    self.added = []
                if done:
                    return held, True
            return held, False
        finally:
            self.guard = saved
            self.unshared &= unshared

    def statement(self, s, held: list, depth: int, loop) -> tuple[list, bool]:
        t = s.type
        if t == "comment":
            return held, False
        if t in ("block", "statement_list"):
            return self.block(s, held, depth + 1, None)
        if t == "labeled_statement":
            inner = [c for c in s.named_children if c.type != "label_name"]
            return self.statement(inner[0], held, depth + 1, loop) if inner else (held, False)
        if t == "expression_statement":
            return self.expression_statement(s, held, depth, loop)
        if t == "defer_statement":
            self.defer(s, held)
            return held, False
        if t == "go_statement":
            return held, False  # runs elsewhere; its arguments rarely lock
        if t == "send_statement":
            self.expr(s.child_by_field_name("value"), held, depth)
            self.op("send", s.child_by_field_name("channel"), s, held)
            return held, False
        if t == "return_statement":
            self.expr(s, held, depth)
            self.exits.append(list(held))
            return held, True
        if t == "break_statement":
            if self.breaks and s.named_child_count == 0:  # a labelled break is not followed
                self.breaks[-1].append(list(held))
            return held, True
        if t == "goto_statement":
            return held, True
        if t == "continue_statement":
            if self.loops and s.named_child_count == 0:  # a labelled continue may leave several loops
                self.next_iteration(s, held, self.loops[-1])
            return held, True
        if t == "if_statement":
            return self.if_statement(s, held, depth, top=True)
        if t == "for_statement":
            return self.for_statement(s, held, depth)
        if t in ("expression_switch_statement", "type_switch_statement"):
            return self.switch(s, held, depth, is_select=False)
        if t == "select_statement":
            return self.switch(s, held, depth, is_select=True)
        self.expr(s, held, depth)  # assignments, declarations, inc/dec
        if t in ("assignment_statement", "short_var_declaration"):
            self.note_buffered(s.child_by_field_name("left"), s.child_by_field_name("right"))
            self.note_new(s.child_by_field_name("left"), s.child_by_field_name("right"))
        return held, False

    def note_new(self, left, right):
        """``upv = &T{}``: a new object nobody else can lock yet (another value: no longer)."""
        if left is None or right is None:
            return
        pairs = zip(left.named_children, right.named_children) if left.named_child_count == right.named_child_count else (
            (lhs, None) for lhs in left.named_children)
        for lhs, rhs in pairs:
            if lhs.type != "identifier":
                continue
            self.from_map.pop(text(lhs), None)
            if rhs is not None and _constructed(rhs) and not self.loops:
                self.unshared.add(text(lhs))
            else:
                self.unshared.discard(text(lhs))
        first = left.named_child(0) if left.named_child_count else None
        value = unparen(right.named_child(0)) if right.named_child_count == 1 else None
        if first is not None and first.type == "identifier" and value is not None and value.type == "index_expression" \
                and left.named_child_count <= 2 and not self.loops:
            self.from_map[text(first)] = (_norm(value.child_by_field_name("operand")), _norm(value.child_by_field_name("index")))

    def note_unlinked(self, call, held):
        """``delete(m.buckets, name)`` under a lock, of the entry a local was read
        from: whoever finds objects through that map can no longer reach this
        one, so locking it orders nothing against them (like a new object)."""
        args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
        if len(args) != 2 or not held:
            return
        entry = (_norm(args[0]), _norm(args[1]))
        for name, where in list(self.from_map.items()):
            if where == entry:
                self.unshared.add(name)
                del self.from_map[name]

    def note_shared(self, s, held):
        """A statement that hands a new object on (stores it, passes it, returns it,
        captures it in a literal): from here on others may lock it."""
        for name in list(self.unshared):
            if _hands_on(s, name):
                self.unshared.discard(name)
                for h in held:
                    if h.text.split(".", 1)[0] == name:
                        h.fresh = False

    def note_buffered(self, left, right):
        """Channels made with a capacity: a send on them need not block."""
        if left is None or right is None or left.named_child_count != right.named_child_count:
            return
        for lhs, rhs in zip(left.named_children, right.named_children):
            if _buffered_make(rhs):
                ref = self.res.ref(self.fn, lhs)
                if ref.cls is not None:
                    self.an.facts._buffered.add(ref.cls)

    def expression_statement(self, s, held, depth, loop):
        call = unparen(s.named_child(0))
        if call is not None and call.type == "call_expression":
            f = call.child_by_field_name("function")
            args = call.child_by_field_name("arguments")
            if f.type == "selector_expression" and args is not None and not args.named_child_count:
                method = text(f.child_by_field_name("field"))
                operand = f.child_by_field_name("operand")
                if method in _LOCKS and self.fn.file.qualified(f) is None:
                    return self.acquire(call, operand, _LOCKS[method], held, loop), False
                if method in _UNLOCKS:
                    return self.release(operand, held), False
            if f.type == "func_literal":  # called on the spot: its defers end with it
                body = f.child_by_field_name("body")
                saved, self.pending_defers = self.pending_defers, []
                after, _ = self.block(body, list(held), depth + 1, None)
                for operand_text in self.pending_defers:
                    after = [h for h in after if h.text != operand_text]
                self.pending_defers = saved
                return after, False
            if f.type == "identifier" and text(f) == "delete" and self.from_map:
                self.note_unlinked(call, held)
            target = self.fn.file.call_target(call)
            if target in _EXITS or (f.type == "identifier" and text(f) == "panic"):
                self.expr(call, held, depth)
                return held, True
        self.expr(s, held, depth)
        return held, False

    def if_statement(self, s, held, depth, top=False):
        if depth > _MAX_NESTING:  # an else-if chain this long is not followed
            return held, False
        init = s.child_by_field_name("initializer")
        if init is not None:
            held, _ = self.statement(init, held, depth + 1, None)
        cond = s.child_by_field_name("condition")
        self.expr(cond, held, depth)
        if_true, if_false = condition_terms(self.res, self.fn, cond, self.assigned())
        outer = self.guard
        outs = []
        cons_done = alt_done = False
        if not contradicts(outer, if_true):  # a branch the flags on the path rule out is not walked
            self.guard = outer + if_true
            cons, cons_done = self.block(s.child_by_field_name("consequence"), list(held), depth + 1, None)
            if not cons_done:
                outs.append(cons)
        else:
            cons_done = True
        alt = s.child_by_field_name("alternative")
        if contradicts(outer, if_false):
            alt_done = True
        elif alt is None:
            outs.append(held)
        else:
            self.guard = outer + if_false
            a, alt_done = (self.if_statement(alt, list(held), depth + 1) if alt.type == "if_statement"
                           else self.block(alt, list(held), depth + 1, None))
            if not alt_done:
                outs.append(a)
        self.guard = outer
        if top and cons_done != alt_done:
            # only one branch flows on: what follows runs under its condition
            self.guard = outer + (if_false if cons_done else if_true)
        if not outs:
            return held, True
        return _meet(outs), False

    def push(self, ev: Event) -> None:
        """An event of this function's own, under the flag conditions of the path."""
        if self.guard:
            ev = replace(ev, guard=ev.guard + self.guard)
        self.events.append(ev)

    def assigned(self) -> set:
        """Names this function assigns to: a flag it changes is no guard."""
        if self._assigned is None:
            self._assigned = set()
            for left in captures("(assignment_statement left: (expression_list) @l)", self.fn.body).get("l", []):
                self._assigned.update(_norm(n) for n in left.named_children)
        return self._assigned

    def for_statement(self, s, held, depth):
        body = s.child_by_field_name("body")
        for c in s.named_children:
            if c.type == "range_clause":
                right = c.child_by_field_name("right")
                self.expr(right, held, depth)
                t = self.res.expr_type(self.fn, right)
                while t is not None and t.type in ("pointer_type", "parenthesized_type"):
                    t = t.named_child(0)
                if t is not None and t.type == "channel_type":
                    self.op("range", right, right, held)
            elif c.type == "for_clause":
                self.expr(c.child_by_field_name("condition"), held, depth)
        if body is None:
            return held, False
        self.loops.append(s)
        self.breaks.append([])
        end, done = self.block(body, list(held), depth + 1, s)
        if not done:
            self.next_iteration(s, end, s)
        self.loops.pop()
        breaks = self.breaks.pop()
        if all(c == body or c.type == "comment" for c in s.named_children):
            # `for { ... }` is left only by break (or return, panic)
            return (_meet(breaks), False) if breaks else (held, True)
        return _meet([held] + ([] if done else [end]) + breaks), False

    def switch(self, s, held, depth, is_select: bool):
        init = s.child_by_field_name("initializer")
        if init is not None:
            held, _ = self.statement(init, held, depth + 1, None)
        cases = [c for c in s.named_children if c.type in ("expression_case", "type_case", "default_case", "communication_case")]
        has_default = any(c.type == "default_case" for c in cases)
        if is_select:
            comms = []
            for c in cases:
                comm = c.child_by_field_name("communication")
                if comm is None:
                    continue
                if comm.type == "send_statement":
                    comms.append(("send", self.res.ref(self.fn, comm.child_by_field_name("channel"))))
                else:
                    recv = next(iter(captures('(unary_expression operator: "<-") @r', comm).get("r", [])), None)
                    comms.append(("recv", self.res.ref(self.fn, recv.child_by_field_name("operand")) if recv is not None else None))
            # with a default it never blocks, but it still answers the other side
            self.emit(Event("tryselect" if has_default else "select", None, s, self.fn, cases=tuple(comms)), held)
        else:
            self.expr(s.child_by_field_name("value"), held, depth)
        outs = []
        self.breaks.append([])
        for c in cases:
            body = [n for n in c.named_children if n.type not in ("expression_list", "type_list", "comment")
                    and n != c.child_by_field_name("communication") and n != c.child_by_field_name("value")]
            cur, done = list(held), False
            for st in body:
                cur, done = self.statement(st, cur, depth + 1, None)
                if done:
                    break
            if not done:
                outs.append(cur)
        outs.extend(self.breaks.pop())
        if not has_default:
            outs.append(held)
        if not outs:
            return held, True
        return _meet(outs), False

    def defer(self, s, held):
        call = unparen(s.named_child(0))
        if call is None or call.type != "call_expression":
            return
        f = call.child_by_field_name("function")
        nodes = [call]
        if f.type == "func_literal":
            nodes = captures("(call_expression) @c", f).get("c", [])
        for c in nodes:
            cf = c.child_by_field_name("function")
            if cf.type == "identifier" and text(cf) == "close":
                args = c.child_by_field_name("arguments")
                if args is not None and args.named_child_count:
                    self.push(Event("close", self.res.ref(self.fn, args.named_child(0)), c, self.fn, deferred=True, origin=self.fn))
                continue
            if cf.type != "selector_expression":
                continue
            method = text(cf.child_by_field_name("field"))
            operand = cf.child_by_field_name("operand")
            if method in _UNLOCKS:
                key = _norm(operand)
                if self.pending_defers is not None:
                    self.pending_defers.append(key)
                for h in held:
                    if h.text == key:
                        h.deferred = True
            elif method == "Done" and _is_waitgroup(self.res, self.fn, operand):
                self.push(Event("done", self.res.ref(self.fn, operand), c, self.fn, deferred=True, origin=self.fn))

    # -- locks -----------------------------------------------------------
    def acquire(self, call, operand, mode, held, loop):
        ref = self.res.ref(self.fn, operand)
        ev = Event("lock", ref, call, self.fn, mode=mode, loops=tuple(l.id for l in self.loops),
                   fresh=_fresh(self.fn, ref) or (ref.inst is not None and _norm(operand).split(".", 1)[0] in self.unshared),
                   guard=self.guard)
        self.check_acquire(ev, held, _norm(operand))
        self.events.append(ev)
        if mode == "W" and ref.cls is not None:
            self.an.facts.writers.add(ref.cls)
        if loop is not None and _norm(operand) in self.loop_unlocks.get(loop.id, ()):
            loop = None  # unlock ... lock in the body: each round starts by releasing it
        return held + [Held(ref, mode, ev, _norm(operand), loop=loop, unsure=self.released_elsewhere(_norm(operand)),
                            fresh=ev.fresh)]

    def released_elsewhere(self, operand_text: str) -> bool:
        """An Unlock of it inside a function literal of this function (a callback
        that releases it: ``op.replyFunc = func() { defer mu.Unlock() }``), or
        its address handed on (``unlock := unlockOnce(&srv.lock)``)."""
        if self._elsewhere is None:
            self._elsewhere = set()
            src = self.fn.body
            for lit in captures("(func_literal) @f", src).get("f", []):
                locks, unlocks = set(), set()
                for c in captures("(call_expression function: (selector_expression) @s)", lit).get("s", []):
                    method = text(c.child_by_field_name("field"))
                    if method in _UNLOCKS:
                        unlocks.add(_norm(c.child_by_field_name("operand")))
                    elif method in _LOCKS:
                        locks.add(_norm(c.child_by_field_name("operand")))
                self._elsewhere |= unlocks - locks  # a literal that locks and unlocks its own is no release
            for u in captures('(unary_expression operator: "&") @u', src).get("u", []):
                self._elsewhere.add(_norm(u.child_by_field_name("operand")))
        return operand_text in self._elsewhere

    def check_acquire(self, ev: Event, held, operand_text: str | None, order_only: bool = False):
        for h in held:
            if h.unsure:
                continue
            same = (h.ref.inst is not None and h.ref.inst == ev.ref.inst) or (
                operand_text is not None and h.ref.inst is None and ev.ref.inst is None and h.text == operand_text)
            if same:
                if not order_only:
                    self.an.facts.reacquired.append(Reacquire(h, ev))
            elif h.ref.cls is not None and ev.ref.cls is not None and h.ref.cls != ev.ref.cls:
                # a class the path already holds before h: A ... B ... A again is
                # an unproven relock of one path, not an order against another path
                again = any(o.ref.cls == ev.ref.cls and o.event.site.start_byte <= h.event.site.start_byte
                            for o in held if o is not h)
                if not (h.fresh or ev.fresh or h.event.lost or ev.lost or again):
                    self.an.facts.edges.append(Edge(h, ev))

    def release(self, operand, held):
        key = _norm(operand)
        ref = self.res.ref(self.fn, operand)
        self.push(Event("unlock", ref, operand, self.fn))
        for loop in self.loops:
            self.loop_unlocks.setdefault(loop.id, set()).add(key)
        for i in range(len(held) - 1, -1, -1):
            h = held[i]
            if h.text == key or (ref.inst is not None and h.ref.inst == ref.inst):
                return held[:i] + held[i + 1:]
        return held

    def next_iteration(self, at, held, loop):
        """A loop going round again with a lock its body takes still held: the
        body's Lock() then waits for itself."""
        for h in held:
            if h.loop is not loop or h.event.fn is not self.fn or h.ref.inst is None or h.deferred:
                continue
            root = h.ref.inst[0]
            if root[0] == "local" and self._declared_in(root, h.loop):
                continue  # a new object each iteration (range var, := in the body)
            self.an.facts.reacquired.append(Reacquire(h, h.event, again_at=at))

    def _declared_in(self, root, loop) -> bool:
        _, fid, name = root
        f = self.fn
        while f is not None and f.fid != fid:
            f = f.outer
        binding = f.env.get(name) if f is not None else None
        node = binding[1] if binding is not None else None
        return node is not None and loop.start_byte <= node.start_byte < loop.end_byte

    # -- expressions -----------------------------------------------------
    def expr(self, node, held, depth):
        if node is None:
            return
        skip_until = -1
        for e in captures(_EXPR_Q, node).get("e", []):
            if e.start_byte < skip_until:
                continue
            if e.type == "func_literal":
                skip_until = e.end_byte
                continue
            if e.type == "keyed_element":
                self.note_field_buffered(e)
                continue
            if e.type == "unary_expression":
                self.op("recv", e.child_by_field_name("operand"), e, held)
                continue
            self.call(e, held)

    def note_field_buffered(self, k):
        """``T{ch: make(chan X, n)}``: the field T.ch is a buffered channel."""
        key, value = k.child_by_field_name("key"), k.child_by_field_name("value")
        if key is None or value is None or value.named_child_count == 0 or not _buffered_make(value.named_child(0)):
            return
        lit = k.parent.parent if k.parent is not None else None
        tname = named(lit.child_by_field_name("type")) if lit is not None and lit.type == "composite_literal" else None
        if tname is not None:
            self.an.facts._buffered.add(f"{tname}.{text(key)}")

    def call(self, call, held):
        f = call.child_by_field_name("function")
        if f.type == "identifier" and text(f) == "close":
            args = call.child_by_field_name("arguments")
            if args is not None and args.named_child_count:
                self.op("close", args.named_child(0), call, held)
            return
        if f.type == "selector_expression":
            method = text(f.child_by_field_name("field"))
            operand = f.child_by_field_name("operand")
            if method in ("Wait", "Done", "Add") and _is_waitgroup(self.res, self.fn, operand):
                self.emit(Event(method.lower(), self.res.ref(self.fn, operand), call, self.fn), held)
                return
        callee = self.res.callee(self.fn, call)
        if callee is None or callee.body is None:
            return
        self.an.facts._called.add(callee.fid)
        released = []  # callee-level instances the callee unlocks: its caller holds them
        taken = set()
        cur = list(held)  # what the caller holds at each point inside the callee
        for ev in self.an.events_of(callee):
            if len(ev.via) >= _MAX_CALL_DEPTH - 1 and ev.kind != "add":
                continue  # (an Add is kept deeper: it only ever clears a worker, see _added_between)
            guard = call_guard(self.res, self.fn, callee, call, ev.guard, self.guard)
            if guard is None:
                continue  # the callee does it only when a flag is other than this call passes (readErr(true))
            tev = self.an.translate(ev, callee, self.fn, call, _classes(cur))
            tev = replace(tev, loops=tuple(l.id for l in self.loops) + ev.loops, guard=guard)
            if tev.kind == "unlock":
                released.append(tev.ref.inst)
                self.events.append(tev)
                if tev.ref.inst is not None:
                    # "unlocked to prevent lock inversion": not held for what follows
                    cur = [h for h in cur if h.ref.inst != tev.ref.inst]
                    if tev.ref.inst not in taken:
                        self.dropped.add(tev.ref.inst)  # an unlock helper: s.unlock()
            elif tev.kind == "lock":
                # unlock-then-lock in the callee (a wait that drops the caller's
                # lock) takes the lock back, not a second time
                again = tev.ref.inst is not None and tev.ref.inst in released
                if tev.ref.inst is not None:
                    taken.add(tev.ref.inst)
                    self.dropped.discard(tev.ref.inst)  # unlock, then lock again: still held
                self.check_acquire(tev, cur, None, order_only=again)
                if again:
                    cur += [h for h in held if h.ref.inst == tev.ref.inst and h not in cur]
                self.events.append(tev)
            else:
                self.emit(tev, cur)
        for h in self.an.exit_held.get(callee.fid, ()):
            if call_guard(self.res, self.fn, callee, call, h.event.guard, self.guard) is None:
                continue
            tev = self.an.translate(h.event, callee, self.fn, call, _classes(held))
            if tev.ref.inst is not None:
                self.added.append(Held(tev.ref, h.mode, tev, _inst_text(self.fn, call, callee, h),
                                       unsure=self.unlock_passed_as_value(), fresh=tev.fresh))

    def unlock_passed_as_value(self) -> bool:
        """A helper that unlocks, handed on as a func value (``once.Do(c.unlock)``,
        ``defer f(c.unlock)``): the caller may release what a lock helper took
        without the walk seeing it."""
        if self._unlock_values is None:
            self._unlock_values = False
            for sel in captures("(argument_list (selector_expression) @s)", self.fn.body).get("s", []):
                f = self.res.callee_of_value(self.fn, sel)
                if f is not None and any(e.kind == "unlock" for e in self.an.events_of(f)):
                    self._unlock_values = True
                    break
        return self._unlock_values

    def op(self, kind, chan, site, held):
        key = _norm(chan)
        if kind == "close":
            self.closed.add(key)
        drained = kind in ("recv", "range") and key in self.closed  # closed above: draining it never blocks
        self.emit(Event(kind, self.res.ref(self.fn, chan), site, self.fn, drained=drained), held)

    def emit(self, ev: Event, held):
        if ev.origin is None:
            ev = replace(ev, origin=self.fn)
        if held:
            ev = replace(ev, held=ev.held | _classes(held))
        if self.loops:
            ev = replace(ev, loops=tuple(l.id for l in self.loops))
        if self.guard and not ev.via:
            ev = replace(ev, guard=ev.guard + self.guard)
        self.events.append(ev)
        if ev.kind in ("send", "recv", "range", "select", "wait") and not ev.drained:
            for h in held:
                if not h.unsure:
                    self.an.facts.blocked.append(Blocked(h, ev))


def _buffered_make(node) -> bool:
    """``make(chan T, n)`` with a capacity that is not a literal 0."""
    if node is None or node.type != "call_expression" or text(node.child_by_field_name("function")) != "make":
        return False
    args = [a for a in node.child_by_field_name("arguments").named_children if a.type != "comment"]
    return len(args) == 2 and args[0].type == "channel_type" and text(args[1]) != "0"


def _inst_text(fn: Func, call, callee: Func, h: Held) -> str:
    """The caller's spelling of a lock a callee returns with (``g.mu`` for ``recv.mu``)."""
    root = h.ref.inst[0]
    fields = "".join("." + f for f in h.ref.inst[1:])
    f = call.child_by_field_name("function")
    if root[0] == "recv" and f.type == "selector_expression":
        return _norm(f.child_by_field_name("operand")) + fields
    if root[0] == "param":
        args = [a for a in call.child_by_field_name("arguments").named_children if a.type != "comment"]
        if root[2] < len(args):
            return _norm(args[root[2]]) + fields
    if root[0] == "global":
        return root[1] + fields
    return h.text


def _unlocked_in_literal(fn: Func, operand_text: str) -> bool:
    """An Unlock of it inside a function literal (``unlock := func() { mu.Unlock() }``)
    that the walk does not follow: the function may well release it."""
    for lit in captures("(func_literal) @f", fn.body).get("f", []):
        src = _norm(lit)
        if operand_text + ".Unlock()" in src or operand_text + ".RUnlock()" in src:
            return True
    return False


def _fresh(fn: Func, ref) -> bool:
    """A lock of an object this function just made (``dr := &T{...}``):
    nobody else can be holding it, so it orders nothing."""
    if ref is None or ref.inst is None or ref.inst[0][0] != "local":
        return False
    _, fid, name = ref.inst[0]
    f = fn
    while f is not None and f.fid != fid:
        f = f.outer
    binding = f.env.get(name) if f is not None else None
    if binding is None or binding[0] != "expr":
        return False
    e = unparen(binding[1])
    if e.type == "unary_expression" and e.child(0).type == "&":
        e = unparen(e.child_by_field_name("operand"))
    return e.type == "composite_literal" or (
        e.type == "call_expression" and text(e.child_by_field_name("function")) == "new")


def _classes(held) -> frozenset:
    return frozenset(h.ref.cls for h in held if h.ref.cls is not None)


def _norm(node) -> str:
    return text(node).replace(" ", "").replace("\n", "").replace("\t", "")


def _meet(states: list) -> list:
    """The locks held on every one of the flowing branches."""
    first, rest = states[0], states[1:]
    out = []
    for h in first:
        if all(any(o.text == h.text for o in st) for st in rest):
            out.append(h)
    return out


def line_of(node) -> int:
    return node.start_point[0] + 1


def lock_text(ev: Event) -> str:
    """How the source spells an event's lock / channel / WaitGroup at its innermost site."""
    node = ev.target or ev.site
    if node is not None and node.type == "call_expression":
        f = node.child_by_field_name("function")
        if f.type == "selector_expression":
            return _norm(f.child_by_field_name("operand"))
    if node is not None and node.type == "send_statement":
        return _norm(node.child_by_field_name("channel"))
    if node is not None and node.type == "unary_expression":
        return _norm(node.child_by_field_name("operand"))
    return text(node)[:40] if node is not None else "?"


def through(ev: Event) -> str:
    """' (in helper, called on line N)' for an event of a callee, '' for a direct one."""
    if not ev.via:
        return ""
    chain = " -> ".join(ev.via)
    return f" (in {chain}, line {line_of(ev.target)}, called on line {line_of(ev.site)})"


def place(fn: Func, node, here) -> str:
    """``func name (file:line)``, the file only when it is not ``here``."""
    where = f"line {line_of(node)}" if fn.file is here else f"{fn.file.relpath}:{line_of(node)}"
    return f"{fn.name} ({where})"


def counterpart_kinds(kind: str) -> set:
    """The operations that unblock a blocked channel operation of ``kind``."""
    return {"send": {"recv", "range"}, "recv": {"send", "close"}, "range": {"send", "close"}}.get(kind, set())


def _constructed(node) -> bool:
    """``&T{...}``, ``T{...}`` or ``new(T)``: a value made right here."""
    e = unparen(node)
    if e is not None and e.type == "unary_expression" and e.child(0).type == "&":
        e = unparen(e.child_by_field_name("operand"))
    return e is not None and (e.type == "composite_literal" or (
        e.type == "call_expression" and text(e.child_by_field_name("function")) == "new"))


def _hands_on(stmt, name: str) -> bool:
    """Whether ``stmt`` lets the object named ``name`` out: anything but a use of
    one of its fields or methods (``upv.refs.Store(1)``, ``upv.Lock()``) or an
    assignment to the name itself."""
    if name.encode() not in stmt.text:
        return False
    for ident in captures("(identifier) @i", stmt).get("i", []):
        if text(ident) != name:
            continue
        parent = ident.parent
        if parent is not None and parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
            continue
        if parent is not None and parent.type == "expression_list" and parent.parent is not None and \
                parent.parent.type in ("assignment_statement", "short_var_declaration") and \
                parent.parent.child_by_field_name("left") == parent:
            continue
        return True
    return False
