"""golangci-lint's ``//nolint`` directives, honoured for the rules that check
what a golangci-lint linter checks.

A team moving from golangci-lint has already decided about some lines:
``ctx, _ := context.WithTimeout(parent, d) //nolint:govet`` says "this cancel
is dropped on purpose", and steadygo's SG202 (go vet's lostcancel) must not
report it again.  Only the linters below count, each for the rules that find
the same thing; a bare ``//nolint`` (or ``//nolint:all``) covers every rule in
the table.  The directive covers its own line, or the next line when it stands
alone (golangci-lint extends a standalone directive to the whole statement or
declaration that follows; steadygo does not, so it can only report more).
"""

from __future__ import annotations

import re

# golangci-lint linter -> the steadygo rules that report what it reports.
EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "govet": ("SG202", "SG209"),  # lostcancel; waitgroup (Go 1.25 vet)
    "staticcheck": ("SG212",),  # SA1029: a built-in type as context key
    "revive": ("SG212", "SG309"),  # context-keys-type; defer (in a loop)
    "gocritic": ("SG309",),  # deferInLoop
    "noctx": ("SG106",),
    "contextcheck": ("SG201",),
    "bodyclose": ("SG301",),
    "sqlclosecheck": ("SG302",),
    "rowserrcheck": ("SG303",),
    "errcheck": ("SG401",),
    "errorlint": ("SG402", "SG403"),
    "gosec": ("SG102", "SG610", "SG640"),  # G112 slowloris, G108 pprof, G101 credentials
}
ALL = tuple(sorted({r for rules in EQUIVALENTS.values() for r in rules}))

# ``//nolint``, ``//nolint:a,b``, then optionally `` // why``: no space after
# the slashes, as golangci-lint requires of a machine-readable directive.
_RE = re.compile(r"//nolint(?::(?P<linters>[\w-]+(?:,\s*[\w-]+)*))?(?=\s|$)(?:\s*//\s*(?P<why>.*))?")


def parse(line: str) -> tuple[list[str], str] | None:
    """(rule ids, reason) of a ``//nolint`` directive on this line, or None."""
    at = line.find("//nolint")
    if at < 0:
        return None
    m = _RE.match(line, at)
    if m is None:
        return None
    linters = [x.strip().lower() for x in (m.group("linters") or "all").split(",") if x.strip()]
    if "all" in linters:
        rules = list(ALL)
    else:
        rules = sorted({r for x in linters for r in EQUIVALENTS.get(x, ())})
    if not rules:
        return None
    why = (m.group("why") or "").strip()
    what = "nolint" if m.group("linters") is None else f"nolint:{m.group('linters')}"
    return rules, f"{what}: {why}" if why else what
