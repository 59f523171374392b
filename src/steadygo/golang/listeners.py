"""Where a package starts serving: listen/serve calls, public addresses, main.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.facts import extract_facts, is_loopback_address
from steadygo.golang.roles import not_a_service

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def is_main(ctx: FileContext) -> bool:
    return ctx.file.package_name == "main"


def is_public(listener) -> bool:
    """A listener that serves traffic from outside the host (a loopback-only
    debug listener, typically pprof on 127.0.0.1:6060, does not)."""
    return not is_loopback_address(listener.addr)


def file_listeners(ctx: FileContext):
    if not_a_service(ctx):
        return []
    return [l for l in extract_facts(ctx.pkg).listeners if l.location.path == ctx.file.relpath and is_public(l)]
