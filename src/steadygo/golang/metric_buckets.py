"""The bucket bounds a client_golang histogram declares, when the code states
them: a ``[]float64{...}`` literal, ``prometheus.DefBuckets``, or the
Linear/Exponential bucket helpers with constant arguments.

`slo init --src` drafts a latency SLI on one of these bounds and `slo check
--src` reports a threshold that is not one: a latency SLO whose ``le`` is not
a bucket bound reads a series that does not exist.
"""

from __future__ import annotations

import math

from steadygo.golang.frameworks import PROMETHEUS
from steadygo.golang.parse import unparen

# client_golang's prometheus.DefBuckets (also the default of HistogramOpts).
DEF_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_MAX_BUCKETS = 1000  # a count beyond this is a mistake, not a layout


def bucket_bounds(file, node, number) -> list[float] | None:
    """The bounds ``node`` (the value of ``Buckets:``) evaluates to, or None
    when they are not constant.  ``number(node)`` evaluates one number."""
    node = unparen(node)
    if node is None:
        return None
    if file.is_member(node, PROMETHEUS, "DefBuckets"):
        return list(DEF_BUCKETS)
    if node.type == "composite_literal":
        body = node.child_by_field_name("body")
        if body is None:
            return None
        values = []
        for el in body.named_children:
            v = number(el.named_child(0) if el.type in ("literal_element", "element") and el.named_child_count else el)
            if v is None:
                return None
            values.append(v)
        return values
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments").named_children
        if len(args) != 3:
            return None
        nums = [number(a) for a in args]
        if any(v is None for v in nums):
            return None
        a, b, count = nums
        if count != int(count) or not 0 < count <= _MAX_BUCKETS:
            return None
        n = int(count)
        if file.is_member(fn, PROMETHEUS, "LinearBuckets"):
            return [_tidy(a + b * i) for i in range(n)]
        if file.is_member(fn, PROMETHEUS, "ExponentialBuckets") and a > 0 and b > 1:
            return [_tidy(a * b ** i) for i in range(n)]
        if file.is_member(fn, PROMETHEUS, "ExponentialBucketsRange") and 0 < a < b and n >= 2:
            factor = math.pow(b / a, 1 / (n - 1))
            return [_tidy(a * factor ** i) for i in range(n)]
    return None


def _tidy(v: float) -> float:
    # 0.1 * 3 is 0.30000000000000004; the exposition prints Go's shortest
    # float, which for these helpers is the rounded value too.
    return float(f"{v:.12g}")


def default_bounds(metric_type: str, buckets_set: bool) -> list[float] | None:
    """A histogram without ``Buckets`` gets DefBuckets from client_golang."""
    return list(DEF_BUCKETS) if metric_type == "histogram" and not buckets_set else None


