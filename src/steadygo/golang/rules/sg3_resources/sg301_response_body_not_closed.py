"""SG301 response-body-not-closed: Body of an outbound HTTP response is not closed on every path."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.flow import acquisition_statement, describe_leak, flow_around, leaks, Resource, uses_field
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.handoff import Handoff
from steadygo.golang.http_clients import response_calls
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.golang.typed_acquisitions import doubtful_leak
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _response_foreign(name: str, is_var: bool) -> bool:
    # A whole *http.Response given to another package is that package's now;
    # resp.Body given to io.Copy / json.NewDecoder is only read.
    return is_var or "close" in name.lower() or "drain" in name.lower()


class ResponseBodyNotClosed(GoRule):
    meta = code_meta(
        id="SG301",
        name="response-body-not-closed",
        severity=Severity.ERROR,
        breakpoint="Every unclosed response body pins a connection, its read/write goroutines and a file descriptor; under load the process runs out of descriptors or the upstream's connection limit.",
        summary="Body of an outbound HTTP response is not closed on every path.",
    )
    requires_imports = (NET_HTTP,)
    types_through_package = True

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for call, fn, method, strong, typed_new in response_calls(ctx.pkg, f, ctx.by_types_only):
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
            flow = flow_around(ctx, call)
            if flow is None:
                continue
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
            if found and typed_new and doubtful_leak(ctx.pkg, flow, stmt, var, res.err_var, found[0]):
                continue
            if found:
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe_leak(found[0])}: the "
                           f"connection and its file descriptor leak; add defer {var}.Body.Close() right after the error check")

