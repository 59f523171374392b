"""Goroutine-lifecycle rules (SG203-SG211): goroutines that outlive their
request, block forever, loop forever, or are counted and limited wrongly;
timers and tickers that are never released.

A goroutine is followed into its func literal, or into a same-package
function or method it names.  Anything that escapes where a local reading
cannot follow it (a channel handed to another function, a ticker stored in a
struct) is assumed to be handled there.
"""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.values import holder_of
from steadygo.golang.rules.base import FileContext
from steadygo.golang.rules.context import (
    chain_of,
    FRAMEWORKS,
    GO_STMT,
    HasNodes,
    LifecycleRule,
    _FOR_Q,
    _IDENT_Q,
    _RETURN_Q,
    calls_in,
    callee_name,
    callee_operand,
    ctx_names,
    enclosing_func,
    exits_of,
    go_target_bodies,
    handler_ctx_expr,
    in_main_or_init,
    is_within,
    loop_kind,
    meta,
    observes_context,
    own,
)

TIME = "time"
ERRGROUP = "golang.org/x/sync/errgroup"

_GO_Q = "(go_statement) @g"
_SELECT_Q = "(select_statement) @s"
_SEND_Q = "(send_statement) @s"
_RECV_Q = '(unary_expression operator: "<-") @r'
_RANGE_Q = "(range_clause) @r"
_BLOCKING_Q = """
(for_statement) @b
(select_statement) @b
(call_expression function: (selector_expression field: (field_identifier) @m (#eq? @m "Sleep"))) @b
"""


def go_statements(ctx: FileContext):
    return ctx.pkg.memo(("goroutines.go", ctx.file.path), lambda: ctx.file.nodes("go"))


def _stmt_func_literal(go_stmt):
    call = go_stmt.named_child(0)
    fn = unparen(call.child_by_field_name("function")) if call is not None and call.type == "call_expression" else None
    return fn if fn is not None and fn.type == "func_literal" else None


def _in_loop(node, stop) -> bool:
    return _innermost_loop(node, stop) is not None


# --------------------------------------------------------------------------
# SG203


class GoroutineOutlivesRequest(LifecycleRule):
    meta = meta(
        "SG203",
        "goroutine-outlives-request",
        Severity.WARNING,
        "Every request leaves a goroutine behind that nothing can stop; under load or a slow dependency their number climbs until memory runs out.",
        "Goroutine started from a handler that observes no context or done channel and is owned by no WaitGroup.",
        status="preview",
    )
    requires_imports = FRAMEWORKS
    markers = (GO_STMT,)

    def check(self, ctx: FileContext) -> None:
        for g in go_statements(ctx):
            full = chain_of(ctx, g)
            idx = next((i for i, fi in enumerate(full) if fi.is_handler), None)
            if idx is None:
                continue
            handler, chain = full[idx], full[: idx + 1]
            names = ctx_names(chain)
            call = g.named_child(0)
            args = call.child_by_field_name("arguments") if call is not None else None
            if args is not None and observes_context(args, names):
                continue
            targets = go_target_bodies(ctx.pkg, ctx.file, g)
            if not targets:
                continue
            if any(self._stoppable(body, names) for _fn, body in targets):
                continue
            if any(self._reported_elsewhere(ctx, fn, body) for fn, body in targets):
                continue
            blocking = any(captures(_BLOCKING_Q, body).get("b") for _fn, body in targets)
            sev = Severity.WARNING if blocking else Severity.INFO
            ctx.report(g, "goroutine started by this handler observes no context, done channel or WaitGroup: it "
                       "outlives the request and nothing can stop it; pass a context (context.WithoutCancel("
                       f"{handler_ctx_expr(handler)}) plus a timeout if it must finish) and bound it", severity=sev)

    @staticmethod
    def _reported_elsewhere(ctx, fn, body) -> bool:
        """SG206 (a loop that never exits) or SG205 (select {}) already names
        the exact line where this goroutine gets stuck."""
        if "SG206" in ctx.pkg.enabled and forever_loops(fn, body):
            return True
        if "SG205" in ctx.pkg.enabled:
            return any(
                not any(c.type in ("communication_case", "default_case") for c in s.named_children)
                for s in own(captures(_SELECT_Q, body).get("s", []), fn)
            )
        return False

    @staticmethod
    def _stoppable(body, names) -> bool:
        if observes_context(body, names):
            return True
        if captures(_RECV_Q, body).get("r"):
            return True  # waits on a channel someone can close
        if captures(_SEND_Q, body).get("s"):
            return True  # hands a result back to the request (a blocked send is SG204's business)
        return any(callee_name(c) in ("Done", "Wait") for c in calls_in(body))


