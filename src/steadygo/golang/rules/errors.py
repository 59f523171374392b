"""Error-handling rules (SG4xx): discarded errors that lose data, wrapping
that breaks errors.Is/As, panics and exits on the request path, handlers
that keep going after writing an error."""

from __future__ import annotations

import re

from steadygo.findings import Severity
from steadygo.golang.flow import terminates
from steadygo.golang.functions import GIN
from steadygo.golang.parse import FUNC_TYPES, captures, enclosing_function, kind_id, string_value, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.golang.rules.resources import _meta, may_have_handlers, statement_index

_DB_PATHS = ("database/sql", "github.com/jmoiron/sqlx", "github.com/jackc/pgx")
_ERR_NAME = re.compile(r"^(err|e|[a-z]\w*Err|[a-z]*err)$")


def _calls(ctx: FileContext, *names: str):
    """Calls of the file whose function (or method) is one of ``names``,
    from the package's per-file call index: no extra tree walk."""
    return ctx.pkg.calls_in(ctx.file, *names)


def _is_err_name(node) -> bool:
    node = unparen(node)
    return node is not None and node.type == "identifier" and bool(_ERR_NAME.match(text(node)))


def _method(call) -> tuple[str, object]:
    fn = call.child_by_field_name("function")
    if fn.type != "selector_expression":
        return "", None
    return text(fn.child_by_field_name("field")), unparen(fn.child_by_field_name("operand"))


# --------------------------------------------------------------------------
# SG401


_WRITER_OPENERS = {("os", "Create"), ("os", "OpenFile"), ("compress/gzip", "NewWriter"), ("compress/gzip", "NewWriterLevel"),
                   ("compress/zlib", "NewWriter"), ("compress/zlib", "NewWriterLevel"), ("archive/zip", "NewWriter"),
                   ("archive/tar", "NewWriter"), ("compress/flate", "NewWriter")}
_CONN_OPENERS = {("net", "Dial"), ("net", "DialTimeout"), ("os", "Create"), ("os", "OpenFile")}
_ENCODERS = {("encoding/json", "NewEncoder"), ("encoding/xml", "NewEncoder"), ("encoding/gob", "NewEncoder")}
_UNMARSHAL = {("encoding/json", "Unmarshal"), ("encoding/xml", "Unmarshal"), ("gopkg.in/yaml.v3", "Unmarshal"),
              ("gopkg.in/yaml.v2", "Unmarshal"), ("sigs.k8s.io/yaml", "Unmarshal")}
_READ_ONLY_FLAGS = re.compile(r"^\s*os\.O_RDONLY\s*$")


