"""The structured path walk (golang/flow.py), helper hand-off
(golang/handoff.py) and the per-file call index (Package.calls_in)."""

from __future__ import annotations

from steadygo.golang.flow import FunctionFlow, Resource, acquisition_statement, leaks, terminates
from steadygo.golang.handoff import Handoff
from steadygo.golang.module import NO_MODULE
from steadygo.golang.package import Package
from steadygo.golang.parse import captures
from steadygo.golang.source import GoFile


def _file(src: str) -> GoFile:
    return GoFile("/x/a.go", "a.go", src.encode())


def _leak_lines(src: str, release: str = "Close", sub_field: str = "Body", handoff: bool = False) -> list[tuple[str, int]]:
    """Leaks of the first `x, err := <call>` in the first function."""
    f = _file(src)
    fn = captures("(function_declaration) @f", f.root)["f"][0]
    call = next(c for c in captures("(call_expression) @c", fn)["c"] if acquisition_statement(c)[0] is not None)
    stmt, lhs = acquisition_statement(call)
    var, err = lhs
    arg_releases = None
    if handoff:
        pkg = Package("/x", [f], NO_MODULE)
        arg_releases = Handoff(pkg, f, "resp", frozenset({release}), sub_field, lambda n, v: v).arg_releases
    res = Resource(
        var=var,
        operands=frozenset({f"{var}.{sub_field}" if sub_field else var}),
        methods=frozenset({release}),
        err_var=err,
        scoped=stmt.type != "assignment_statement",
        sub_field=sub_field,
        arg_releases=arg_releases,
    )
    flow = FunctionFlow(f, fn, fn.child_by_field_name("body"))
    return [(l.kind, l.line) for l in leaks(flow, stmt, res, stmt.parent)]


def test_error_branch_is_skipped_and_early_return_leaks():
    src = """package p
func f() error {
	resp, err := get()
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return nil
	}
	defer resp.Body.Close()
	return nil
}
"""
    assert _leak_lines(src) == [("return", 8)]


def test_err_reassigned_is_no_longer_the_acquisition_error():
    src = """package p
func f() error {
	resp, err := get()
	if err != nil {
		return err
	}
	err = decode(resp.Body)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
"""
    assert _leak_lines(src) == [("return", 9)]


def test_if_err_nil_block_that_returns_leaves_only_the_error_path():
    src = """package p
func f() error {
	resp, err := get()
	if err == nil {
		defer resp.Body.Close()
		return nil
	}
	return err
}
"""
    assert _leak_lines(src) == []


def test_release_in_other_branch_does_not_cover():
    src = """package p
func f(x bool) {
	resp, err := get()
	if err != nil {
		return
	}
	if x {
		resp.Body.Close()
	}
}
"""
    assert _leak_lines(src) == [("end", 10)]


def test_helper_that_closes_is_a_release():
    src = """package p
func f() {
	resp, err := get()
	if err != nil {
		return
	}
	finish(resp)
}
func finish(r *Response) { defer r.Body.Close() }
"""
    assert _leak_lines(src, handoff=True) == []


def test_returned_value_is_handed_off():
    src = """package p
func f() (*Response, error) {
	resp, err := get()
	if err != nil {
		return nil, err
	}
	return resp, nil
}
"""
    assert _leak_lines(src) == []


def test_continue_in_loop_leaks_scoped_value():
    src = """package p
func f(urls []string) {
	for _, u := range urls {
		resp, err := get(u)
		if err != nil {
			continue
		}
		if resp.StatusCode == 404 {
			continue
		}
		resp.Body.Close()
	}
}
"""
    assert _leak_lines(src) == [("continue", 9)]


def test_terminates_handles_if_else_chains():
    f = _file("""package p
func f(a, b bool) {
	if a {
		return
	} else if b {
		panic("x")
	} else {
		return
	}
}
""")
    stmt = captures("(if_statement) @i", f.root)["i"][0]
    assert terminates(f, stmt)


def test_deep_nesting_does_not_recurse():
    depth = 1500  # beyond Python's default recursion limit
    body = "".join("if x {\n" for _ in range(depth)) + "return\n" + "}\n" * depth
    src = "package p\nfunc f(x bool) {\n\tresp, err := get()\n\tif err != nil {\n\t\treturn\n\t}\n" + body + "resp.Body.Close()\n}\n"
    leaks_found = _leak_lines(src)
    assert leaks_found and leaks_found[0][0] == "return"


def test_calls_in_uses_the_package_call_index():
    f = _file("package p\nfunc f() { a.Close(); b(); c.Close(); d.Flush() }\n")
    pkg = Package("/x", [f], NO_MODULE)
    from steadygo.golang.parse import text

    assert [text(c) for c in pkg.calls_in(f, "Close", "Flush")] == ["a.Close()", "c.Close()", "d.Flush()"]


def test_captures_come_in_source_order():
    # py-tree-sitter returns an alternation's captures grouped by nesting
    # ([5, 11, 9, 15, 13] here), which made "the first leaking return" depend
    # on the heap layout; parse.captures fixes source order.
    from steadygo.golang.parse import captures, parse

    src = b"""package p

func a(x int) int {
	if x > 0 {
		return 1
	}
	for {
		if x < 0 {
			break
		}
		return 2
	}
	f := func() int { return 3 }
	_ = f
	return 4
}
"""
    found = captures("[(return_statement) (break_statement) (continue_statement)] @r", parse(src).root_node)["r"]
    assert [n.start_point[0] + 1 for n in found] == [5, 9, 11, 13, 15]
