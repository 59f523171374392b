"""Health-check routes and their handler bodies (SG61x).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.facts import extract_facts, node_of
from steadygo.golang.parse import captures, text, unparen

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


CALLS_Q = "(call_expression function: [(selector_expression) (identifier)] @fn) @call"


def handler_body(pkg, file, handler_text_node):
    """(file, function node) of a route's handler: a func literal, a
    same-package function or method, possibly wrapped in http.HandlerFunc(...)
    or returned as a literal by a same-package factory."""
    node = unparen(handler_text_node)
    for _ in range(3):
        if node is None:
            return None
        if node.type == "func_literal":
            return file, node
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments").named_children
            if file.is_member(fn, "net/http", "HandlerFunc") and len(args) == 1:
                node = unparen(args[0])
                continue
            name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
            for f, fi in pkg.functions_named(name):
                for ret in captures("(return_statement (expression_list (func_literal) @l))", fi.node).get("l", []):
                    return f, ret
            return None
        if node.type in ("identifier", "selector_expression"):
            name = text(node.child_by_field_name("field")) if node.type == "selector_expression" else text(node)
            found = list(pkg.functions_named(name))
            if len(found) == 1:
                return found[0][0], found[0][1].node
            return None
        return None
    return None


_DEP_CALLS = {"Ping", "PingContext", "Exec", "ExecContext", "Query", "QueryContext", "QueryRow", "QueryRowContext",
              "HealthCheck", "Do", "Get", "Head", "Dial", "DialContext"}


def first_dependency_call(file, fn_node):
    """The first call in a handler that reaches a dependency (a database
    ping or query, an outbound HTTP request, a dial), or None."""
    body = fn_node.child_by_field_name("body")
    if body is None:
        return None
    for call in sorted(captures(CALLS_Q, body).get("call", []), key=lambda n: n.start_byte):
        t = file.call_target(call)
        if t is not None:
            if t[0] == "net/http" and t[1] in ("Get", "Head", "Post"):
                return call
            continue
        fn = call.child_by_field_name("function")
        if fn.type == "selector_expression" and text(fn.child_by_field_name("field")) in _DEP_CALLS:
            operand = text(fn.child_by_field_name("operand"))
            if text(fn.child_by_field_name("field")) in ("Get", "Head", "Do") and not re.search(r"(?i)client|http", operand):
                continue  # map/cache Get, not an outbound call
            return call
    return None


def route_handler_arg(route_call):
    args = route_call.child_by_field_name("arguments").named_children
    return args[-1] if args else None


HEALTH_HINT = re.compile(rb'["`/](?:health|healthz|healthcheck|health-check|status|livez|liveness|live|alive|ping|readyz|readiness|ready|startupz|startup|started)/?["`]')


def health_handlers(ctx: FileContext, kinds: tuple[str, ...]):
    if HEALTH_HINT.search(ctx.file.source) is None:
        return
    for h in extract_facts(ctx.pkg).health_endpoints:
        if h.location.path != ctx.file.relpath or h.kind not in kinds:
            continue
        call = node_of(ctx.pkg, h)
        if call is None:
            continue
        body = handler_body(ctx.pkg, ctx.file, route_handler_arg(call))
        if body is not None:
            yield h, call, body
