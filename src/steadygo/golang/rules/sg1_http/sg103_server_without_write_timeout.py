"""SG103 server-without-write-timeout: http.Server sets some timeouts but no WriteTimeout."""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.rules.base import ServerFieldRule
from steadygo.rulemeta import code_meta


class ServerWithoutWriteTimeout(ServerFieldRule):
    meta = code_meta(
        id="SG103",
        name="server-without-write-timeout",
        severity=Severity.WARNING,
        breakpoint="A client that stops reading the response pins the handler goroutine and its buffers until the TCP stack gives up.",
        summary="http.Server sets some timeouts but no WriteTimeout.",
    )
    covered_by = ("WriteTimeout",)
    message = ("http.Server has no WriteTimeout: a client that stops reading keeps the handler "
               "goroutine and its buffers alive (use http.ResponseController for long streams)")
