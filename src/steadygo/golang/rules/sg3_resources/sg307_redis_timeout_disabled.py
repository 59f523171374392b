"""SG307 redis-timeout-disabled: go-redis options set a timeout to a negative value (no timeout)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from steadygo.findings import Severity
from steadygo.golang.frameworks import REDIS
from steadygo.golang.parse import captures, text, unparen
from steadygo.golang.rules.base import GoRule
from steadygo.golang.values import literal_keys
from steadygo.rulemeta import code_meta

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


class RedisTimeoutDisabled(GoRule):
    meta = code_meta(
        id="SG307",
        name="redis-timeout-disabled",
        severity=Severity.WARNING,
        status="preview",  # never fired on 187 public services: no record of 30 judged at 90 %: docs/rules/SG307.md
        breakpoint="With a read/write/dial/pool timeout disabled, one stalled redis node or a full pool blocks every caller indefinitely.",
        summary="go-redis options set a timeout to a negative value (no timeout).",
    )
    requires_imports = REDIS

    _OPTION_TYPES = ("Options", "ClusterOptions", "UniversalOptions", "FailoverOptions", "RingOptions")
    _TIMEOUTS = ("ReadTimeout", "WriteTimeout", "DialTimeout", "PoolTimeout")

    def check(self, ctx: FileContext) -> None:
        f = ctx.file
        for lit in captures("(composite_literal type: (qualified_type) @t) @lit", f.root).get("lit", []):
            q = f.qualified(lit.child_by_field_name("type"))
            if q is None or q[1] not in self._OPTION_TYPES or not any(q[0] == r or q[0].startswith(r + "/") for r in REDIS):
                continue
            for key, val in literal_keys(lit).items():
                if key in self._TIMEOUTS and _negative(val):
                    ctx.report(val, f"redis {key}: {text(val)} disables the timeout: a stalled redis node or an exhausted "
                               "pool blocks callers indefinitely; leave it at the default or set a bound")


def _negative(node) -> bool:
    node = unparen(node)
    if node is None:
        return False
    if node.type == "unary_expression" and text(node).startswith("-"):
        return True
    if node.type == "binary_expression":
        left = unparen(node.child_by_field_name("left"))
        return left is not None and left.type == "unary_expression" and text(left).startswith("-")
    if node.type == "call_expression":  # time.Duration(-1)
        args = node.child_by_field_name("arguments")
        return args is not None and args.named_child_count == 1 and _negative(args.named_child(0))
    return False
