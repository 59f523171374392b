"""The control-flow graph (golang/cfg.py): which exits a path that never
mentions a name can reach, from a statement of a function."""

from __future__ import annotations

import sys

from steadygo.golang import cfg
from steadygo.golang.parse import captures, text
from steadygo.golang.source import GoFile


def _escapes(src: str, name: str = "x", start_text: str = "start()") -> list[tuple[str, int]]:
    """Exits reached from the statement ``start_text`` by a path on which
    ``name`` is never mentioned, as (kind, line)."""
    f = GoFile("/x/a.go", "a.go", src.encode())
    fn = captures("(function_declaration) @f", f.root)["f"][0]
    g = cfg.build(f, fn)
    start = next(s for s in captures("(expression_statement) @s", fn)["s"] if text(s) == start_text)
    uses = sorted(i.start_byte for i in captures("(identifier) @i", fn)["i"] if text(i) == name)
    return sorted((e.kind, e.line) for e in cfg.exits_avoiding(g, start, cfg.mentions(uses)))


def test_both_arms_of_an_if_cover_the_return():
    src = """package p
func f(c bool) {
	start()
	if c {
		x()
	} else {
		x()
	}
	return
}
"""
    assert _escapes(src) == []


def test_one_arm_leaves_the_other_path_to_the_return():
    src = """package p
func f(c bool) {
	start()
	if c {
		x()
	}
	return
}
"""
    assert _escapes(src) == [("return", 7)]


def test_switch_without_default_falls_past_its_cases():
    src = """package p
func f(k int) {
	start()
	switch k {
	case 1:
		x()
	case 2:
		x()
	}
}
"""
    assert _escapes(src) == [("end", 10)]


def test_fallthrough_and_terminating_calls_cover_every_case():
    src = """package p
import ("log"; "os")
func f(k int) {
	start()
	switch k {
	case 0:
		log.Fatal("no")
	case 1:
		y()
		fallthrough
	case 2:
		x()
	default:
		os.Exit(1)
	}
}
"""
    assert _escapes(src) == []


def test_select_without_default_runs_one_case():
    src = """package p
func f(ch chan int) {
	start()
	select {
	case <-ch:
		panic(0)
	}
	return
}
"""
    assert _escapes(src) == []


def test_endless_loop_leaves_only_by_break():
    src = """package p
func f(done chan int) {
	start()
	for {
		select {
		case <-done:
			x()
			return
		default:
		}
	}
}
"""
    assert _escapes(src) == []
    # a break inside the select leaves only the select; the one after it leaves the loop
    broken = """package p
func f(done chan int, y bool) {
	start()
	for {
		select {
		case <-done:
			x()
			return
		default:
			break
		}
		if y {
			break
		}
	}
}
"""
    assert _escapes(broken) == [("end", 16)]


def test_labelled_continue_leaves_the_inner_loop():
    src = """package p
func f(xs [][]int) {
outer:
	for _, row := range xs {
		start()
		for _, v := range row {
			if v < 0 {
				continue outer
			}
		}
		x()
	}
	return
}
"""
    # the path by `continue outer` reaches the range head and then the return
    assert _escapes(src) == [("return", 13)]


def test_defer_counts_for_every_later_exit_and_an_earlier_return_escapes():
    src = """package p
func f(c bool) error {
	start()
	if c {
		return nil
	}
	defer x()
	if !c {
		return nil
	}
	return nil
}
"""
    assert _escapes(src) == [("return", 5)]


def test_goto_is_unknown_and_first_escape_stays_silent():
    src = """package p
func f(c bool) {
	start()
	if c {
		goto done
	}
	x()
done:
	return
}
"""
    f = GoFile("/x/a.go", "a.go", src.encode())
    fn = captures("(function_declaration) @f", f.root)["f"][0]
    g = cfg.build(f, fn)
    start = next(s for s in captures("(expression_statement) @s", fn)["s"] if text(s) == "start()")
    uses = sorted(i.start_byte for i in captures("(identifier) @i", fn)["i"] if text(i) == "x")
    assert [e.kind for e in cfg.exits_avoiding(g, start, cfg.mentions(uses))] == ["unknown"]
    assert cfg.first_escape(g, start, cfg.mentions(uses)) is None
    assert cfg.every_path_blocked(g, start, cfg.mentions(uses)) is None


def test_closure_mention_counts_where_the_literal_stands():
    src = """package p
func f(c bool) {
	start()
	go func() {
		x()
	}()
	return
}
"""
    assert _escapes(src) == []


def test_deep_nesting_gives_no_graph_and_no_crash():
    depth = cfg.MAX_DEPTH + 50
    body = "if c {\n" * depth + "x()\n" + "}\n" * depth
    src = f"package p\nfunc f(c bool) {{\nstart()\n{body}}}\n"
    old = sys.getrecursionlimit()
    f = GoFile("/x/a.go", "a.go", src.encode())
    fn = captures("(function_declaration) @f", f.root)["f"][0]
    assert cfg.build(f, fn) is None
    assert sys.getrecursionlimit() == old


def test_complementary_conditions():
    src = """package p
func f() {
	_ = []bool{c, !c, x == v, x != v, n < 3, n >= 3, i%2 == 0, i%2 == 1, i%3 == 0, x == w}
}
"""
    f = GoFile("/x/a.go", "a.go", src.encode())
    elems = captures("(literal_value) @l", f.root)["l"][0].named_children
    e = [x.named_child(0) for x in elems]
    pairs = [(0, 1), (2, 3), (4, 5), (6, 7)]
    for a, b in pairs:
        assert cfg.complementary(e[a], e[b]) and cfg.complementary(e[b], e[a])
    for a, b in [(6, 8), (2, 9), (0, 2), (4, 4)]:
        assert not cfg.complementary(e[a], e[b])
