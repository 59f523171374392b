"""SG501 unstructured-log-in-service.

fmt.Print*/std log call in service code of a module that logs with a structured logger (slog, zap, zerolog, logrus).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.facts import STRUCTURED_LOGGERS, requirement_facts
from steadygo.golang.log_calls import log_calls, LOG_METHODS
from steadygo.golang.roles import is_cli
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _structured(ctx) -> list[str]:
    """Structured loggers the package, or else its module, imports."""
    own = [p for f in ctx.pkg.files for p in f.imports.paths if p in STRUCTURED_LOGGERS]
    if own or not ctx.pkg.module.root:
        return own
    return requirement_facts(ctx.pkg.module).loggers


class UnstructuredLogInService(GoRule):
    meta = code_meta(
        id="SG501",
        name="unstructured-log-in-service",
        severity=Severity.INFO,
        breakpoint="Lines written with fmt/log bypass the service's structured logger: no level, no request or trace id, and a JSON log pipeline files them as unparsable text, so they are missing exactly when someone searches for them.",
        summary="fmt.Print*/std log call in service code of a module that logs with a structured logger (slog, zap, zerolog, logrus).",
        status="preview",
    )
    requires_imports = ("log", "fmt")

    def check(self, ctx: FileContext) -> None:
        loggers = ctx.pkg.memo("logging.structured", lambda: _structured(ctx))
        if not loggers:
            return
        # log.Fatal*/Panic* end the process or goroutine: start-up failures and invariants, not log lines
        calls = [(c, label, p) for c, label, p in log_calls(ctx)
                 if p in ("log", "fmt") and label.split(".")[-1].startswith("Print")]
        if not calls:
            return
        cli = is_cli(ctx)
        for call, label, path in calls:
            fi = ctx.funcs.enclosing(call)
            in_handler = ctx.funcs.in_handler(call) is not None
            if cli and not in_handler:
                continue  # start-up and command output of main packages and command-line tools
            if path == "fmt" and not in_handler:
                continue  # stdout outside a handler is program output more often than logging
            if fi is not None and fi.name in ("init", "main") and fi.node.type == "function_declaration":
                continue
            if fi is not None and fi.node.type == "method_declaration" and (fi.name in LOG_METHODS or fi.name == "Write"):
                continue  # a logger adapter forwarding to std log (Fatalf, Write for log.New)
            ctx.report(call, f"{label} in a service that logs with {loggers[0]}: this line has no level or fields and "
                       "breaks the JSON log stream; use the structured logger")