# --------------------------------------------------------------------------
# SG204


def _single_chan_decl(make):
    """``ch := make(chan T[, n])`` with one name and one value: the
    short_var_declaration, else None."""
    if make.child_by_field_name("function").type != "identifier":
        return None
    args = make.child_by_field_name("arguments")
    if args is None or not args.named_child_count or args.named_child(0).type != "channel_type":
        return None
    right = make.parent
    if right is None or right.type != "expression_list" or right.named_child_count != 1:
        return None
    decl = right.parent
    if decl is None or decl.type != "short_var_declaration" or decl.child_by_field_name("right") != right:
        return None
    left = decl.child_by_field_name("left")
    if left.named_child_count != 1 or left.named_child(0).type != "identifier":
        return None
    return decl


class GoroutineBlockedOnAbandonedChannel(LifecycleRule):
    meta = meta(
        "SG204",
        "goroutine-send-without-receiver",
        Severity.ERROR,
        "When the receiver times out or returns early, the sending goroutine blocks forever on the unbuffered channel: one leaked goroutine per slow request.",
        "Goroutine sends on an unbuffered channel whose only receiver can return before receiving.",
    )
    markers = (GO_STMT, (b"make(chan",))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if not go_statements(ctx):
            return
        for make in ctx.pkg.calls_in(f, "make"):
            m = _single_chan_decl(make)
            if m is None:
                continue
            name_node = m.child_by_field_name("left").named_child(0)
            margs = make.child_by_field_name("arguments").named_children
            if len(margs) > 1 and text(margs[1]) != "0":
                continue  # buffered: the sender does not wait for a receiver
            fn = enclosing_func(m)
            if fn is None:
                continue
            self._check_channel(ctx, fn, m, text(name_node))

    def _check_channel(self, ctx, fn, decl, ch: str) -> None:
        body = fn.child_by_field_name("body")
        sends, recvs, go_sends = [], [], []
        for ident in captures(_IDENT_Q, body).get("id", []):
            if text(ident) != ch or ident.start_byte < decl.end_byte:
                continue
            p = ident.parent
            if p.type == "send_statement" and p.child_by_field_name("channel") == ident:
                sends.append(p)
            elif p.type == "unary_expression" and text(p).startswith("<-"):
                recvs.append(p)
            elif p.type == "range_clause":
                return  # `for v := range ch`: receives until close, not our pattern
            elif p.type == "argument_list" and text(p.parent.child_by_field_name("function")) in ("close", "len", "cap"):
                continue  # closing never unblocks a sender (it would panic it)
            else:
                return  # the channel escapes: other receivers may exist
        if not sends or not recvs:
            return
        for s in sends:
            lit = enclosing_func(s)
            if lit is None or lit == fn or lit.type != "func_literal":
                return
            gs = lit.parent.parent if lit.parent is not None else None
            if gs is None or gs.type != "go_statement" or enclosing_func(gs) != fn:
                return
            if s.parent is not None and s.parent.type == "communication_case":
                sel = s.parent.parent
                if sel is not None and len([c for c in sel.named_children if c.type in ("communication_case", "default_case")]) > 1:
                    continue  # select with an escape: does not block forever
            go_sends.append((s, gs))
        if not go_sends:
            return
        if any(enclosing_func(r) != fn for r in recvs):
            return
        reason = self._why(fn, recvs, go_sends)
        if reason is None:
            return
        sev = Severity.ERROR if reason[1] else Severity.WARNING
        for s, _gs in go_sends:
            ctx.report(s, f"send on unbuffered channel {ch} blocks forever when {reason[0]}: the goroutine leaks; "
                       f"make it buffered (make(chan T, 1) per sender) or select on a done channel", severity=sev)

    @staticmethod
    def _why(fn, recvs, go_sends):
        # (a) every receive is one case of a one-shot select (not in a loop
        # that keeps draining) whose other case moves on
        in_selects = []
        for r in recvs:
            comm = r.parent
            while comm is not None and comm.type not in ("communication_case", "block", "statement_list"):
                comm = comm.parent
            if comm is None or comm.type != "communication_case":
                in_selects = None
                break
            sel = comm.parent
            others = [c for c in sel.named_children if c.type in ("communication_case", "default_case") and c != comm]
            if not others or _in_loop(sel, fn):
                in_selects = None
                break
            in_selects.append(r)
        if in_selects:
            return "the receiver's select takes its other case (timeout, cancellation) and moves on", True
        first = min(r.start_byte for r in recvs)
        last_go = max(gs.end_byte for _s, gs in go_sends)
        for r in own(captures(_RETURN_Q, fn.child_by_field_name("body")).get("r", []), fn):
            if last_go <= r.start_byte < first and not any(is_within(x, r) for x in recvs):
                return f"the function returns at line {r.start_point[0] + 1} before receiving", False
        # (c) many senders (go in a loop), receiving loop that can return early
        if all(_in_loop(gs, fn) for _s, gs in go_sends):
            for r in recvs:
                loop = r.parent
                while loop is not None and loop != fn and loop.type != "for_statement":
                    loop = loop.parent
                if loop is None or loop == fn or any(is_within(gs, loop) for _s, gs in go_sends):
                    continue
                if loop_kind(loop) == "forever" or r.parent.type == "receive_statement" and r.parent.parent.type == "communication_case":
                    continue  # an event loop around a select drains until its own exit condition
                for ret in own(captures(_RETURN_Q, loop.child_by_field_name("body")).get("r", []), fn):
                    if ret.start_byte > r.start_byte:
                        return (f"the receiving loop returns early at line {ret.start_point[0] + 1} "
                                "and the remaining senders have nobody to receive"), True
        return None


