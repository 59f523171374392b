"""Error values and the calls that produce them, shared by the SG4 rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.parse import captures, text, unparen

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


ERR_NAME = re.compile(r"^(err|e|[a-z]\w*Err|[a-z]*err)$")


def calls_named(ctx: FileContext, *names: str):
    """Calls of the file whose function (or method) is one of ``names``,
    from the package's per-file call index: no extra tree walk."""
    return ctx.pkg.calls_in(ctx.file, *names)


def is_err_name(node) -> bool:
    node = unparen(node)
    return node is not None and node.type == "identifier" and bool(ERR_NAME.match(text(node)))


def method_and_operand(call) -> tuple[str, object]:
    fn = call.child_by_field_name("function")
    if fn.type != "selector_expression":
        return "", None
    return text(fn.child_by_field_name("field")), unparen(fn.child_by_field_name("operand"))


def is_error_call(node) -> bool:
    if node is None or node.type != "call_expression":
        return False
    m, operand = method_and_operand(node)
    return m == "Error" and is_err_name(operand) and node.child_by_field_name("arguments").named_child_count == 0


def has_deferred_recover(pkg, body, depth: int = 0) -> bool:
    if body is None:
        return False
    for d in captures("(defer_statement) @d", body).get("d", []):
        if captures("(call_expression function: (identifier) @f (#eq? @f \"recover\"))", d).get("f"):
            return True
        call = d.named_child(0)
        if call is None or call.type != "call_expression":
            continue
        fn = call.child_by_field_name("function")
        name = text(fn.child_by_field_name("field")) if fn.type == "selector_expression" else text(fn)
        low = name.lower()
        if "recover" in low or "panic" in low:
            return True
        if depth < 1:
            for f, fi in pkg.functions_named(name):
                if captures("(call_expression function: (identifier) @f (#eq? @f \"recover\"))", fi.node).get("f"):
                    return True
    return False


def started_as_goroutine(fn_node) -> bool:
    p = fn_node.parent
    return p is not None and p.type == "call_expression" and p.parent is not None and p.parent.type == "go_statement"
