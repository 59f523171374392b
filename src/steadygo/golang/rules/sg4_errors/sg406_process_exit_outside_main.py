"""SG406 process-exit-outside-main.

os.Exit / log.Fatal outside main (library code, handlers), or in main after defers it would skip.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.error_checks import calls_named, started_as_goroutine
from steadygo.golang.parse import captures, enclosing_function, text
from steadygo.golang.commands import command_entry
from steadygo.golang.roles import is_cli
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta, PRODUCTION_ROLES

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_EXITS = {("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln")}
_LOGRUS = "github.com/sirupsen/logrus"


class ProcessExitOutsideMain(GoRule):
    meta = code_meta(
        id="SG406",
        name="process-exit-outside-main",
        severity=Severity.WARNING,
        breakpoint="os.Exit and log.Fatal skip every deferred cleanup and graceful shutdown: in-flight requests are cut off, buffers are not flushed, transactions are left to time out.",
        summary="os.Exit / log.Fatal outside main (library code, handlers), or in main after defers it would skip.",
        status="preview",
        roles=PRODUCTION_ROLES,
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        is_main_pkg = f.package_name == "main"
        reported_mains: set[int] = set()  # one finding per main: the first exit that skips defers
        for call in calls_named(ctx, "Exit", "Fatal", "Fatalf", "Fatalln"):
            t = f.call_target(call)
            if t is None or not (t in _EXITS or (t[0] == _LOGRUS and t[1] in ("Fatal", "Fatalf", "Fatalln"))):
                continue
            label = text(call.child_by_field_name("function"))
            fi = ctx.funcs.enclosing(call)
            if fi is None:
                continue
            chain = list(ctx.funcs.enclosing_chain(call))
            named = next((x for x in chain if x.node.type != "func_literal"), fi)
            if named.name == "TestMain" or _EXIT_WRAPPER.match(named.name):
                continue  # a wrapper whose job is to exit (its goroutines too): its callers decide
            if not is_main_pkg and (is_cli(ctx) or command_entry(ctx.pkg, f, chain)):
                continue  # command-line tool code or a command's action: exiting is how it reports
            if not is_main_pkg and _handles_signals(f, named):
                continue  # the process's signal handling: exiting on a second SIGINT is its job
            in_goroutine = any(started_as_goroutine(x.node) for x in chain)
            if not in_goroutine and not is_main_pkg and _STARTUP.match(fi.name):
                continue  # start-up helper: nothing is in flight yet
            h = ctx.funcs.in_handler(call)
            if h is not None:
                ctx.report(call, f"{label} inside a request handler kills the whole server: every in-flight request is cut "
                           "off and deferred cleanup never runs; return an error response instead")
                continue
            if not is_main_pkg and not _main_like(ctx.pkg, f.package_name):
                ctx.report(call, f"{label} in library package {f.package_name}: it exits the process from code that should "
                           "return an error, skipping deferred cleanup and graceful shutdown")
                continue
            if fi.name == "main" and fi.node.type == "function_declaration":
                d = self._defer_before(fi.body, call)
                if d is not None and fi.node.id not in reported_mains:
                    reported_mains.add(fi.node.id)
                    ctx.report(call, f"{label} in main after the defer on line {d.start_point[0] + 1}: the deferred cleanup "
                               "never runs; move the work into run() error and exit once at the end of main")

    @staticmethod
    def _defer_before(body, call):
        for d in captures("(defer_statement) @d", body).get("d", []):
            if d.start_byte < call.start_byte and enclosing_function(d) == enclosing_function(call):
                return d
        return None


def _main_like(pkg, name: str) -> bool:
    """``etcdmain``: the implementation of a program's main, split out so
    main.go is one call (``etcdmain.Main(os.Args)``); only that program
    imports it.  Known by the name and its ``Main`` function (``domain`` and
    ``remain`` are words, not that)."""
    if not name.endswith("main") or name == "main" or name.endswith(("domain", "remain")):
        return False
    return any(fi.node.type == "function_declaration" for _f, fi in pkg.functions_named("Main"))


def _handles_signals(f, fi) -> bool:
    body = fi.body
    if body is None:
        return False
    return any(f.call_target(c) == ("os/signal", "Notify") for c in captures("(call_expression) @c", body).get("c", []))


_STARTUP = re.compile(r"^(init|[Nn]ew|[Ii]nit|[Ll]oad|[Ss]etup|[Cc]onnect|[Oo]pen|[Mm]ust|[Pp]arse|[Cc]onfigure|[Rr]egister)")
_EXIT_WRAPPER = re.compile(r"^(Must|must|Fatal|fatal|Exit|exit|die|Die|usage|Usage|fail|Fail|check|Check)")