# --------------------------------------------------------------------------
# SG205


class SelectForeverOutsideMain(LifecycleRule):
    meta = meta(
        "SG205",
        "select-forever-outside-main",
        Severity.WARNING,
        "An empty select blocks its goroutine forever: outside main that is a goroutine (and everything it references) that can never be released.",
        "`select {}` outside the main function.",
        status="preview",
    )
    markers = ((HasNodes("select"),), (re.compile(rb"select\s*\{\s*\}"),))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for sel in f.nodes("select"):
            if any(c.type in ("communication_case", "default_case") for c in sel.named_children):
                continue
            branch = sel.parent.parent if sel.parent is not None and sel.parent.type == "statement_list" else None
            if branch is not None and branch.type == "block":
                branch = branch.parent
            if branch is not None and branch.type in ("if_statement", "expression_case", "communication_case", "default_case", "type_case"):
                continue  # a deliberate halt on one branch (debug serve, fatal state), not a leak shape
            chain = list(ctx.funcs.enclosing_chain(sel))
            if not chain or in_main_or_init(chain, f):
                continue
            top = chain[-1]
            if f.package_name == "main" and top.node.type == "function_declaration" and self._only_called_from_main(ctx, top.name):
                continue
            ctx.report(sel, "select {} blocks this goroutine forever: outside main nothing can ever release it or "
                       "what it holds; wait on a context or a done channel instead")

    @staticmethod
    def _only_called_from_main(ctx, name) -> bool:
        calls = list(ctx.pkg.calls_to(name))
        if not calls:
            return False
        for f, call in calls:
            top = None
            for fi in ctx.pkg.functions(f).enclosing_chain(call):
                top = fi
            if top is None or top.name != "main":
                return False
        return True


