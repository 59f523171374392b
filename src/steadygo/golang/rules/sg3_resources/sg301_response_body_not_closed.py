"""SG301 response-body-not-closed: Body of an outbound HTTP response is not closed on every path."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.flow import acquisition_statement, describe_leak, flow_around, leaks, Resource, retry_loop_leaks, uses_field
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.handoff import Handoff
from steadygo.golang.http_clients import response_calls
from steadygo.golang.http_values import typed_values
from steadygo.golang.parse import text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.typed_acquisitions import doubtful_leak
from steadygo.golang.values import ALL_FIELDS, holder_of, is_zero_literal, literal_keys
from steadygo.rulemeta import code_meta, SERVICE_ROLES

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def _response_foreign(name: str, is_var: bool) -> bool:
    # A whole *http.Response given to another package is that package's now;
    # resp.Body given to io.Copy / json.NewDecoder is only read.
    return is_var or "close" in name.lower() or "drain" in name.lower()


# Reads that end only at EOF or on a failed read.  net/http's HTTP/1
# transport hands the connection back to the pool when the body reaches EOF
# and closes it when a body read fails (persistConn.readLoop: the body's
# read-error callback makes the loop give the connection up), so after one
# of these the connection is freed whatever Close does.
_READ_TO_END = {("io", "ReadAll"), ("io/ioutil", "ReadAll")}


def _reads_to_end(f, call, idx: int) -> bool:
    t = f.call_target(call)
    if t in _READ_TO_END:
        return idx == 0
    if t == ("io", "Copy") and idx == 1:
        args = call.child_by_field_name("arguments").named_children
        return bool(args) and text(args[0]).replace(" ", "") in ("io.Discard", "ioutil.Discard")
    return False


def _sends_handler_request(ctx, call, flow) -> bool:
    """``resp, err := rt.RoundTrip(r)`` in a net/http handler, ``r`` its own
    request: the server cancels r's context when the handler returns, and
    the transport's read loop gives the connection up on that cancel."""
    fi = ctx.funcs.info(flow.fn)
    if fi is None or fi.handler != "net/http":
        return False
    args = call.child_by_field_name("arguments")
    first = unparen(args.named_children[0]) if args is not None and args.named_child_count == 1 else None
    return first is not None and first.type == "identifier" and text(first) == fi.request_param()


def _client_timeout(ctx, fn, flow) -> bool:
    """The call goes through an http.Client built in this file with a
    non-zero Timeout: a local ``c := http.Client{Timeout: d}`` of the same
    function, or the field the file stores such a client in.  The timer
    runs on after Do returns and cancels the request, connection included,
    so a body left open is held at most that long."""
    if fn is None or fn.type != "selector_expression":
        return False
    operand = text(unparen(fn.child_by_field_name("operand"))).replace(" ", "")
    bounded = unbounded = False
    for v in typed_values(ctx, "Client"):
        h = holder_of(v.literal if v.literal is not None else v.node)
        same = (h.kind == "var" and h.path == operand and h.func == flow.fn) or (
            h.kind == "field" and "." in operand and operand.rsplit(".", 1)[1] == h.path)
        if not same:
            continue
        timeout = literal_keys(v.literal).get("Timeout") if v.literal is not None else None
        if "Timeout" in v.fields and (timeout is None or not is_zero_literal(timeout)) and ALL_FIELDS not in v.fields:
            bounded = True
        else:
            unbounded = True
    return bounded and not unbounded


class ResponseBodyNotClosed(GoRule):
    meta = code_meta(
        id="SG301",
        name="response-body-not-closed",
        severity=Severity.ERROR,
        status="preview",  # 6 of 25 judged true on 22 real code bases: docs/rules/SG301.md
        breakpoint="Every unclosed response body pins a connection, its read/write goroutines and a file descriptor; under load the process runs out of descriptors or the upstream's connection limit.",
        summary="Body of an outbound HTTP response is not closed on every path.",
        # a developer tool under tools/ or hack/ runs once and exits
        roles=SERVICE_ROLES,
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
            found = self._leaks(flow, stmt, res)
            if found and typed_new and doubtful_leak(ctx.pkg, flow, stmt, var, res.err_var, found[0]):
                continue
            if not found:
                continue
            fix = f"add defer {var}.Body.Close() right after the error check"
            drained = replace(res, arg_releases=lambda c, i, r, v: _reads_to_end(f, c, i) or handoff.arg_releases(c, i, r, v))
            hard = self._leaks(flow, stmt, drained)
            if not hard:
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe_leak(found[0])}, but "
                           "every way there reads the body to its end or fails reading it, and net/http frees the "
                           f"connection either way (pooled at EOF, closed after a failed read): lower risk; {fix}",
                           severity=Severity.INFO)
            elif _sends_handler_request(ctx, call, flow):
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe_leak(hard[0])}; the "
                           "request sent is the handler's own, whose context net/http cancels when the handler returns, "
                           f"and the transport then frees the connection, so the leak is bounded: lower risk; {fix}",
                           severity=Severity.INFO)
            elif _client_timeout(ctx, fn, flow):
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe_leak(hard[0])}; the "
                           "client's Timeout cancels the request and frees the connection when it expires, so the leak "
                           f"is bounded: lower risk; {fix}", severity=Severity.INFO)
            else:
                ctx.report(call, f"{var}.Body from {label} is not closed on the path that {describe_leak(hard[0])}: the "
                           f"connection and its file descriptor leak; {fix}")

    @staticmethod
    def _leaks(flow, stmt, res):
        out = []
        for lk in leaks(flow, stmt, res, stmt.parent):
            inner = retry_loop_leaks(flow, stmt, res, lk)
            if inner is None:
                out.append(lk)
            else:
                out.extend(inner)  # what an attempt of the retry loop left open, if anything
        return out
