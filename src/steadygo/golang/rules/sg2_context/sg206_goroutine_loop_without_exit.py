"""SG206 goroutine-loop-without-exit.

Goroutine whose `for {}` / `for range ticker.C` loop has no return, break or other exit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.lifecycle import chain_of, forever_loops, go_statements, go_target_bodies, in_main_or_init
from steadygo.golang.parse import captures, enclosing_function as enclosing_func
from steadygo.golang.parse import ancestors
from steadygo.golang.rules.base import GO_STMT, HasNodes, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


# What an unlabelled break leaves.
BREAKABLE_STATEMENTS = frozenset({"for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"})


class GoroutineLoopWithoutExit(LifecycleRule):
    meta = code_meta(
        id="SG206",
        name="goroutine-loop-without-exit",
        severity=Severity.WARNING,
        status="preview",  # 0 of 3 first-run judgements true on service holdouts; no record of 30 at 90 %: docs/rules/SG206.md
        breakpoint="Each start of this goroutine adds one that runs forever: started per request, per connection or per object, the count only grows.",
        summary="Goroutine whose `for {}` / `for range ticker.C` loop has no return, break or other exit.",
        supersedes=("SG203", "SG213"),
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
        n = next((a for a in ancestors(b) if a.type in BREAKABLE_STATEMENTS), None)
        if n is not None and n.type != "for_statement":
            return True
    return False