# --------------------------------------------------------------------------
# SG206


class GoroutineLoopWithoutExit(LifecycleRule):
    meta = meta(
        "SG206",
        "goroutine-loop-without-exit",
        Severity.WARNING,
        "Each start of this goroutine adds one that runs forever: started per request, per connection or per object, the count only grows.",
        "Goroutine whose `for {}` / `for range ticker.C` loop has no return, break or other exit.",
    )
    markers = (GO_STMT, (HasNodes("for"),))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        seen = set()
        for g in go_statements(ctx):
            state = None  # (skip, in_handler), computed once a candidate loop exists
            # named goroutine functions are followed within this file only
            # (cheap, and the finding belongs to the file holding the loop)
            for fn, body in go_target_bodies(ctx.pkg, f, g, local_only=True):
                for loop in forever_loops(fn, body):
                    if loop.id in seen:
                        continue
                    if state is None:
                        chain = chain_of(ctx, g)
                        state = (in_main_or_init(chain, f), any(fi.is_handler for fi in chain))
                    skip, in_handler = state
                    if skip:
                        continue
                    broken_break = _has_inner_break(loop, fn)
                    if not (in_handler or broken_break):
                        # Started from startup code or a ctx-taking Run/Start
                        # function it is usually a process-lifetime worker (all
                        # three such findings on the Debian corpus were); SG213
                        # covers loops that ignore an available ctx.
                        continue
                    seen.add(loop.id)
                    if broken_break:
                        why = "its break only leaves the select/switch, not the loop"
                    else:
                        why = "started per request by a handler"
                    ctx.report(loop, f"this goroutine's loop never exits ({why}; goroutine started at line "
                               f"{g.start_point[0] + 1}): each start leaks a goroutine forever; select on ctx.Done() "
                               "or a done channel and return")


def _has_inner_break(loop, fn) -> bool:
    """An unlabelled break inside a select/switch of the loop: the author
    meant to leave the loop and does not."""
    for b in captures("(break_statement) @b", loop.child_by_field_name("body")).get("b", []):
        if enclosing_func(b) != fn or b.named_child_count:
            continue
        n = b.parent
        while n is not None and n.type not in ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"):
            n = n.parent
        if n is not None and n.type != "for_statement":
            return True
    return False


def forever_loops(fn, body):
    """Outermost `for {}` / `for range ticker.C` loops of fn with no exit."""
    out = []
    for loop in own(captures(_FOR_Q, body).get("for", []), fn):
        if loop_kind(loop) in ("forever", "range-ticker") and not _in_loop(loop, fn) and not exits_of(loop):
            out.append(loop)
    return out


# --------------------------------------------------------------------------
# SG207


def _innermost_loop(node, fn):
    n = node.parent
    while n is not None and n != fn:
        if n.type == "for_statement":
            return n
        n = n.parent
    return None


