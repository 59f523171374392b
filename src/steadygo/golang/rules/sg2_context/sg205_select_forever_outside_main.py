"""SG205 select-forever-outside-main: `select {}` outside the main function."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.commands import command_entry
from steadygo.golang.lifecycle import in_main_or_init
from steadygo.golang.roles import under_cmd
from steadygo.golang.rules.base import HasNodes, LifecycleRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class SelectForeverOutsideMain(LifecycleRule):
    meta = code_meta(
        id="SG205",
        name="select-forever-outside-main",
        severity=Severity.WARNING,
        breakpoint="An empty select blocks its goroutine forever: outside main that is a goroutine (and everything it references) that can never be released.",
        summary="`select {}` outside the main function.",
        status="preview",
        supersedes=("SG203",),
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
            if command_entry(ctx.pkg, f, chain):
                continue  # a command's action owns the process: blocking after it starts serving is its job
            if (f.package_name == "main" or under_cmd(ctx.repo_dir)) and len(chain) == 1 and not chain[0].is_handler:
                continue  # a program's own top-level function (not a goroutine or handler of it) parks the process
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
