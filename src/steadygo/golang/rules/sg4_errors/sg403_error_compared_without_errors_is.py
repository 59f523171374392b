"""SG403 error-compared-without-errors-is.

Error compared with == to another package's sentinel, or matched by its message text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.fixes import errors_is
from steadygo.golang.error_checks import calls_named, is_err_name, is_error_call, method_and_operand
from steadygo.golang.flow import statement_index
from steadygo.golang.error_messages import stdlib_message
from steadygo.golang.parse import captures, kind_id, string_value, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


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
    meta = code_meta(
        id="SG403",
        name="error-compared-without-errors-is",
        severity=Severity.WARNING,
        status="preview",  # judged on 22 real code bases: docs/rules/SG403.md
        breakpoint="== against another package's sentinel, or matching err.Error() text, breaks as soon as any layer wraps the error or the message changes: the not-found/timeout branch stops firing and the wrong status or retry follows.",
        fix="err == pkg.ErrX becomes errors.Is(err, pkg.ErrX) (and != becomes !errors.Is), importing errors when needed",
        summary="Error compared with == to another package's sentinel, or matched by its message text.",
    )

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if ctx.pkg.module.go_at_least(1, 13) is False:
            return  # no %w / errors.Is before Go 1.13
        src = f.source
        if b"Err" not in src and b"Canceled" not in src and b"DeadlineExceeded" not in src and b".Error()" not in src:
            return
        lines: set[int] = set()

        def report(node, message, severity=None, fix=None):
            line = node.start_point[0]
            if line not in lines:  # one finding per line: `a == X || a == Y` is one decision
                lines.add(line)
                ctx.report(node, message, severity=severity, fix=fix)

        caps = statement_index(ctx)
        for b in caps.get("cmp", []):
            left = unparen(b.child_by_field_name("left"))
            right = unparen(b.child_by_field_name("right"))
            if left is None or right is None or (left.kind_id not in _SENTINEL_OR_TEXT and right.kind_id not in _SENTINEL_OR_TEXT):
                continue  # err != nil, n == 0 ...: neither side a pkg.ErrX sentinel nor a message string
            for a, s in ((left, right), (right, left)):
                if is_err_name(a) and self._foreign_sentinel(f, s) and not self._in_is_method(ctx, b) and not _from_ctx_err(ctx, b, a):
                    if _already_unwrapped(ctx, b, a) or _beside_errors_is(f, b, text(a)):
                        break
                    report(b, f"{text(b)} compares with == : once anything wraps the error (fmt.Errorf %w, "
                           f"net/url, your own layers) this is false; use errors.Is({text(a)}, {text(s)})",
                           fix=errors_is(f, b, a, s))
                    break
                if is_error_call(a) and s is not None and s.type in ("interpreted_string_literal", "raw_string_literal"):
                    self._text_match(ctx, report, b, a, s, f"{text(b)} matches the error by its message text")
                    break
        for call in calls_named(ctx, *{m for _, m in _STRING_MATCHERS}):
            if f.call_target(call) not in _STRING_MATCHERS:
                continue
            args = call.child_by_field_name("arguments").named_children
            if args and is_error_call(unparen(args[0])):
                self._text_match(ctx, report, call, unparen(args[0]), args[1] if len(args) > 1 else None,
                                 f"{text(call.child_by_field_name('function'))}({text(args[0])}, ...) matches the error "
                                 "by its message text")
        for sw in caps.get("switch", []):
            val = unparen(sw.child_by_field_name("value"))
            if not is_err_name(val) or _already_unwrapped(ctx, sw, val):
                continue
            for case in sw.named_children:
                if case.type != "expression_case":
                    continue
                values = case.child_by_field_name("value")
                for item in values.named_children if values is not None else []:
                    if self._foreign_sentinel(f, unparen(item)) and not _from_ctx_err(ctx, sw, val):
                        report(item, f"switch {text(val)} {{ case {text(item)}: }} compares with ==: a wrapped error "
                               f"skips this case; use switch {{ case errors.Is({text(val)}, {text(item)}): }}")

    @staticmethod
    def _text_match(ctx, report, node, err_call, literal, what: str) -> None:
        """A message-text match: silent beside an errors.Is/As on the same
        error; for a standard-library text, the handle to use instead (at
        info when the library exports no sentinel)."""
        var = text(err_call.child_by_field_name("function").child_by_field_name("operand"))
        if _beside_errors_is(ctx.file, node, var):
            return  # errors.Is(err, context.Canceled) || strings.Contains(...): the text is a fallback
        known = stdlib_message(string_value(unparen(literal)) or "") if literal is not None else None
        if known is None:
            report(node, f"{what}: a reworded or wrapped message silently breaks this branch; compare with "
                   "errors.Is/As against a sentinel or type")
        elif known[1]:
            report(node, f"{what}: the standard library exports a sentinel for it; use {known[0]}")
        else:
            report(node, f"{what}: the standard library exports no sentinel for this error; the sturdier "
                   f"match is {known[0]}", severity=Severity.INFO)

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
        if rhs is not None and rhs.type == "call_expression" and method_and_operand(rhs)[0] in ("Err", "Scan"):
            return True
    return False


_UNWRAPPERS = frozenset({"Unwrap", "Cause"})  # errors.Unwrap, pkg/errors.Cause
_BOOL_PARENTS = frozenset({"binary_expression", "parenthesized_expression", "unary_expression"})


def _already_unwrapped(ctx, at, var) -> bool:
    """The error was unwrapped before the comparison: ``err =
    errors.Unwrap(err)`` (in a loop or once), ``errors.Cause(err)``, or a
    module function that loops errors.Unwrap (``err = unwrapAll(err)``):
    == against the innermost error is what errors.Is would do."""
    fi = ctx.funcs.enclosing(at)
    if fi is None or var is None or var.type != "identifier":
        return False
    for chain in ctx.funcs.enclosing_chain(at):
        for rhs in ctx.pkg.assigned_from(chain.body, text(var)):
            rhs = unparen(rhs)
            if rhs is None or rhs.type != "call_expression":
                continue
            fn = rhs.child_by_field_name("function")
            name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
            if name in _UNWRAPPERS:
                return True
            if fn.type == "identifier" and _loops_unwrap(ctx.pkg, name):
                return True
    return False


def _loops_unwrap(pkg, name: str) -> bool:
    def compute():
        for f, fi in pkg.functions_named(name):
            if fi.body is not None and any(f.call_target(c) == ("errors", "Unwrap")
                                           for c in pkg.calls_in(f, "Unwrap") if fi.node.start_byte <= c.start_byte < fi.node.end_byte):
                return True
        return False

    return pkg.memo(("errors.loops_unwrap", name), compute)


def _beside_errors_is(file, node, var: str) -> bool:
    """The comparison is one operand of a boolean expression that also asks
    errors.Is/As about the same error: the wrapped case is covered."""
    top = node
    while top.parent is not None and top.parent.type in _BOOL_PARENTS:
        top = top.parent
    if top is node:
        return False
    for c in captures("(call_expression) @c", top).get("c", []):
        if file.call_target(c) in (("errors", "Is"), ("errors", "As")):
            args = c.child_by_field_name("arguments").named_children
            if args and text(unparen(args[0])) == var:
                return True
    return False
