"""Logging calls of the standard library and the common structured loggers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.frameworks import LOGRUS, SLOG, ZAP, ZEROLOG, ZEROLOG_LOG
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import text

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


LEVELS = ("Debug", "Info", "Warn", "Warning", "Error", "Fatal", "Panic", "Trace", "Print")


LOG_METHODS = frozenset(
    [f"{l}{s}" for l in LEVELS for s in ("", "f", "w", "ln", "Context", "Fn")]
    + ["Log", "LogAttrs", "With", "WithField", "WithFields", "WithError", "Str", "Interface", "Any", "Msg", "Msgf",
       "Printf", "Println", "Print", "Fatalf", "Fatalln", "Panicf", "Panicln"]
)


PKG_LOG_FUNCS = {
    "log": {"Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"},
    "fmt": {"Print", "Printf", "Println"},
    SLOG: {"Debug", "Info", "Warn", "Error", "DebugContext", "InfoContext", "WarnContext", "ErrorContext", "Log", "LogAttrs", "With"},
    LOGRUS: {f"{l}{s}" for l in LEVELS for s in ("", "f", "ln")} | {"WithField", "WithFields", "WithError"},
    ZEROLOG_LOG: {"Debug", "Info", "Warn", "Error", "Fatal", "Panic", "Trace", "Print", "Printf", "Log"},
}


LOGGER_RECV = re.compile(
    r"(?:^|[.(])(?:log|logger|lg|l|zl|zlog|zap|sugar|sugared|slog|entry|logEntry|lgr|Log|Logger|[A-Za-z]*Logger|[a-z]+Log)(?:\(\))?$"
)


def receiver_chain_root(node):
    """For ``log.Info().Str(...)`` chains, the innermost operand text."""
    while node is not None and node.type in ("call_expression", "selector_expression"):
        if node.type == "call_expression":
            node = node.child_by_field_name("function")
        else:
            node = node.child_by_field_name("operand")
    return node


def log_calls(ctx: FileContext):
    """(call, label) for every log call in the file; memoised per file."""

    def compute():
        f = ctx.file
        out = []
        if LOG_CALL_HINT.search(f.source) is None:
            return out  # most files never log: skip the query
        for call in ctx.pkg.calls_in(f, *LOG_NAMES):
            if call.child_by_field_name("function").type != "selector_expression":
                continue
            t = f.call_target(call)
            if t is not None:
                if t[1] in PKG_LOG_FUNCS.get(t[0], ()):
                    out.append((call, f"{t[0].rsplit('/', 1)[-1]}.{t[1]}", t[0]))
                continue
            fn = call.child_by_field_name("function")
            if fn.type != "selector_expression":
                continue
            method = text(fn.child_by_field_name("field"))
            if method not in LOG_METHODS:
                continue
            operand = fn.child_by_field_name("operand")
            root = receiver_chain_root(operand)
            if root is not None and root.type == "identifier":
                path = f.package_of(root)
                if path is not None:
                    if path in (ZEROLOG_LOG, ZAP, LOGRUS, SLOG, ZEROLOG):
                        out.append((call, f"{text(root)}...{method}", path))
                    continue
            rtext = text(operand).replace(" ", "")
            if LOGGER_RECV.search(rtext):
                out.append((call, f"{rtext}.{method}", ""))
        return out

    return ctx.pkg.memo(("logging.calls", ctx.file.path), compute)


# Log calls always have arguments: "(" followed by ")" is err.Error(), d.Info()...
LOG_CALL_HINT = re.compile(
    rb"\.(?:Print|Printf|Println|Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln|Debug\w*|Info\w*|Warn\w*|Error|Errorw|Errorln"
    rb"|(?<!fmt)\.Errorf|Log|LogAttrs|With|WithFields?|WithError|Str|Interface|Any|Msgf?|Trace\w*)\((?!\))"
)


LOG_NAMES = sorted(LOG_METHODS | {n for names in PKG_LOG_FUNCS.values() for n in names})


# A function named like a logger (logError, internalLogIf, s.logf,
# auditLogger.Write): whatever it is, what it is handed ends as a log line.
# By camel-case word, so Catalog, Dialog and Login are not loggers.
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_LOGGER_WORDS = frozenset({"log", "logf", "logger", "logln", "logs"})


def named_like_logger(name: str) -> bool:
    return any(w.lower() in _LOGGER_WORDS for w in _WORDS.findall(name))


# Logger types by package: a call on a value of one of these is a log call
# whatever the variable is called (``s.out.Info``, ``h.z.Warnw``).
LOGGER_TYPES = {
    ZAP: ("Logger", "SugaredLogger"),
    SLOG: ("Logger",),
    LOGRUS: ("Logger", "Entry"),
    ZEROLOG: ("Logger", "Event", "Context"),
    "log": ("Logger",),
    "github.com/go-logr/logr": ("Logger",),
    "github.com/go-kit/log": ("Logger",),
}


def is_logger_value(ctx: FileContext, node) -> bool:
    """``node``'s declared type (through pkg.types) is a known logger type."""
    t = ctx.pkg.types.type_of(ctx.file, node)
    return t is not None and any(is_named(t, path, *names) for path, names in LOGGER_TYPES.items())


def is_logging_call(ctx: FileContext, call) -> bool:
    """A log call: one ``log_calls`` finds (package functions and receivers
    named like loggers), or a logging method on a value whose type is a
    logger type, or on the result of a chain rooted in one (``l.With(..).Info``)."""
    ids = ctx.pkg.memo(("logging.call_ids", ctx.file.path), lambda: {c.id for c, _, _ in log_calls(ctx)})
    if call.id in ids:
        return True
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression" or text(fn.child_by_field_name("field")) not in LOG_METHODS:
        return False
    node = fn.child_by_field_name("operand")
    for _ in range(8):  # down a With(...).Sugar() chain to the first typed value
        if node is None:
            return False
        if is_logger_value(ctx, node):
            return True
        if node.type == "call_expression":
            inner = node.child_by_field_name("function")
            node = inner.child_by_field_name("operand") if inner is not None and inner.type == "selector_expression" else None
        elif node.type == "parenthesized_expression":
            node = node.named_child(0)
        else:
            return False
    return False
