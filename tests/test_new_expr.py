"""Go 1.26 new(expr): parsed without syntax errors, new(T) left alone, real
errors still errors."""

from steadygo.golang.new_expr import VALUE_NEW
from steadygo.golang.parse import parse


def _src(body: str) -> bytes:
    return f"package p\n\nfunc f() {{\n{body}\n}}\n".encode()


def test_value_new_parses_and_keeps_offsets():
    src = _src('\tp := new(int64(5))\n\tq := new(time.Now())\n\tm := M{A: new(a - b), B: new(1)}\n\tuse(p, q, m)')
    tree = parse(src)
    assert not tree.root_node.has_error
    assert tree.root_node.end_byte == len(src)
    # the statements after the calls are whole
    assert tree.root_node.text.count(b"use(p, q, m)") == 1
    assert tree.root_node.text.count(VALUE_NEW + b"(") == 4


def test_type_new_untouched():
    src = _src("\tw := new(int)\n\tx := new([]int)\n\ty := new(sync.Mutex)\n\t_ = new(int64(1))\n\tuse(w, x, y)")
    tree = parse(src)
    assert not tree.root_node.has_error
    text = tree.root_node.text
    assert b"new(int)" in text and b"new([]int)" in text and b"new(sync.Mutex)" in text


def test_strings_comments_and_real_errors():
    src = _src('\ts := "new(1)" // new(2)\n\t_ = new(int64(3))\n\tx := := 1\n\tuse(s, x)')
    tree = parse(src)
    assert tree.root_node.has_error  # the real error stays for SG000
    text = tree.root_node.text
    assert b'"new(1)"' in text and b"// new(2)" in text
    assert VALUE_NEW + b"(int64(3))" in text


def test_last_type_declaration_without_final_newline():
    """Go accepts a file ending in ``}`` with no line break; tree-sitter-go
    calls a last struct type there an error (alist's seafile/types.go gave a
    false SG000), so the parser gets the newline and no byte moves."""
    src = b"package p\n\ntype T struct {\n\tA int\n}\n\ntype U struct {\n\tB bool\n}"
    tree = parse(src)
    assert not tree.root_node.has_error
    assert tree.root_node.text[:len(src)] == src
    broken = b"package p\n\ntype T struct {\n\tA int\n"  # a real error stays one
    assert parse(broken).root_node.has_error
