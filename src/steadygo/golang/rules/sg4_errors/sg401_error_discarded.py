"""SG401 error-discarded.

Error from a call known to fail in production (Exec, Commit, Scan, Encode, Unmarshal, Close/Flush of a writer) is ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.error_checks import calls_named, method_and_operand
from steadygo.golang.frameworks import SQL_DRIVERS
from steadygo.golang.nolint import nolint_for
from steadygo.golang.package_types import is_named
from steadygo.golang.parse import ancestors, captures, FUNC_TYPES, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_WRITER_OPENERS = {("os", "Create"), ("os", "OpenFile"), ("compress/gzip", "NewWriter"), ("compress/gzip", "NewWriterLevel"),
                   ("compress/zlib", "NewWriter"), ("compress/zlib", "NewWriterLevel"), ("archive/zip", "NewWriter"),
                   ("archive/tar", "NewWriter"), ("compress/flate", "NewWriter")}
_CONN_OPENERS = {("net", "Dial"), ("net", "DialTimeout"), ("os", "Create"), ("os", "OpenFile")}
_ENCODERS = {("encoding/json", "NewEncoder"), ("encoding/xml", "NewEncoder"), ("encoding/gob", "NewEncoder")}
_UNMARSHAL = {("encoding/json", "Unmarshal"), ("encoding/xml", "Unmarshal"), ("gopkg.in/yaml.v3", "Unmarshal"),
              ("gopkg.in/yaml.v2", "Unmarshal"), ("sigs.k8s.io/yaml", "Unmarshal")}


class ErrorDiscarded(GoRule):
    meta = code_meta(
        id="SG401",
        name="error-discarded",
        severity=Severity.WARNING,
        status="preview",  # judged on 22 real code bases: docs/rules/SG401.md
        breakpoint="A failed write, commit, flush or decode that nobody checks turns into silent data loss: the request reports success while the row, file or payload is missing or truncated.",
        summary="Error from a call known to fail in production (Exec, Commit, Scan, Encode, Unmarshal, Close/Flush of a writer) is ignored.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        db = any(f.imports.imports_prefix(p) for p in SQL_DRIVERS)
        for call in calls_named(ctx, "Unmarshal", "Exec", "ExecContext", "NamedExec", "NamedExecContext", "Commit", "Scan", "Encode", "Close", "Flush", "Write", "WriteString"):
            how = _discard_kind(call)
            if how is None or nolint_for(ctx.file, call, "errcheck"):
                continue  # //nolint:errcheck: the author has decided, golangci-lint's way
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
        method, operand = method_and_operand(call)
        if not method or target is not None or operand is None:
            return None
        args = call.child_by_field_name("arguments").named_children
        if db and method in ("Exec", "ExecContext", "NamedExec", "NamedExecContext") and args:
            return "a failed write (constraint, deadlock, lost connection) goes unnoticed and the request reports success"
        if db and method == "Commit" and len(args) <= 1 and _var_from_method(ctx, call, operand, ("Begin", "BeginTx", "Beginx", "BeginTxx", "MustBegin")):
            return "a failed commit means nothing was written, yet the caller is told it was"
        if db and method == "Scan" and args and how == "stmt" and _is_rows_like(ctx, call, operand):
            return "a failed scan leaves the destination zero-valued and the code uses it as real data"
        if method == "Encode" and args and how != "blank":
            enc = _from_constructor(ctx, call, operand, _ENCODERS, want_call=True)
            if enc is None or _writes_to_memory(ctx, call, enc) or _final_response_write(ctx, call, enc, how):
                return None
            return "an encoding failure leaves a truncated or empty body that the client takes as complete"
        if method in ("Close", "Flush") and not args and how != "go":
            origin = _from_constructor(ctx, call, operand, _WRITER_OPENERS, want_call=True)
            if origin is None and method == "Flush":
                origin = _from_constructor(ctx, call, operand, _BUFIO_WRITERS, want_call=True)
            if origin is None or _read_only_open(f, origin) or _writes_to_memory(ctx, call, origin):
                return None  # a read-only file, or a writer over a bytes.Buffer: Close/Flush cannot fail on I/O
            if _checked_elsewhere(ctx, call, operand, method) or _in_error_path(call):
                return None
            return (f"{method} flushes buffered data and reports write errors (disk full, quota, NFS); ignoring it "
                    "means a truncated file or stream looks complete; check it (or return it from a deferred func)")
        if method in ("Write", "WriteString") and args and how == "stmt":
            origin = _from_constructor(ctx, call, operand, _CONN_OPENERS, want_call=True)
            if origin is not None and not _read_only_open(f, origin) and not _writes_to_memory(ctx, call, origin):
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
        m, _ = method_and_operand(rhs) if rhs is not None and rhs.type == "call_expression" else ("", None)
        if m in methods:
            return True
    return False


def _is_rows_like(ctx, call, operand) -> bool:
    if operand.type == "call_expression":
        m, _ = method_and_operand(operand)
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
        if rhs is not None and rhs.type == "call_expression" and method_and_operand(rhs)[0] in ("QueryRow", "QueryRowContext", "QueryRowx", "QueryRowxContext"):
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
    for n in ancestors(call):
        if n.type in FUNC_TYPES:
            break
        if n.type == "block" and n.parent is not None and n.parent.type == "if_statement":
            cond = text(n.parent.child_by_field_name("condition"))
            if "err" in cond and "nil" in cond:
                return True
    return False


_IN_MEMORY = (("bytes", "Buffer"), ("strings", "Builder"), ("hash", "Hash"), ("hash", "Hash32"), ("hash", "Hash64"))
_ALL_WRITERS = _WRITER_OPENERS | _BUFIO_WRITERS | _ENCODERS


def _writes_to_memory(ctx, call, ctor, depth: int = 0) -> bool:
    """The writer ``ctor`` builds writes into memory: a bytes.Buffer, a
    strings.Builder or a hash (their Write never fails), directly or through
    another writer built on one (gzip over a buffer)."""
    args = ctor.child_by_field_name("arguments").named_children
    if not args or depth > 3:
        return False
    dest = unparen(args[0])
    if dest is None:
        return False
    if _is_hash_ctor(ctx.file, dest):
        return True
    if dest.type == "identifier":
        fi = ctx.funcs.enclosing(call)
        if fi is not None and any(_is_hash_ctor(ctx.file, unparen(rhs)) for rhs in ctx.pkg.assigned_from(fi.body, text(dest))):
            return True
    typ = ctx.pkg.types.type_of(ctx.file, dest)
    if typ is not None and any(is_named(typ, p, n) for p, n in _IN_MEMORY):
        return True
    if dest.type == "identifier":
        inner = _from_constructor(ctx, call, dest, _ALL_WRITERS, want_call=True)
        return inner is not None and _writes_to_memory(ctx, call, inner, depth + 1)
    return False


def _is_hash_ctor(file, node) -> bool:
    """sha256.New(), fnv.New64a(), hmac.New(...): a hash.Hash."""
    if node is None or node.type != "call_expression":
        return False
    t = file.call_target(node)
    return t is not None and t[0].startswith(("crypto/", "hash/")) and t[1].startswith("New")


def _final_response_write(ctx, call, enc, how: str) -> bool:
    """``json.NewEncoder(w).Encode(v)`` as a handler's last word to its
    ResponseWriter: the status and headers are already sent, a failure means
    the client went away, and nothing is left to do about it."""
    if how != "stmt":
        return False
    args = enc.child_by_field_name("arguments").named_children
    if not args or unparen(args[0]).type != "identifier":
        return False
    fi = ctx.funcs.enclosing(call)
    name = text(unparen(args[0]))
    if fi is None or not any(p.name == name and p.type_text.endswith("ResponseWriter") for p in fi.params):
        return False
    if any(n.type == "for_statement" for n in ancestors(call) if n.start_byte > fi.node.start_byte):
        return False  # one of many writes: the loop goes on after a failed one
    nxt = call.parent.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    return nxt is None or nxt.type == "return_statement"
