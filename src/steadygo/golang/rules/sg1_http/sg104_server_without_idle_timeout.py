"""SG104 server-without-idle-timeout: http.Server sets some timeouts but neither IdleTimeout nor ReadTimeout."""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.rules.base import ServerFieldRule
from steadygo.rulemeta import code_meta, SERVICE_ROLES


class ServerWithoutIdleTimeout(ServerFieldRule):
    meta = code_meta(
        id="SG104",
        name="server-without-idle-timeout",
        severity=Severity.WARNING,
        status="preview",  # 1 of 16 judged true on 22 real code bases: docs/rules/SG104.md
        breakpoint="Idle keep-alive connections are never closed, so file descriptors accumulate behind load balancers and NAT.",
        summary="http.Server sets some timeouts but neither IdleTimeout nor ReadTimeout.",
        roles=SERVICE_ROLES,  # a CLI or developer tool that serves is not the service a deploy keeps up
    )
    covered_by = ("IdleTimeout", "ReadTimeout")
    message = ("http.Server has no IdleTimeout (nor ReadTimeout to fall back on): idle keep-alive "
               "connections stay open forever and file descriptors pile up")
