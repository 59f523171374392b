"""Whether a file's build constraint keeps it out of every default build.

``go build``, ``go vet`` and golangci-lint compile a package with no custom
tags: a file behind ``//go:build debug`` (pufferpanel's pprof listener,
"THIS SHOULD NOT BE ON") or ``//go:build integration`` is not in the
service binary unless a developer asks for it.  Only tags that name a
development build count as off; platform tags (``linux``, ``!windows``),
Go versions and every other tag may hold (a project may well build its
release with ``-tags prod``), so a constraint is judged off only when it is
false whatever those are (three-valued logic: unknown stays unknown).
"""

from __future__ import annotations

import re

# Tags that select a development, test or tooling build: off by default.
DEV_TAGS = frozenset({
    "ignore", "none", "debug", "dev", "devel", "development", "pprof", "profile", "profiling", "integration",
    "e2e", "tools", "tool", "test", "testing", "mock", "mocks", "example", "examples", "bench",
    "benchmark", "fuzz", "local",
})

_GO_BUILD = re.compile(r"^//go:build\s+(.+?)\s*$", re.M)
_PLUS_BUILD = re.compile(r"^//\s*\+build\s+(.+?)\s*$", re.M)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.\-]+)")

_UNKNOWN = None  # three-valued: True, False, None (may be either)


def excluded_by_default(header: str, tags: frozenset[str] = frozenset()) -> bool:
    """``header``: the file's text before its package clause; ``tags``: the
    ones the project builds with (``--build-tags``), which hold."""
    m = _GO_BUILD.search(header)
    if m is not None:
        value = _Expr(m.group(1), tags).value()
        return value is False
    lines = _PLUS_BUILD.findall(header)
    if not lines:
        return False
    # old form: lines AND together, spaces OR, commas AND
    return any(_plus_line(line, tags) is False for line in lines)


def _tag(name: str, tags: frozenset[str]):
    if name.startswith("!"):
        return _not(_tag(name[1:], tags))
    if name in tags:
        return True
    return False if name in DEV_TAGS else _UNKNOWN


def _not(v):
    return None if v is None else not v


def _and(a, b):
    if a is False or b is False:
        return False
    return True if a is True and b is True else _UNKNOWN


def _or(a, b):
    if a is True or b is True:
        return True
    return False if a is False and b is False else _UNKNOWN


def _plus_line(line: str, tags: frozenset[str]):
    out = False
    for option in line.split():
        v = True
        for term in option.split(","):
            v = _and(v, _tag(term, tags))
        out = _or(out, v)
    return out


class _Expr:
    """``//go:build`` expression: ``||`` over ``&&`` over ``!`` and parens;
    anything it cannot read is unknown (the file is kept)."""

    def __init__(self, src: str, tags: frozenset[str] = frozenset()):
        self.tags = tags
        self.toks = []
        pos = 0
        while pos < len(src):
            m = _TOKEN.match(src, pos)
            if m is None:
                self.toks = None
                return
            self.toks.append(m.group(1))
            pos = m.end()
            if src[pos:].strip() == "" or src[pos:].lstrip().startswith("//"):
                break
        self.i = 0

    def value(self):
        if not self.toks:
            return _UNKNOWN
        try:
            v = self._or()
        except IndexError:
            return _UNKNOWN
        return v if self.i == len(self.toks) else _UNKNOWN

    def _or(self):
        v = self._and()
        while self.i < len(self.toks) and self.toks[self.i] == "||":
            self.i += 1
            v = _or(v, self._and())
        return v

    def _and(self):
        v = self._unary()
        while self.i < len(self.toks) and self.toks[self.i] == "&&":
            self.i += 1
            v = _and(v, self._unary())
        return v

    def _unary(self):
        t = self.toks[self.i]
        self.i += 1
        if t == "!":
            return _not(self._unary())
        if t == "(":
            v = self._or()
            if self.toks[self.i] != ")":
                raise IndexError
            self.i += 1
            return v
        if t in (")", "&&", "||"):
            raise IndexError
        return _tag(t, self.tags)
