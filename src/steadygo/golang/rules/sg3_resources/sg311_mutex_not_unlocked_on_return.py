"""SG311 mutex-not-unlocked-on-return.

Lock() whose function unlocks on some paths but returns on another with the lock still held.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.cfg import function_cfg
from steadygo.golang.flow import describe_leak, dominates, flow_around, leaks, owner_function, Resource
from steadygo.golang.lifecycle import callee_name
from steadygo.golang.locks import mutex_locks, unlock_guarded_by_flag, unlocking_methods
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.flow import FunctionFlow
    from steadygo.golang.rules.base import FileContext


def _unlock_calls(flow: FunctionFlow, mu: str, unlock: str):
    return [c for c, sel in flow.sel_calls()
            if text(sel.child_by_field_name("field")) == unlock and text(sel.child_by_field_name("operand")).replace(" ", "") == mu]


class MutexNotUnlockedOnReturn(GoRule):
    meta = code_meta(
        id="SG311",
        status="preview",  # 0 of 5 first-run holdout findings true: docs/rules/SG311.md
        name="mutex-not-unlocked-on-return",
        severity=Severity.ERROR,
        breakpoint="A return that skips Unlock leaves the mutex held forever: the next request that needs it blocks, then every request does, and the service hangs without crashing.",
        summary="Lock() whose function unlocks on some paths but returns on another with the lock still held.",
    )

    def check(self, ctx: FileContext) -> None:
        for stmt, call, mu, unlock in mutex_locks(ctx):
            flow = flow_around(ctx, stmt)
            if flow is None:
                continue
            unlocks = [c for c in _unlock_calls(flow, mu, unlock) if owner_function(c) == flow.fn]
            if not unlocks:
                continue  # a lock helper that returns locked on purpose
            if any(c.start_byte < stmt.start_byte for c in unlocks):
                continue  # unlock ... lock again: the function's contract is to return locked
            if unlock_guarded_by_flag(flow.body, mu, unlock):
                continue  # lockHeld / unlocked bool: which paths hold it is in the flag
            res = Resource(var="", operands=frozenset({mu}), methods=frozenset({unlock}), scoped=False, escapes=False)
            top = flow.body.named_children[0] if flow.body.named_child_count else None
            # A return at the top level of the function (its main exit) that
            # keeps the lock is a design choice (lock handed to the caller,
            # released through a returned func); early returns are the bug.
            found = [l for l in leaks(flow, stmt, res, None, graph=function_cfg(ctx, flow.fn))
                     if l.kind != "end" and l.node.parent != top]
            if found:
                cleanups = _deferred_cleanups(ctx, flow, mu)
                found = [l for l in found if not any(
                    d.start_byte < l.node.start_byte and dominates(d, l.node.start_byte, l.node.end_byte, stmt)
                    for d in cleanups)]
            if found and "." in mu:
                helpers = _unlocking_helper_calls(ctx, flow, mu, unlock)
                found = [l for l in found if not any(
                    h.start_byte < l.node.start_byte and dominates(h, l.node.start_byte, l.node.end_byte, stmt)
                    for h in helpers)]
            if found:
                ctx.report(call, f"{mu}.{text(call.child_by_field_name('function').child_by_field_name('field'))}() is still held "
                           f"on the path that {describe_leak(found[0])}: every later {mu}.Lock() blocks forever; "
                           f"use defer {mu}.{unlock}() or unlock before returning")


def _deferred_cleanups(ctx: FileContext, flow: FunctionFlow, mu: str) -> list:
    """``queue, cleanup, err := q.getQueueUnderRlock(id); defer cleanup()``:
    defer statements of the function that call a func value returned by a
    same-package function whose body unlocks the same mutex field (it hands
    back whichever unlock the lock it ended up holding needs)."""
    field = mu.rsplit(".", 1)[-1]
    needles = tuple(f"{field}.{u}()" for u in ("Unlock", "RUnlock"))
    out = []
    for d in ctx.file.nodes("defer"):
        if not (flow.body.start_byte <= d.start_byte < flow.body.end_byte) or owner_function(d) != flow.fn:
            continue
        call = unparen(d.named_child(0))
        fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if fn is None or fn.type != "identifier":
            continue
        made_by = {callee_name(v) for v in map(unparen, ctx.pkg.assigned_from(flow.body, text(fn)))
                   if v is not None and v.type == "call_expression"}
        if any(finfo.body is not None and any(n in text(finfo.body) for n in needles)
               for name in made_by for _, finfo in ctx.pkg.functions_named(name)):
            out.append(d)
    return out


def _unlocking_helper_calls(ctx: FileContext, flow: FunctionFlow, mu: str, unlock: str) -> list:
    """``w.clearLocked()`` where the package's ``clearLocked`` method releases
    its receiver's ``mu`` on every path (golang.locks.unlocking_methods)."""
    owner, field = mu.rsplit(".", 1)
    names = unlocking_methods(ctx.pkg, field, unlock)
    if not names:
        return []
    return [c for c, sel in flow.sel_calls()
            if text(sel.child_by_field_name("field")) in names
            and text(sel.child_by_field_name("operand")).replace(" ", "") == owner and owner_function(c) == flow.fn]
