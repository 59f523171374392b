"""The series selectors inside a PromQL query (sloth's ``error_query``,
OpenSLO's ``query``), for ``slo check --src``: ``metric{label="v"}`` with
the metric name written out.  Not a PromQL parser: a scan that skips string
literals, ranges and subqueries (``[5m]``, ``[1h:5m]``), numbers and
durations, function and aggregation names (an identifier before ``(``),
keywords, and the label lists of ``by``/``without``/``on``/``ignoring``/
``group_left``/``group_right``.  What is left of an identifier is a metric
name; a ``{...}`` after it is its matchers.  A query it cannot read gives
no selectors rather than a wrong one (promtool judges the query itself)."""

from __future__ import annotations

import re

from steadygo.slo import selector
from steadygo.slo.selector import Selector

_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(?:0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)[a-zA-Z0-9_]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`')
_WS = re.compile(r"\s*")
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "inf", "nan", "start", "end"})
_LABEL_LIST = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})


class Unreadable(ValueError):
    pass


def _skip_block(q: str, pos: int, open_c: str, close_c: str) -> int:
    """Position after the block opening at ``pos``, strings skipped."""
    depth = 0
    while pos < len(q):
        c = q[pos]
        if c in "\"'`":
            m = _STRING.match(q, pos)
            if not m:
                raise Unreadable("unclosed string")
            pos = m.end()
            continue
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    raise Unreadable(f"unclosed {open_c!r}")


def _aggregation_modifier(q: str, pos: int) -> bool:
    m = _IDENT.match(q, pos)
    if not m or m.group(0).lower() not in ("by", "without"):
        return False
    after = _WS.match(q, m.end()).end()
    return after < len(q) and q[after] == "("


def selectors(query: str) -> list[Selector]:
    """Every selector with a metric name in ``query``, in order; raises
    ``Unreadable`` when the scan loses its way."""
    q = _WINDOW.sub("5m", query)
    out: list[Selector] = []
    pos = 0
    while pos < len(q):
        c = q[pos]
        if c.isspace():
            pos += 1
        elif c in "\"'`":
            m = _STRING.match(q, pos)
            if not m:
                raise Unreadable("unclosed string")
            pos = m.end()
        elif c == "[":
            pos = _skip_block(q, pos, "[", "]")
        elif c == "{":  # a selector without a metric name ({__name__=...}): not checked
            pos = _skip_block(q, pos, "{", "}")
        elif c == "#":  # a comment runs to the end of the line
            nl = q.find("\n", pos)
            pos = len(q) if nl < 0 else nl + 1
        elif c.isdigit() or (c == "." and pos + 1 < len(q) and q[pos + 1].isdigit()):
            pos = _NUMBER.match(q, pos).end()
        elif _IDENT.match(q, pos):
            m = _IDENT.match(q, pos)
            word, pos = m.group(0), m.end()
            after = _WS.match(q, pos).end()
            nxt = q[after] if after < len(q) else ""
            if word.lower() in _LABEL_LIST:
                if nxt == "(":
                    pos = _skip_block(q, after, "(", ")")
            elif word.lower() in _KEYWORDS or nxt == "(" or _aggregation_modifier(q, after):
                continue  # an operator, or a function / aggregation name (sum by (x) (...))
            elif nxt == "{":
                end = _skip_block(q, after, "{", "}")
                try:
                    out.append(selector.parse(word + q[after:end]))
                except selector.SelectorError as exc:
                    raise Unreadable(str(exc)) from None
                pos = end
            else:
                out.append(Selector(word, ()))
        else:
            pos += 1  # operators, parentheses, commas, @
    return out
