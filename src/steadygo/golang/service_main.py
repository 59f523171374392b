"""The main function of a program that serves traffic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.golang.facts import extract_facts
from steadygo.golang.listeners import is_public
from steadygo.golang.roles import not_a_service

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


def main_func(ctx: FileContext):
    for fi in ctx.funcs.by_name.get("main", ()):
        if fi.node.type == "function_declaration":
            return fi.node
    return None


def server_main(ctx: FileContext):
    """``func main`` of a package main that starts an HTTP server (in this
    package), or None."""
    if ctx.file.package_name != "main" or not_a_service(ctx):
        return None
    main = main_func(ctx)
    if main is None:
        return None
    public = [l for l in extract_facts(ctx.pkg).listeners if is_public(l)]
    if not public:
        return None
    # several files with func main in one directory (build-tagged examples):
    # only the one that starts the server speaks for the service
    mains = sum(1 for _, fi in ctx.pkg.functions_named("main") if fi.node.type == "function_declaration")
    if mains > 1 and not any(l.location.path == ctx.file.relpath for l in public):
        return None
    return main
