"""Resource rules (SG3xx): response bodies, locks, defers and request bodies.

Database handles and pools live in ``database.py``, memory retention in
``memory.py``.  Path-sensitive questions ("closed on every path") go through
``golang/flow.py``.
"""

from __future__ import annotations

from steadygo.findings import Layer, Severity
from steadygo.golang.flow import FunctionFlow, Leak, Resource, acquisition_statement, leaks, owner_function
from steadygo.golang.handoff import Handoff
from steadygo.golang.parse import FUNC_TYPES, captures, text, unparen
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.registry import RuleMeta

NET_HTTP = "net/http"

_SEL_CALL_Q = "(call_expression function: (selector_expression field: (field_identifier) @m)) @call"
_HTTP_PKG_FUNCS = frozenset({"Get", "Post", "Head", "PostForm"})
_CLIENT_METHODS = frozenset({"Get", "Post", "Head", "PostForm", "Do", "RoundTrip"})


def _meta(id, name, severity, breakpoint, summary, status="stable"):
    return RuleMeta(id=id, name=name, layer=Layer.CODE, severity=severity, breakpoint=breakpoint, summary=summary, status=status)


def function_flow(ctx: FileContext, fn_node) -> FunctionFlow:
    """One FunctionFlow per function, shared by the rules of the family."""
    return ctx.pkg.memo(("flow", ctx.file.path, fn_node.id), lambda: FunctionFlow(ctx.file, fn_node, fn_node.child_by_field_name("body")))


def describe(leak: Leak) -> str:
    if leak.kind == "return":
        return f"returns at line {leak.line}"
    if leak.kind == "end":
        return f"reaches the end of the block at line {leak.line}"
    return f"leaves the loop with {leak.kind} at line {leak.line}"


def uses_field(flow: FunctionFlow, var: str, fields: frozenset[str]) -> bool:
    for ident in flow.idents(var):
        p = ident.parent
        if p is not None and p.type == "selector_expression" and p.child_by_field_name("operand") == ident:
            if text(p.child_by_field_name("field")) in fields:
                return True
    return False


# --------------------------------------------------------------------------
# SG301


def _response_foreign(name: str, is_var: bool) -> bool:
    # A whole *http.Response given to another package is that package's now;
    # resp.Body given to io.Copy / json.NewDecoder is only read.
    return is_var or "close" in name.lower() or "drain" in name.lower()


class ResponseBodyNotClosed(GoRule):
    meta = _meta(
        "SG301",
        "response-body-not-closed",
        Severity.ERROR,
        "Every unclosed response body pins a connection, its read/write goroutines and a file descriptor; under load the process runs out of descriptors or the upstream's connection limit.",
        "Body of an outbound HTTP response is not closed on every path.",
    )
    requires_imports = (NET_HTTP,)

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call in captures(_SEL_CALL_Q, f.root).get("call", []):
            fn = call.child_by_field_name("function")
            method = text(fn.child_by_field_name("field"))
            if method not in _CLIENT_METHODS:
                continue
            strong = self._strong(f, call, fn, method)
            if strong is None:
                continue
            label = text(fn).replace("\n", " ")
            stmt, lhs = acquisition_statement(call)
            if stmt is None:
                p = call.parent
                if strong and p is not None and p.type == "expression_statement":
                    ctx.report(call, f"response of {label} is discarded: its body is never closed, so the connection "
                               "and a file descriptor leak on every call")
                continue
            if len(lhs) != 2:
                continue
            var, err = lhs
            if var == "_":
                if strong:
                    ctx.report(call, f"response of {label} is assigned to _: its body can never be closed, so the "
                               "connection and a file descriptor leak on every call")
                continue
            owner = owner_function(call)
            if owner is None or owner.child_by_field_name("body") is None:
                continue
            flow = function_flow(ctx, owner)
            if not strong and not uses_field(flow, var, frozenset({"Body", "StatusCode"})):
                continue
            handoff = ctx.pkg.memo(("handoff.resp", f.path), lambda: Handoff(ctx.pkg, f, "resp", frozenset({"Close"}), "Body", _response_foreign))
            res = Resource(
                var=var,
                operands=frozenset({f"{var}.Body"}),
                methods=frozenset({"Close"}),
                err_var=err if err != "_" else "",
                scoped=stmt.type != "assignment_statement",
                sub_field="Body",
                arg_releases=handoff.arg_releases,
            )
            found = leaks(flow, stmt, res, stmt.parent)
            if found:
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe(found[0])}: the "
                           f"connection and its file descriptor leak; add defer {var}.Body.Close() right after the error check")

    @staticmethod
    def _strong(f, call, fn, method):
        """True: certainly net/http; False: a method call that may be one
        (needs evidence from how the result is used); None: not ours."""
        q = f.qualified(fn)
        if q is not None:
            if f.is_member(fn, NET_HTTP, *_HTTP_PKG_FUNCS):
                return True
            return None  # another package's function
        operand = fn.child_by_field_name("operand")
        if f.is_member(operand, NET_HTTP, "DefaultClient"):
            return True
        return False


RULES = [
    ResponseBodyNotClosed(),
]