class ErrorDiscarded(GoRule):
    meta = _meta(
        "SG401",
        "error-discarded",
        Severity.WARNING,
        "A failed write, commit, flush or decode that nobody checks turns into silent data loss: the request reports success while the row, file or payload is missing or truncated.",
        "Error from a call known to fail in production (Exec, Commit, Scan, Encode, Unmarshal, Close/Flush of a writer) is ignored.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        db = any(f.imports.imports_prefix(p) for p in _DB_PATHS)
        for call in _calls(ctx, "Unmarshal", "Exec", "ExecContext", "NamedExec", "NamedExecContext", "Commit", "Scan", "Encode", "Close", "Flush", "Write", "WriteString"):
            how = _discard_kind(call)
            if how is None:
                continue
            what = self._known_failing(ctx, call, db, how)
            if what is None:
                continue
            label = text(call.child_by_field_name("function"))
            verb = {"stmt": "is ignored", "blank": "is assigned to _", "defer": "is lost in defer", "go": "is lost in go"}[how]
            ctx.report(call, f"error from {label} {verb}: {what}")

    def _known_failing(self, ctx, call, db: bool, how: str) -> str | None:
        f = ctx.file
        target = f.call_target(call)
        if target in _UNMARSHAL:
            return "a malformed payload leaves the value half-filled and the code carries on with it"
        method, operand = _method(call)
        if not method or target is not None or operand is None:
            return None
        args = call.child_by_field_name("arguments").named_children
        if db and method in ("Exec", "ExecContext", "NamedExec", "NamedExecContext") and args:
            return "a failed write (constraint, deadlock, lost connection) goes unnoticed and the request reports success"
        if db and method == "Commit" and len(args) <= 1 and _var_from_method(ctx, call, operand, ("Begin", "BeginTx", "Beginx", "BeginTxx", "MustBegin")):
            return "a failed commit means nothing was written, yet the caller is told it was"
        if db and method == "Scan" and args and how == "stmt" and _is_rows_like(ctx, call, operand):
            return "a failed scan leaves the destination zero-valued and the code uses it as real data"
        if method == "Encode" and args and how != "blank" and _from_constructor(ctx, call, operand, _ENCODERS):
            return "an encoding failure leaves a truncated or empty body that the client takes as complete"
        if method in ("Close", "Flush") and not args and how != "go":
            origin = _from_constructor(ctx, call, operand, _WRITER_OPENERS, want_call=True)
            if origin is None and method == "Flush":
                origin = _from_constructor(ctx, call, operand, _BUFIO_WRITERS, want_call=True)
            if origin is None or _read_only_open(f, origin):
                return None
            if _checked_elsewhere(ctx, call, operand, method) or _in_error_path(call):
                return None
            return (f"{method} flushes buffered data and reports write errors (disk full, quota, NFS); ignoring it "
                    "means a truncated file or stream looks complete; check it (or return it from a deferred func)")
        if method in ("Write", "WriteString") and args and how == "stmt":
            origin = _from_constructor(ctx, call, operand, _CONN_OPENERS, want_call=True)
            if origin is not None and not _read_only_open(f, origin):
                return "a short or failed write is silently lost"
        return None


def _discard_kind(call) -> str | None:
    p = call.parent
    if p is None:
        return None
    if p.type == "expression_statement":
        return "stmt"
    if p.type == "defer_statement":
        return "defer"
    if p.type == "go_statement":
        return "go"
    if p.type == "expression_list" and p.named_child_count == 1 and p.parent is not None:
        stmt = p.parent
        if stmt.type in ("assignment_statement", "short_var_declaration") and stmt.child_by_field_name("right") == p:
            lhs = stmt.child_by_field_name("left").named_children
            if lhs and text(lhs[-1]) == "_":
                return "blank"
    return None


def _var_from_method(ctx, call, operand, methods) -> bool:
    if operand.type != "identifier":
        return False
    fi = ctx.funcs.enclosing(call)
    if fi is None:
        return False
    if any(p.name == text(operand) and "Tx" in p.type_text for p in fi.params):
        return True  # a *sql.Tx / sqlx.Tx / pgx.Tx parameter
    for rhs in ctx.pkg.assigned_from(fi.body, text(operand)):
        rhs = unparen(rhs)
        m, _ = _method(rhs) if rhs is not None and rhs.type == "call_expression" else ("", None)
        if m in methods:
            return True
    return False


def _is_rows_like(ctx, call, operand) -> bool:
    if operand.type == "call_expression":
        m, _ = _method(operand)
        return m in ("QueryRow", "QueryRowContext", "QueryRowx", "QueryRowxContext")
    if operand.type != "identifier":
        return False
    fi = ctx.funcs.enclosing(call)
    if fi is None:
        return False
    v = text(operand)
    for c in captures("(call_expression function: (selector_expression operand: (identifier) @o field: (field_identifier) @m)) @c", fi.body).get("c", []):
        fn = c.child_by_field_name("function")
        if text(fn.child_by_field_name("operand")) == v and text(fn.child_by_field_name("field")) == "Next":
            return True
    for rhs in ctx.pkg.assigned_from(fi.body, v):
        rhs = unparen(rhs)
        if rhs is not None and rhs.type == "call_expression" and _method(rhs)[0] in ("QueryRow", "QueryRowContext", "QueryRowx", "QueryRowxContext"):
            return True
    return False


_BUFIO_WRITERS = frozenset({("bufio", "NewWriter"), ("bufio", "NewWriterSize")})


def _file_calls_any(ctx, ctors) -> bool:
    """Whether the file calls anything named like one of ``ctors`` (a
    module-level constant set, so its id is a stable memo key)."""
    return ctx.pkg.memo(("err.ctor_names", ctx.file.path, id(ctors)),
                        lambda: bool(ctx.pkg.calls_in(ctx.file, *{name for _, name in ctors})))


def _from_constructor(ctx, call, operand, ctors, want_call: bool = False):
    """The constructor call the operand came from (``json.NewEncoder(w)``
    inline, or assigned in the enclosing function), when it is one of ctors."""
    operand = unparen(operand)
    if operand is None:
        return None
    if not _file_calls_any(ctx, ctors):
        return None  # no call in the file is named like one of the constructors
    if operand.type == "call_expression":
        return operand if ctx.file.call_target(operand) in ctors else None
    if operand.type != "identifier":
        return None
    fi = ctx.funcs.enclosing(call)
    if fi is None:
        return None
    for chain in ctx.funcs.enclosing_chain(call):
        for rhs in ctx.pkg.assigned_from(chain.body, text(operand)):
            rhs = unparen(rhs)
            if rhs is not None and rhs.type == "call_expression" and ctx.file.call_target(rhs) in ctors:
                return rhs
    return None


def _read_only_open(file, ctor_call) -> bool:
    t = file.call_target(ctor_call)
    if t != ("os", "OpenFile"):
        return False
    args = ctor_call.child_by_field_name("arguments").named_children
    return len(args) >= 2 and "O_WRONLY" not in text(args[1]) and "O_RDWR" not in text(args[1]) and "O_APPEND" not in text(args[1]) and "O_CREATE" not in text(args[1])


def _checked_elsewhere(ctx, call, operand, method) -> bool:
    """``defer f.Close()`` plus an explicit, checked ``f.Close()`` on the
    success path (closing twice is harmless), or a checked Sync."""
    fi = ctx.funcs.enclosing(call)
    if fi is None or operand.type != "identifier":
        return False
    v = text(operand)
    for c in captures("(call_expression function: (selector_expression operand: (identifier) @o field: (field_identifier) @m)) @c", fi.body).get("c", []):
        if c.id == call.id:
            continue
        fn = c.child_by_field_name("function")
        if text(fn.child_by_field_name("operand")) != v or text(fn.child_by_field_name("field")) not in (method, "Sync", "Close"):
            continue
        if _discard_kind(c) is None:
            return True
    return False


def _in_error_path(call) -> bool:
    """Closing while already returning another error: that error wins."""
    n = call.parent
    while n is not None and n.type not in FUNC_TYPES:
        if n.type == "block" and n.parent is not None and n.parent.type == "if_statement":
            cond = text(n.parent.child_by_field_name("condition"))
            if "err" in cond and "nil" in cond:
                return True
        n = n.parent
    return False


# --------------------------------------------------------------------------
# SG402

_DIAGNOSTIC = re.compile(r"\b(want|wanted|expected|got)\b", re.I)
_VERB = re.compile(r"%([-+# 0]*)(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?([a-zA-Z%])")


def _verbs(fmt: str) -> list[tuple[str, int]]:
    """(verb, argument index) pairs of a format string; %% consumes nothing."""
    out = []
    idx = 0
    for m in _VERB.finditer(fmt):
        verb = m.group(6)
        if verb == "%":
            continue
        if m.group(3) == "*":
            idx += 1
        if m.group(5) == "*":
            idx += 1
        if m.group(2):
            idx = int(m.group(2)[1:-1]) - 1
        out.append((verb, idx))
        idx += 1
    return out


class ErrorWrappedWithoutW(GoRule):
    meta = _meta(
        "SG402",
        "error-wrapped-without-w",
        Severity.WARNING,
        "Formatting an error with %v flattens it to text: errors.Is(err, context.DeadlineExceeded), sql.ErrNoRows and friends stop matching upstream, so retries, status codes and fallbacks silently take the wrong branch.",
        "fmt.Errorf formats an error argument with %v/%s instead of wrapping it with %w.",
    )
    requires_imports = ("fmt",)

    def check(self, ctx: FileContext) -> None:
        if ctx.pkg.module.go_at_least(1, 13) is False:
            return  # no %w / errors.Is before Go 1.13
        for call in _calls(ctx, "Errorf"):
            if ctx.file.call_target(call) != ("fmt", "Errorf"):
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args:
                continue
            fmt = string_value(args[0])
            if fmt is None or "%w" in fmt or _DIAGNOSTIC.search(fmt):
                continue  # "got %v, want %v": the error is reported, not wrapped
            if _terminal_use(call):
                continue  # handed to panic/Fatal/a logger: nobody inspects it afterwards
            rest = args[1:]
            for verb, i in _verbs(fmt):
                if verb not in ("v", "s") or i >= len(rest):
                    continue
                a = unparen(rest[i])
                if _is_err_name(a) or _is_error_call(a):
                    ctx.report(call, f"fmt.Errorf formats {text(a)} with %{verb}: the wrapped error chain is lost, so "
                               "errors.Is/As upstream (timeouts, not-found, cancellation) no longer match; use %w")
                    break


_TERMINAL_CALLEES = re.compile(r"^(panic|Fatal\w*|Panic\w*|Print\w*|Log\w*|Error|Errorf|Warn\w*|Info\w*|Debug\w*|Exit)$")


def _terminal_use(call) -> bool:
    p = call.parent
    if p is None or p.type != "argument_list":
        return False
    fn = p.parent.child_by_field_name("function") if p.parent is not None else None
    if fn is None:
        return False
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    return bool(_TERMINAL_CALLEES.match(name))


def _is_error_call(node) -> bool:
    if node is None or node.type != "call_expression":
        return False
    m, operand = _method(node)
    return m == "Error" and _is_err_name(operand) and node.child_by_field_name("arguments").named_child_count == 0


# --------------------------------------------------------------------------
# SG403

_STRING_MATCHERS = {("strings", "Contains"), ("strings", "HasPrefix"), ("strings", "HasSuffix"), ("strings", "EqualFold"), ("strings", "Index")}
# Standard-library sentinels that reach service code wrapped (os.Open returns
# *PathError around ErrNotExist, net/url and net/http wrap context errors,
# repositories wrap sql.ErrNoRows).
_WRAPPED_SENTINELS = {
    ("context", "Canceled"), ("context", "DeadlineExceeded"), ("database/sql", "ErrNoRows"),
    ("database/sql", "ErrTxDone"), ("database/sql", "ErrConnDone"), ("os", "ErrNotExist"), ("os", "ErrExist"),
    ("os", "ErrPermission"), ("os", "ErrDeadlineExceeded"), ("os", "ErrClosed"), ("io/fs", "ErrNotExist"),
    ("io/fs", "ErrExist"), ("io/fs", "ErrPermission"), ("io/fs", "ErrClosed"), ("net", "ErrClosed"),
    ("net/http", "ErrHandlerTimeout"), ("net/http", "ErrBodyReadAfterClose"), ("os/exec", "ErrNotFound"),
}  # io.Reader's contract: Read returns io.EOF itself


# the kinds one side of a reported comparison has: pkg.ErrX, or a string literal
_SENTINEL_OR_TEXT = frozenset(kind_id(k) for k in ("selector_expression", "interpreted_string_literal", "raw_string_literal"))


class ErrorComparedWithoutErrorsIs(GoRule):
    meta = _meta(
        "SG403",
        "error-compared-without-errors-is",
        Severity.WARNING,
        "== against another package's sentinel, or matching err.Error() text, breaks as soon as any layer wraps the error or the message changes: the not-found/timeout branch stops firing and the wrong status or retry follows.",
        "Error compared with == to another package's sentinel, or matched by its message text.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.module.go_at_least(1, 13) is False:
            return  # no %w / errors.Is before Go 1.13
        src = f.source
        if b"Err" not in src and b"Canceled" not in src and b"DeadlineExceeded" not in src and b".Error()" not in src:
            return
        caps = statement_index(ctx)
        for b in caps.get("cmp", []):
            left = unparen(b.child_by_field_name("left"))
            right = unparen(b.child_by_field_name("right"))
            if left is None or right is None or (left.kind_id not in _SENTINEL_OR_TEXT and right.kind_id not in _SENTINEL_OR_TEXT):
                continue  # err != nil, n == 0 ...: neither side a pkg.ErrX sentinel nor a message string
            for a, s in ((left, right), (right, left)):
                if _is_err_name(a) and self._foreign_sentinel(f, s) and not self._in_is_method(ctx, b) and not _from_ctx_err(ctx, b, a):
                    ctx.report(b, f"{text(b)} compares with == : once anything wraps the error (fmt.Errorf %w, "
                               f"net/url, your own layers) this is false; use errors.Is({text(a)}, {text(s)})")
                    break
                if _is_error_call(a) and s is not None and s.type in ("interpreted_string_literal", "raw_string_literal"):
                    ctx.report(b, f"{text(b)} matches the error by its message text: a reworded or wrapped message "
                               "silently breaks this branch; compare with errors.Is/As against a sentinel or type")
                    break
        for call in _calls(ctx, *{m for _, m in _STRING_MATCHERS}):
            if f.call_target(call) not in _STRING_MATCHERS:
                continue
            args = call.child_by_field_name("arguments").named_children
            if args and _is_error_call(unparen(args[0])):
                ctx.report(call, f"{text(call.child_by_field_name('function'))}({text(args[0])}, ...) matches the error by its "
                           "message text: wording changes and wrapping break it silently; use errors.Is/As")
        for sw in caps.get("switch", []):
            val = unparen(sw.child_by_field_name("value"))
            if not _is_err_name(val):
                continue
            for case in sw.named_children:
                if case.type != "expression_case":
                    continue
                values = case.child_by_field_name("value")
                for item in values.named_children if values is not None else []:
                    if self._foreign_sentinel(f, unparen(item)) and not _from_ctx_err(ctx, sw, val):
                        ctx.report(item, f"switch {text(val)} {{ case {text(item)}: }} compares with ==: a wrapped error "
                                   f"skips this case; use switch {{ case errors.Is({text(val)}, {text(item)}): }}")

    @staticmethod
    def _foreign_sentinel(f, node) -> bool:
        if node is None or node.type != "selector_expression":
            return False
        q = f.qualified(node)
        if q is None:
            return False
        if q in _WRAPPED_SENTINELS:
            return True
        # Third-party sentinels (gorm.ErrRecordNotFound, mongo.ErrNoDocuments,
        # pgx.ErrNoRows ...) travel through layers that wrap; standard-library
        # ones outside the list are returned unwrapped by documented contract
        # (io.EOF, io.ErrUnexpectedEOF from ReadFull, bufio.ErrBufferFull,
        # driver.ErrSkip, http.ErrServerClosed).
        path = q[0] if q[0] != "." else (f.imports.dot[0] if len(f.imports.dot) == 1 else "")
        if path.startswith("golang.org/x/"):
            return False  # follows the standard library's unwrapped-sentinel contracts
        return "." in path.split("/")[0] and q[1].startswith("Err")

    @staticmethod
    def _in_is_method(ctx, node) -> bool:
        fi = ctx.funcs.enclosing(node)
        return fi is not None and fi.name in ("Is", "As", "Unwrap")


def _from_ctx_err(ctx, at, var) -> bool:
    """The error comes straight from a call documented to return the
    sentinel unwrapped (errorlint's allow-list idea): ``ctx.Err()`` for
    context errors, ``row.Scan(...)`` for sql.ErrNoRows."""
    fi = ctx.funcs.enclosing(at)
    if fi is None or var is None or var.type != "identifier":
        return False
    for rhs in ctx.pkg.assigned_from(fi.body, text(var)):
        rhs = unparen(rhs)
        if rhs is not None and rhs.type == "call_expression" and _method(rhs)[0] in ("Err", "Scan"):
            return True
    return False


# --------------------------------------------------------------------------
# SG404 / SG405


def _has_deferred_recover(pkg, body, depth: int = 0) -> bool:
    if body is None:
        return False
    for d in captures("(defer_statement) @d", body).get("d", []):
        if captures("(call_expression function: (identifier) @f (#eq? @f \"recover\"))", d).get("f"):
            return True
        call = d.named_child(0)
        if call is None or call.type != "call_expression":
            continue
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        low = name.lower()
        if "recover" in low or "panic" in low:
            return True
        if depth < 1:
            for f, fi in pkg.functions_named(name):
                if captures("(call_expression function: (identifier) @f (#eq? @f \"recover\"))", fi.node).get("f"):
                    return True
    return False


class PanicInRequestPath(GoRule):
    meta = _meta(
        "SG404",
        "panic-in-request-path",
        Severity.WARNING,
        "A panic while serving a request drops that connection with no response (net/http) or kills the whole process (gRPC, frameworks without recovery middleware, any goroutine).",
        "panic (or log.Panic) called inside a request handler.",
    )

    def check(self, ctx: FileContext) -> None:
        if not may_have_handlers(ctx):
            return  # a handler's signature needs a framework import (or gRPC in the package)
        f = ctx.file
        for call in _calls(ctx, "panic", "Panic", "Panicf", "Panicln"):
            fn = call.child_by_field_name("function")
            is_panic = fn.type == "identifier" and text(fn) == "panic" and not _panic_shadowed(ctx, call)
            t = f.call_target(call)
            if not is_panic and t not in (("log", "Panic"), ("log", "Panicf"), ("log", "Panicln")):
                continue
            args = call.child_by_field_name("arguments").named_children
            if is_panic and args and f.is_member(unparen(args[0]), "net/http", "ErrAbortHandler"):
                continue
            chain = list(ctx.funcs.enclosing_chain(call))
            h = next((fi for fi in chain if fi.is_handler), None)
            if h is None:
                continue
            # only the synchronous path: a goroutine's panic is SG405's
            inner = chain[: chain.index(h)]
            if any(_started_as_goroutine(fi.node) for fi in inner):
                continue
            if any(_has_deferred_recover(ctx.pkg, fi.body) for fi in chain[: chain.index(h) + 1]):
                continue
            if h.handler == "grpc":
                ctx.report(call, "panic inside a gRPC handler: grpc-go does not recover panics, so this crashes the whole "
                           "process and every in-flight call; return a status error instead", severity=Severity.ERROR)
            else:
                ctx.report(call, f"panic inside a {h.handler} handler: the client gets no response (net/http drops the "
                           "connection; without recovery middleware the process dies); return an error response instead")


def _panic_shadowed(ctx, call) -> bool:
    def compute():
        return any(n.type == "function_declaration" and text(n.child_by_field_name("name")) == "panic"
                   for f in ctx.pkg.files for n in f.root.named_children)

    return ctx.pkg.memo("err.panic_shadowed", compute)


def _started_as_goroutine(fn_node) -> bool:
    p = fn_node.parent
    return p is not None and p.type == "call_expression" and p.parent is not None and p.parent.type == "go_statement"


_HARMLESS_CALLS = frozenset({"close", "cancel", "Done", "Sleep", "Add", "Stop", "Unlock", "Lock", "len", "Signal", "Broadcast"})


class GoroutineWithoutRecover(GoRule):
    meta = _meta(
        "SG405",
        "goroutine-without-recover",
        Severity.WARNING,
        "A panic in a goroutine is never recovered by net/http or middleware: one bad input crashes the process and every in-flight request with it.",
        "Goroutine started from a request handler with no deferred recover.",
    )

    def check(self, ctx: FileContext) -> None:
        if not may_have_handlers(ctx):
            return
        for g in statement_index(ctx).get("go", []):
            if ctx.funcs.in_handler(g) is None:
                continue
            call = g.named_child(0)
            if call is None or call.type != "call_expression":
                continue
            fn = unparen(call.child_by_field_name("function"))
            if fn is None:
                continue
            if fn.type == "func_literal":
                body = fn.child_by_field_name("body")
                label = "go func() {...}"
            else:
                name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
                if ctx.file.qualified(fn) is not None:
                    continue  # another package's function: cannot see inside
                helpers = list(ctx.pkg.functions_named(name))
                if not helpers:
                    continue
                body = helpers[0][1].body
                label = f"go {text(fn)}(...)"
            if body is None or _has_deferred_recover(ctx.pkg, body) or not _can_panic(body):
                continue
            ctx.report(g, f"{label} started from a request handler has no deferred recover: a panic in it is not caught "
                       "by net/http or middleware and crashes the whole process; add defer func() { if r := recover(); ... }()")


def _can_panic(body) -> bool:
    for call in captures("(call_expression function: [(identifier) (selector_expression)] @fn) @c", body).get("c", []):
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        if name not in _HARMLESS_CALLS:
            return True
    return bool(captures("[(index_expression) (type_assertion_expression)] @x", body).get("x"))


# --------------------------------------------------------------------------
# SG406

_EXITS = {("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln")}
_LOGRUS = "github.com/sirupsen/logrus"


class ProcessExitOutsideMain(GoRule):
    meta = _meta(
        "SG406",
        "process-exit-outside-main",
        Severity.WARNING,
        "os.Exit and log.Fatal skip every deferred cleanup and graceful shutdown: in-flight requests are cut off, buffers are not flushed, transactions are left to time out.",
        "os.Exit / log.Fatal outside main (library code, handlers), or in main after defers it would skip.",
        status="preview",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        is_main_pkg = f.package_name == "main"
        reported_mains: set[int] = set()  # one finding per main: the first exit that skips defers
        for call in _calls(ctx, "Exit", "Fatal", "Fatalf", "Fatalln"):
            t = f.call_target(call)
            if t is None or not (t in _EXITS or (t[0] == _LOGRUS and t[1] in ("Fatal", "Fatalf", "Fatalln"))):
                continue
            label = text(call.child_by_field_name("function"))
            fi = ctx.funcs.enclosing(call)
            if fi is None:
                continue
            if fi.name == "TestMain" or _EXIT_WRAPPER.match(fi.name):
                continue  # a wrapper whose job is to exit: its callers decide
            if not is_main_pkg and _under_cmd(f.relpath):
                continue  # command-line tool code: exiting is how it reports
            in_goroutine = any(_started_as_goroutine(x.node) for x in ctx.funcs.enclosing_chain(call))
            if not in_goroutine and not is_main_pkg and _STARTUP.match(fi.name):
                continue  # start-up helper: nothing is in flight yet
            h = ctx.funcs.in_handler(call)
            if h is not None:
                ctx.report(call, f"{label} inside a request handler kills the whole server: every in-flight request is cut "
                           "off and deferred cleanup never runs; return an error response instead")
                continue
            if not is_main_pkg:
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


_STARTUP = re.compile(r"^(init|[Nn]ew|[Ii]nit|[Ll]oad|[Ss]etup|[Cc]onnect|[Oo]pen|[Mm]ust|[Pp]arse|[Cc]onfigure|[Rr]egister)")
_EXIT_WRAPPER = re.compile(r"^(Must|must|Fatal|fatal|Exit|exit|die|Die|usage|Usage|fail|Fail|check|Check)")


def _under_cmd(relpath: str) -> bool:
    return "cmd" in relpath.replace("\\", "/").split("/")[:-1]


# --------------------------------------------------------------------------
# SG407

_SUCCESS_STATUSES = frozenset({"StatusOK", "StatusCreated", "StatusAccepted", "StatusNoContent", "StatusMovedPermanently",
                               "StatusFound", "StatusSeeOther", "StatusNotModified", "StatusTemporaryRedirect",
                               "StatusPermanentRedirect", "StatusPartialContent"})
_GIN_ABORTS = frozenset({"AbortWithStatus", "AbortWithStatusJSON", "AbortWithError"})
_GIN_WRITERS = frozenset({"JSON", "String", "XML", "IndentedJSON", "PureJSON", "Status", "Data"})
_LOG_METHODS = frozenset({"Printf", "Println", "Print", "Error", "Errorf", "Warn", "Warnf", "Warning", "Info", "Infof",
                          "Debug", "Debugf", "Inc", "Observe", "Add", "Log", "ErrorContext", "WarnContext", "InfoContext"})


class MissingReturnAfterHttpError(GoRule):
    meta = _meta(
        "SG407",
        "missing-return-after-http-error",
        Severity.ERROR,
        "After writing the error the handler keeps going: it performs the action it just refused (unauthenticated or invalid requests get through) and appends a second response to the first.",
        "http.Error (or gin Abort*/error status write) not followed by return.",
    )
    requires_imports = ("net/http", GIN)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in _calls(ctx, "Error", *_GIN_ABORTS, *_GIN_WRITERS):
            stmt = call.parent
            if stmt is None or stmt.type != "expression_statement" or stmt.parent is None or stmt.parent.type != "statement_list":
                continue
            label = self._error_write(ctx, call)
            if label is None:
                continue
            nxt = self._continues_with(f, stmt)
            if nxt is not None:
                ctx.report(call, f"{label} writes the error response but the handler goes on to line "
                           f"{nxt.start_point[0] + 1}: the refused work still runs and a second response is written; return right after it")

    def _error_write(self, ctx, call) -> str | None:
        f = ctx.file
        if f.call_target(call) == ("net/http", "Error"):
            return "http.Error"
        h = ctx.funcs.enclosing(call)
        if h is None or h.handler != "gin":
            return None
        method, operand = _method(call)
        if operand is None or operand.type != "identifier" or text(operand) != h.request_param():
            return None
        if method in _GIN_ABORTS:
            return f"{text(operand)}.{method}"
        if method in _GIN_WRITERS:
            args = call.child_by_field_name("arguments").named_children
            if args and self._error_status(f, unparen(args[0])):
                return f"{text(operand)}.{method}({text(args[0])}, ...)"
        return None

    @staticmethod
    def _error_status(f, node) -> bool:
        if node is None:
            return False
        if node.type == "int_literal":
            try:
                return int(text(node)) >= 400
            except ValueError:
                return False
        q = f.qualified(node)
        return q is not None and q[0] == "net/http" and q[1].startswith("Status") and q[1] not in _SUCCESS_STATUSES

    @staticmethod
    def _continues_with(f, stmt):
        """The first statement that runs after ``stmt`` and does real work
        (not a log line or metric), or None when control leaves first."""
        cur = stmt
        while True:
            n = cur.next_named_sibling
            while n is not None:
                if n.type == "comment" or _is_log_stmt(n) or _is_cleanup_stmt(n):
                    n = n.next_named_sibling
                    continue
                if n.type in ("return_statement", "goto_statement", "break_statement", "continue_statement") or terminates(f, n):
                    return None
                return n
            sl = cur.parent
            owner = sl.parent if sl is not None else None
            if owner is None:
                return None
            if owner.type == "block":
                up = owner.parent
                if up is None or up.type in FUNC_TYPES or up.type == "for_statement":
                    return None
                if up.type == "if_statement":
                    while up.parent is not None and up.parent.type == "if_statement":
                        up = up.parent
                    cur = up
                    continue
                if up.type == "statement_list":
                    cur = owner
                    continue
                return None
            if owner.type in ("expression_case", "default_case", "type_case", "communication_case"):
                sw = owner.parent
                if sw is None:
                    return None
                cur = sw
                continue
            return None


_CLEANUP = re.compile(r"^([Cc]lose\w*|Unlock|RUnlock|Done|Release|Stop|Cancel|cancel|Flush|Sync)$")


def _is_cleanup_stmt(stmt) -> bool:
    """``db.Close()``, ``mu.Unlock()``, ``cancel()``: releasing what the
    handler holds is not the refused work going on."""
    if stmt.type not in ("expression_statement", "defer_statement"):
        return False
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
    return bool(_CLEANUP.match(name))


def _is_log_stmt(stmt) -> bool:
    if stmt.type != "expression_statement":
        return False
    call = unparen(stmt.named_child(0))
    if call is None or call.type != "call_expression":
        return False
    m, operand = _method(call)
    if not m:
        return False
    return m in _LOG_METHODS and "log" in text(operand).lower() or m in ("Inc", "Observe")


RULES = [
    ErrorDiscarded(),
    ErrorWrappedWithoutW(),
    ErrorComparedWithoutErrorsIs(),
    PanicInRequestPath(),
    GoroutineWithoutRecover(),
    ProcessExitOutsideMain(),
    MissingReturnAfterHttpError(),
]
