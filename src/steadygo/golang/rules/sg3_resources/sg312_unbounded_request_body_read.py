"""SG312 unbounded-request-body-read.

Request body read whole (io.ReadAll, json.NewDecoder) without http.MaxBytesReader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import NET_HTTP
from steadygo.golang.http_values import client_request_helper, client_side, library_caps_request_bodies, \
    limits_request_bodies, remote_write_store, under_size_setting
from steadygo.golang.parse import text
from steadygo.golang.rules.base import GoRule
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


_READERS = {("io", "ReadAll"), ("io/ioutil", "ReadAll"), ("encoding/json", "NewDecoder"), ("encoding/xml", "NewDecoder")}


class UnboundedRequestBodyRead(GoRule):
    meta = code_meta(
        id="SG312",
        name="unbounded-request-body-read",
        severity=Severity.WARNING,
        status="preview",  # 16 of 30 judged true on 22 real code bases: docs/rules/SG312.md
        breakpoint="One request with a multi-gigabyte body is read entirely into memory: the process hits its memory limit and is OOM-killed, taking every other request with it.",
        summary="Request body read whole (io.ReadAll, json.NewDecoder) without http.MaxBytesReader.",
    )
    requires_imports = (NET_HTTP, "github.com/gin-gonic/gin", "github.com/labstack/echo")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        if limits_request_bodies(ctx.pkg) or library_caps_request_bodies(ctx.pkg):
            return
        bodies = set()
        for fi in ctx.funcs.funcs:
            if client_side(fi) or client_request_helper(ctx.pkg, fi):
                continue  # client side: the request body is our own outgoing payload
            if remote_write_store(ctx.pkg, f, fi):
                continue  # client_golang's remote-write handler capped and decoded it
            for p in fi.params:
                if not p.name or p.name == "_":
                    continue
                if f.is_member(p.type_node, NET_HTTP, "Request"):
                    bodies.add((fi.node.id, f"{p.name}.Body"))
                elif f.is_member(p.type_node, "github.com/gin-gonic/gin", "Context"):
                    bodies.add((fi.node.id, f"{p.name}.Request.Body"))
                elif fi.handler == "echo":
                    bodies.add((fi.node.id, f"{p.name}.Request().Body"))
        if not bodies:
            return
        for call in ctx.pkg.calls_in(f, *{name for _, name in _READERS}):
            t = f.call_target(call)
            if t not in _READERS:
                continue
            args = call.child_by_field_name("arguments").named_children
            if not args:
                continue
            arg = text(args[0]).replace(" ", "")
            for fi in ctx.funcs.enclosing_chain(call):
                if (fi.node.id, arg) in bodies:
                    if under_size_setting(call, fi.node):
                        break  # the unlimited branch of a configured limit (maxBodySize < 0)
                    what = f"{t[0].split('/')[-1]}.{t[1]}"
                    ctx.report(call, f"{what}({arg}) reads the request body with no size limit: one huge request is "
                               f"buffered whole and can OOM the process; wrap it with http.MaxBytesReader first")
                    break