class TimeAfterInLoop(LifecycleRule):
    meta = meta(
        "SG207",
        "time-after-in-loop",
        Severity.WARNING,
        "Each loop iteration allocates a timer; before Go 1.23 none is freed until it fires, so a busy loop with a long timeout accumulates timers and memory.",
        "time.After used as a select case inside a loop.",
        status="preview",
    )
    markers = ((b"After(",), (HasNodes("select"),))
    requires_imports = (TIME,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        new_timers = ctx.pkg.module.go_at_least(1, 23)
        for sel in f.nodes("select"):
            cases = [c for c in sel.named_children if c.type in ("communication_case", "default_case")]
            if len(cases) < 2:
                continue
            fn = enclosing_func(sel)
            if not _in_loop(sel, fn):
                continue
            for case in cases:
                comm = case.child_by_field_name("communication")
                if comm is None:
                    continue
                recv = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
                if recv is None or recv.type != "unary_expression":
                    continue
                op = unparen(recv.child_by_field_name("operand"))
                if op is None or op.type != "call_expression" or f.call_target(op) != (TIME, "After"):
                    continue
                if not self._loop_goes_on(sel, case, cases, fn):
                    continue
                if new_timers:
                    ctx.report(op, "time.After in a loop allocates a new timer every iteration; since Go 1.23 (this "
                               "module's go directive) unreferenced timers are collected, so this costs allocations, "
                               "not memory; a reused time.Timer with Reset avoids it", severity=Severity.INFO)
                else:
                    ctx.report(op, "time.After in a loop: before Go 1.23 (or with no go >= 1.23 directive) each "
                               "iteration's timer stays in memory until it fires, so a busy loop with a long "
                               "timeout piles up timers; create one time.NewTimer and Reset it")

    @staticmethod
    def _loop_goes_on(sel, after_case, cases, fn) -> bool:
        """Timers pile up only when another case lets the loop go round
        again while this iteration's timer is still pending."""
        loop = _innermost_loop(sel, fn)
        exits = exits_of(loop) if loop is not None else []
        for c in cases:
            if c == after_case:
                continue
            if not any(is_within(x, c) for x in exits):
                return True
        return False


# --------------------------------------------------------------------------
# SG208

_NEW_TIMER_Q = """
(short_var_declaration
  left: (expression_list . (identifier) @name .)
  right: (expression_list . (call_expression function: (selector_expression) @fn) @call .)) @decl
"""


def _endless_loop_after(fn, start: int) -> bool:
    body = fn.child_by_field_name("body") if fn is not None else None
    if body is None:
        return False
    for loop in own(captures(_FOR_Q, body).get("for", []), fn):
        if loop.end_byte > start and loop_kind(loop) in ("forever", "range-ticker") and not exits_of(loop):
            return True
    return False


class TickerNeverStopped(LifecycleRule):
    meta = meta(
        "SG208",
        "ticker-never-stopped",
        Severity.WARNING,
        "Before Go 1.23 a ticker that is never stopped is never freed and keeps firing: one per call leaks memory and CPU forever.",
        "time.NewTicker/NewTimer (or time.Tick outside main) whose Stop is never called, in a module before Go 1.23.",
    )
    markers = ((b"NewTicker(", b"NewTimer(", b"Tick("),)
    requires_imports = (TIME,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.module.go_at_least(1, 23):
            return  # Go 1.23+: unreferenced tickers and timers are collected without Stop
        for m in captures(_NEW_TIMER_Q, f.root).get("decl", []):
            call = m.child_by_field_name("right").named_child(0)
            target = f.call_target(call)
            if target not in ((TIME, "NewTicker"), (TIME, "NewTimer")):
                continue
            fn = enclosing_func(m)
            if fn is None:
                continue
            chain = list(ctx.funcs.enclosing_chain(m))
            if in_main_or_init(chain, f):
                continue
            var = text(m.child_by_field_name("left").named_child(0))
            if self._handled(fn, m, var):
                continue
            if target[1] == "NewTicker":
                ctx.report(call, f"ticker {var} is never stopped: before Go 1.23 it is never garbage collected and keeps "
                           f"firing; defer {var}.Stop()")
            else:
                ctx.report(call, f"timer {var} is never stopped: before Go 1.23 it stays in memory until it fires; "
                           f"defer {var}.Stop()", severity=Severity.INFO)
        for call in calls_in(f.root):
            if callee_name(call) != "Tick" or f.call_target(call) != (TIME, "Tick"):
                continue
            chain = list(ctx.funcs.enclosing_chain(call))
            if not chain or in_main_or_init(chain, f):
                continue
            fn = enclosing_func(call)
            if _endless_loop_after(fn, call.start_byte):
                continue  # ticks for the life of a loop that never ends: that is what Tick is for
            ctx.report(call, "time.Tick outside main: before Go 1.23 its ticker can never be stopped or collected; "
                       "use time.NewTicker and Stop it when the function returns")

    @staticmethod
    def _handled(fn, decl, var) -> bool:
        body = fn.child_by_field_name("body")
        for ident in captures(_IDENT_Q, body).get("id", []):
            if text(ident) != var or ident.start_byte < decl.end_byte:
                continue
            p = ident.parent
            if p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
                field = text(p.child_by_field_name("field"))
                if field == "Stop":
                    return True
                if field in ("C", "Reset"):
                    continue
            return True  # stored, returned or passed on: someone else may stop it
        # a loop that never ends owns the ticker for the goroutine's life (SG206's business)
        return _endless_loop_after(fn, decl.start_byte)


# --------------------------------------------------------------------------
# SG209


class WaitGroupAddInsideGoroutine(LifecycleRule):
    meta = meta(
        "SG209",
        "waitgroup-add-inside-goroutine",
        Severity.ERROR,
        "Wait can return before the goroutine has run Add: shutdown or the response proceeds while work is still running, or the counter goes negative and panics.",
        "sync.WaitGroup.Add called inside the goroutine it is meant to count.",
    )
    markers = ((b".Add(",), (b".Wait()",), GO_STMT)
    requires_imports = ("sync",)

    def check(self, ctx: FileContext) -> None:
        for g in go_statements(ctx):
            lit = _stmt_func_literal(g)
            if lit is None:
                continue
            body = lit.child_by_field_name("body")
            inner_go = own(captures(_GO_Q, body).get("g", []), lit) + [
                c for c in own(calls_in(body), lit)
                if any(a.type == "func_literal" for a in c.child_by_field_name("arguments").named_children)
                or "go" in callee_name(c).lower()
            ]
            for call in own(calls_in(body), lit):
                if callee_name(call) != "Add":
                    continue
                wg = callee_operand(call)
                if not wg or any(x.start_byte > call.start_byte for x in inner_go):
                    continue  # Add for goroutines this one starts: fine
                if not self._waited(ctx, g, wg):
                    continue
                ctx.report(call, f"{wg}.Add inside the goroutine it counts: {wg}.Wait() can run before this Add and "
                           f"return early; call {wg}.Add(1) before the go statement (or use {wg}.Go)")

    @staticmethod
    def _waited(ctx, g, wg) -> bool:
        outer = enclosing_func(g)
        scopes = [outer.child_by_field_name("body")] if outer is not None and "." not in wg else [x.root for x in ctx.pkg.files]
        last = wg.split(".")[-1]
        for scope in scopes:
            if scope is None:
                continue
            for c in calls_in(scope):
                if callee_name(c) == "Wait" and callee_operand(c).split(".")[-1] == last and not is_within(c, g):
                    return True
        return False


# --------------------------------------------------------------------------
# SG210

_GROUP_Q = """
(var_spec name: (identifier) @name type: (qualified_type) @type) @decl
(short_var_declaration left: (expression_list . (identifier) @name)
   right: (expression_list . [(unary_expression operand: (composite_literal type: (qualified_type) @type))
                               (composite_literal type: (qualified_type) @type)
                               (call_expression function: (identifier) @new (#eq? @new "new")
                                                arguments: (argument_list (qualified_type) @type))])) @decl
"""


class ErrgroupWithoutContext(LifecycleRule):
    meta = meta(
        "SG210",
        "errgroup-without-context",
        Severity.WARNING,
        "Neither the caller's cancellation nor the first failure stops the other goroutines: a failed or abandoned request still waits for every slow call.",
        "errgroup.Group used without errgroup.WithContext in a function that receives a ctx, and its goroutines ignore ctx.",
        status="preview",
    )
    markers = ((b".Go(",),)
    requires_imports = (ERRGROUP,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for m in captures(_GROUP_Q, f.root).get("decl", []):
            tnode = m.child_by_field_name("type") if m.type == "var_spec" else None
            if tnode is None:
                tnode = captures("(qualified_type) @t", m).get("t", [None])[0]
            if tnode is None or not f.is_member(tnode, ERRGROUP, "Group"):
                continue
            chain = list(ctx.funcs.enclosing_chain(m))
            owner = next((fi for fi in chain if fi.is_handler or any(n and n != "_" for n in fi.ctx_params)), None)
            if owner is None:
                continue
            name_node = m.child_by_field_name("name") if m.type == "var_spec" else m.child_by_field_name("left").named_child(0)
            g = text(name_node)
            fn = enclosing_func(m)
            names = ctx_names(chain)
            gos = [c for c in calls_in(fn.child_by_field_name("body")) if callee_name(c) == "Go" and callee_operand(c) == g]
            if not gos or any(observes_context(c.child_by_field_name("arguments"), names) for c in gos):
                continue
            if any(callee_name(c) == "Done" for c in calls_in(fn.child_by_field_name("body"))):
                continue  # the function watches ctx.Done() itself (e.g. closes the streams on cancel)
            ctx.report(m, f"errgroup.Group {g} without WithContext and its goroutines ignore the caller's context: "
                       "cancellation and the first error stop nothing; use g, ctx := errgroup.WithContext(ctx) and "
                       "pass ctx to the work")


# --------------------------------------------------------------------------
# SG211


class UnboundedFanOut(LifecycleRule):
    meta = meta(
        "SG211",
        "unbounded-goroutine-fan-out",
        Severity.WARNING,
        "One request with a large list starts that many goroutines at once: memory, file descriptors and downstream connections blow up under a single big input.",
        "Goroutine per element of request data in a loop with no semaphore or limit.",
        status="preview",
    )
    requires_imports = FRAMEWORKS
    markers = ((*GO_STMT, b".Go("), (b"range",))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for loop in f.nodes("for"):
            rc = next((c for c in loop.named_children if c.type == "range_clause"), None)
            if rc is None:
                continue
            right = unparen(rc.child_by_field_name("right"))
            if right is None or right.type == "int_literal":
                continue  # `for range 4`: a fixed pool, not request-sized
            fn = enclosing_func(loop)
            if fn is None:
                continue
            body = loop.child_by_field_name("body")
            spawns = own(captures(_GO_Q, body).get("g", []), fn) + [
                c for c in own(calls_in(body), fn) if callee_name(c) == "Go" and callee_operand(c)
            ]
            if not spawns:
                continue
            if not any(fi.is_handler for fi in chain_of(ctx, loop)):
                continue  # outside a handler we cannot tell request data from a fixed list
            if self._limited(fn, loop, body, spawns):
                continue
            ctx.report(spawns[0], f"one goroutine per element of {text(right)} with no limit: a large request starts "
                       "that many at once; bound it (errgroup SetLimit, a semaphore channel, or a worker pool)")

    @staticmethod
    def _limited(fn, loop, body, spawns) -> bool:
        if own(captures(_SEND_Q, body).get("s", []), fn):
            return True  # sem <- struct{}{} before starting
        for c in calls_in(body):
            if callee_name(c) in ("Acquire", "TryAcquire", "Wait"):
                return True
        for c in calls_in(fn.child_by_field_name("body")):
            if callee_name(c) == "SetLimit" and c.start_byte < loop.start_byte:
                return True
        return False


RULES = [
    GoroutineOutlivesRequest(),
    GoroutineBlockedOnAbandonedChannel(),
    SelectForeverOutsideMain(),
    GoroutineLoopWithoutExit(),
    TimeAfterInLoop(),
    TickerNeverStopped(),
    WaitGroupAddInsideGoroutine(),
    ErrgroupWithoutContext(),
    UnboundedFanOut(),
]


# --------------------------------------------------------------------------
# SG214

_STOP_NAME = re.compile(r"(?i)(stop|quit|done|clos|shutdown|exit|die|dying|cancel|kill|term)")


class SendIgnoresCancellation(LifecycleRule):
    meta = meta(
        "SG214",
        "send-ignores-cancellation",
        Severity.WARNING,
        "The function stops waiting when it is cancelled, but this send does not: once the receiver has gone, the goroutine blocks on it forever.",
        "Bare channel send in a function that elsewhere selects on ctx.Done() or a stop channel.",
        status="preview",
    )
    markers = ((b"<-",), (HasNodes("select"),), (b"Done()", b"stop", b"quit", b"clos", b"Stop", b"Quit", b"Clos"))

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for sel in f.nodes("select"):
            fn = enclosing_func(sel)
            if fn is None or not self._watches_stop(sel):
                continue
            key = ("SG214.fn", fn.id)
            if key in ctx.pkg._memo:
                continue
            ctx.pkg._memo[key] = True
            body = fn.child_by_field_name("body")
            unbuffered = _unbuffered_channels(ctx.pkg)
            received = _received_names(body)
            stop_cases = [c for c in own(captures("(communication_case) @c", body).get("c", []), fn) if self._is_stop_case(c)]
            for send in own(captures(_SEND_Q, body).get("s", []), fn):
                if send.parent is not None and send.parent.type == "communication_case":
                    continue  # part of a select: it has its own way out
                chan = text(send.child_by_field_name("channel")).replace(" ", "")
                if chan.split(".")[-1] not in unbuffered:
                    continue  # buffered somewhere, or made where we cannot see: no claim
                if chan.split(".")[0] in received:
                    continue  # replying on a channel a requester sent us: it is waiting for this
                if any(is_within(send, c) for c in stop_cases):
                    continue  # acknowledging the stop request: the stopper waits for it
                ctx.report(send, f"send on {chan} ignores cancellation although this function selects on a stop "
                           f"signal (line {sel.start_point[0] + 1}): once the receiver has gone it blocks forever; "
                           f"select {{ case {chan} <- v: case <-ctx.Done(): return }}")

    @classmethod
    def _watches_stop(cls, sel) -> bool:
        return any(c.type == "communication_case" and cls._is_stop_case(c) for c in sel.named_children)

    @staticmethod
    def _is_stop_case(case) -> bool:
        """``case <-ctx.Done():`` or ``case <-s.stopc:`` (a stop-like name)."""
        comm = case.child_by_field_name("communication")
        recv = comm.child_by_field_name("right") if comm is not None and comm.type == "receive_statement" else comm
        if recv is None or recv.type != "unary_expression" or not text(recv).startswith("<-"):
            return False
        op = unparen(recv.child_by_field_name("operand"))
        if op is None:
            return False
        if op.type == "call_expression" and callee_name(op) == "Done":
            return True
        last = text(op).split(".")[-1]
        return op.type in ("identifier", "selector_expression") and bool(_STOP_NAME.search(last))


def _received_names(body) -> set[str]:
    """Variables that hold a value received from a channel (``c := <-n.status``,
    ``case in := <-w.input``): request/response channels travel this way."""
    out = set()
    for st in captures("(receive_statement left: (expression_list . (identifier) @n)) (short_var_declaration left: (expression_list . (identifier) @n) right: (expression_list . (unary_expression operator: \"<-\")))", body).get("n", []):
        out.add(text(st))
    return out


_MAKE_Q = """
(call_expression function: (identifier) @mk (#eq? @mk "make")
                 arguments: (argument_list . (channel_type))) @make
"""


def _unbuffered_channels(pkg) -> set[str]:
    """Names (variables, struct fields) that hold channels made unbuffered
    everywhere the package makes them: ``c := make(chan T)``,
    ``w.done = make(chan T)``, ``&W{done: make(chan T)}``.  A name ever made
    with a buffer, or never made here, is left out."""

    def compute():
        unbuf: set[str] = set()
        buf: set[str] = set()
        for f in pkg.files:
            if b"make(chan" not in f.source:
                continue
            for mk in captures(_MAKE_Q, f.root).get("make", []):
                h = holder_of(mk)
                if h.kind not in ("var", "field") or not h.path:
                    continue
                name = h.path.split(".")[-1]
                margs = mk.child_by_field_name("arguments").named_children
                (buf if len(margs) > 1 and text(margs[1]) != "0" else unbuf).add(name)
        return unbuf - buf

    return pkg.memo(("lifecycle.unbuffered",), compute)


RULES.append(SendIgnoresCancellation())
