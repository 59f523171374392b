"""Series selectors as the spec accepts them: ``metric{label="v",...}``.

The spec takes *selectors*, not arbitrary PromQL, because the generator wraps
them in ``rate(...[window])`` for every window; an expression there would
produce invalid or silently wrong rules.  This module only checks the shape
and splits it into parts; promtool has the final word on regexes and on
matchers that match nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OP = re.compile(r"=~|!~|!=|=")
# PromQL string literals: double or single quoted with backslash escapes, or raw backticks.
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`')
_WS = re.compile(r"\s*")


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str
    literal: str  # as written, quotes included, so escapes survive untouched

    def text(self) -> str:
        return f"{self.label}{self.op}{self.literal}"


@dataclass(frozen=True)
class Selector:
    metric: str  # may be empty when the name comes from a __name__ matcher
    matchers: tuple[Matcher, ...]

    def with_matcher(self, m: Matcher) -> "Selector":
        return Selector(self.metric, self.matchers + (m,))

    def text(self) -> str:
        if not self.matchers:
            return self.metric
        return self.metric + "{" + ",".join(m.text() for m in self.matchers) + "}"


class SelectorError(ValueError):
    pass


def parse(text: str) -> Selector:
    """Parse one selector or raise ``SelectorError`` with a short reason."""
    s = text.strip()
    if not s:
        raise SelectorError("empty selector")
    pos = 0
    metric = ""
    m = _METRIC.match(s, pos)
    if m:
        metric = m.group(0)
        pos = m.end()
    pos = _WS.match(s, pos).end()
    matchers: list[Matcher] = []
    if pos < len(s) and s[pos] == "{":
        pos += 1
        while True:
            pos = _WS.match(s, pos).end()
            if pos < len(s) and s[pos] == "}":
                pos += 1
                break
            lm = _LABEL.match(s, pos)
            if not lm:
                raise SelectorError(f"expected a label name at offset {pos}")
            pos = _WS.match(s, lm.end()).end()
            om = _OP.match(s, pos)
            if not om:
                raise SelectorError(f"expected =, !=, =~ or !~ after {lm.group(0)!r}")
            pos = _WS.match(s, om.end()).end()
            sm = _STRING.match(s, pos)
            if not sm:
                raise SelectorError(f"expected a quoted value for {lm.group(0)!r}")
            matchers.append(Matcher(lm.group(0), om.group(0), sm.group(0)))
            pos = _WS.match(s, sm.end()).end()
            if pos < len(s) and s[pos] == ",":
                pos += 1
                continue
            if pos < len(s) and s[pos] == "}":
                pos += 1
                break
            raise SelectorError("unclosed '{' or missing ',' between matchers")
    pos = _WS.match(s, pos).end()
    if pos != len(s):
        raise SelectorError(
            f"unexpected {s[pos:pos + 20]!r}: give a series selector like "
            'metric{label="value"}, not an expression'
        )
    if not metric and not matchers:
        raise SelectorError("no metric name and no matchers")
    return Selector(metric, tuple(matchers))
