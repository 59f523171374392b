"""SG102 server-without-read-header-timeout.

http.Server sets some timeouts but neither ReadHeaderTimeout nor ReadTimeout.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.rules.base import ServerFieldRule
from steadygo.rulemeta import code_meta, SERVICE_ROLES


class ServerWithoutReadHeaderTimeout(ServerFieldRule):
    meta = code_meta(
        id="SG102",
        name="server-without-read-header-timeout",
        severity=Severity.ERROR,
        status="preview",  # 7 of 12 judged true on 22 real code bases: docs/rules/SG102.md
        breakpoint="Slowloris: a client that sends headers one byte at a time keeps a connection and goroutine busy indefinitely.",
        summary="http.Server sets some timeouts but neither ReadHeaderTimeout nor ReadTimeout.",
        roles=SERVICE_ROLES,  # a CLI or developer tool that serves is not the service a deploy keeps up
    )
    covered_by = ("ReadHeaderTimeout", "ReadTimeout")
    message = ("http.Server has no ReadHeaderTimeout (nor ReadTimeout to fall back on): "
               "a slowloris client can hold a connection and goroutine forever")
