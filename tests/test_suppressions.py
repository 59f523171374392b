"""Inline suppressions and their hygiene findings (SG001, SG002)."""

from collections import Counter

from steadygo.config import Config
from steadygo.engine import scan

from helpers import write

SRC = '''package main

import "net/http"

func a() {
	http.ListenAndServe(":1", nil) //steadygo:ignore SG101 -- admin port on localhost
}

func b() {
	//steadygo:ignore server-without-any-timeout -- same, by name, on the line above
	http.ListenAndServe(":2", nil)
}

func c() {
	http.ListenAndServe(":3", nil) //steadygo:ignore SG101
}

func d() {
	http.ListenAndServe(":4", nil) //steadygo:ignore SG105 -- wrong rule
}

func e() {
	http.Get("x") //steadygo:ignore SG105,SG101 -- two rules, one used
}

func f() {
	http.Get("y") //steadygo:ignore SG-typo -- unknown
}
'''


def _scan(tmp_path, cfg=None):
    write(tmp_path / "main.go", SRC)
    return scan([str(tmp_path)], cfg or Config(preview=True, select=["SG0", "SG1"]), use_cache=False, base=str(tmp_path))


def test_suppressions(tmp_path):
    res = _scan(tmp_path)
    active = Counter((f.line, f.rule_id) for f in res.active)
    assert active == Counter({
        (15, "SG002"),  # c: no reason
        (19, "SG101"),  # d: wrong rule named
        (19, "SG001"),  # d: SG105 suppresses nothing
        (23, "SG001"),  # e: SG101 part unused
        (27, "SG105"),
        (27, "SG001"),  # unknown rule
    })
    suppressed = sorted((f.line, f.rule_id, f.suppressed) for f in res.findings if f.suppressed)
    assert suppressed == [
        (6, "SG101", "inline: admin port on localhost"),
        (11, "SG101", "inline: same, by name, on the line above"),
        (15, "SG101", "inline"),
        (23, "SG105", "inline: two rules, one used"),
    ]


def test_unused_not_reported_for_disabled_rule(tmp_path):
    res = _scan(tmp_path, Config(preview=True, select=["SG0", "SG101"]))
    assert (19, "SG001") not in {(f.line, f.rule_id) for f in res.active}
    # line 23: SG101 (enabled) is unused and reported; SG105 is disabled, so not judged
    assert [f.message for f in res.active if f.line == 23] == ["steadygo:ignore SG101 suppresses nothing here; remove it"]


def test_ignore_file(tmp_path):
    write(tmp_path / "main.go", '//steadygo:ignore-file SG101 -- generated admin server\npackage main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":1", nil); http.ListenAndServe(":2", nil) }\n')
    res = scan([str(tmp_path)], Config(preview=True, select=["SG0", "SG1"]), use_cache=False, base=str(tmp_path))
    assert res.active == [] and len(res.findings) == 2


NOLINT_SRC = '''package work

import (
	"context"
	"time"
)

func a(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) //nolint:govet // lives as long as the process
	return ctx
}

func b(parent context.Context) context.Context {
	//nolint:govet
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx
}

func c(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) //nolint:lll,errcheck
	return ctx
}

func d(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) // nolint:govet (a space: not a directive)
	return ctx
}

func e(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second) //nolint
	return ctx
}

func f() {
	_ = 1 //nolint:govet // covers nothing here, and is golangci-lint's to judge
}
'''


def test_golangci_nolint_covers_the_equivalent_rules(tmp_path):
    """A //nolint for a golangci-lint linter that checks the same thing
    (govet's lostcancel for SG202) suppresses the steadygo finding, with the
    directive as its reason; a directive for another linter, or spelt with a
    space, does not; an unused one is not steadygo's to report."""
    write(tmp_path / "work.go", NOLINT_SRC)
    res = scan([str(tmp_path)], Config(preview=True, select=["SG0", "SG202"]), use_cache=False, base=str(tmp_path))
    assert sorted((f.line, f.rule_id) for f in res.active) == [(20, "SG202"), (25, "SG202")]
    assert sorted((f.line, f.suppressed) for f in res.findings if f.suppressed) == [
        (9, "inline: nolint:govet: lives as long as the process"),
        (15, "inline: nolint:govet"),
        (30, "inline: nolint"),
    ]
    again = scan([str(tmp_path)], Config(preview=True, select=["SG0", "SG202"]), use_cache=False, base=str(tmp_path),
                 suppressions=False)  # check --no-suppressions
    assert len([f for f in again.active if f.rule_id == "SG202"]) == 5
