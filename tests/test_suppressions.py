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
