"""Extra caution for resources found only through declared types.

The package's declared types (golang.package_types) bring the lifecycle
rules candidates they never saw: a helper declared to return ``*sql.Rows`` or
``*http.Response``, a call in a file that imports no database or HTTP
package.  Such helpers are mostly wrappers (retries, auth, mocks), and their
callers handle the value in ways the path walk of golang.flow reads poorly:
``switch { case err != nil: return }``, ``if isTimeout(err) { return }``,
handing the value to a method that keeps it, storing it in a field.
On the Debian Go corpus the first such SG301 findings were all false
positives for these reasons (benchmarks/PRECISION-PKGTYPES.md), so a leak on
one of these candidates is reported only when none of those shapes is
present: precision first, until the paths are walked for real.
"""

from __future__ import annotations

from steadygo.golang.parse import captures, text, unparen

_ARG_IDENT_Q = "(argument_list (identifier) @a)"


def doubtful_leak(pkg, flow, stmt, var: str, err_var: str, leak) -> bool:
    """Whether a leak found for a types-only candidate rests on a shape the
    path walk does not read (see module docstring)."""
    if not var or "." in var or "[" in var:
        return True  # stored in a field or element: it outlives the function
    if stmt.type == "assignment_statement" and _declared_outside(pkg, flow, stmt, var):
        return True  # a captured or package variable: someone else's to close
    if _passed_whole(flow, stmt, var):
        return True
    return leak.node is not None and bool(err_var) and _under_error_test(leak.node, err_var, stmt)


def _declared_outside(pkg, flow, stmt, var: str) -> bool:
    left = stmt.child_by_field_name("left")
    ident = next((x for x in left.named_children if x.type == "identifier" and text(x) == var), None) if left is not None else None
    if ident is None:
        return True
    decl = pkg.types.declaration_of(flow.file, ident)
    if decl is None or decl.kind == "package":
        return True
    return not (flow.fn.start_byte <= decl.node.start_byte < flow.fn.end_byte) or _in_nested_function(flow, decl.node)


def _in_nested_function(flow, node) -> bool:
    return not flow.own(node)


def _passed_whole(flow, stmt, var: str) -> bool:
    """``keep(resp)``, ``w.setResponse(resp)``: handed on to a call after the
    acquisition (``resp.Body`` given to a reader is only read, not kept)."""
    for ident in captures(_ARG_IDENT_Q, flow.body).get("a", []):
        if ident.start_byte >= stmt.end_byte and text(ident) == var:
            return True
    return False


def _under_error_test(exit_node, err_var: str, stop) -> bool:
    """The exit sits in a branch whose condition looks at the error in a way
    other than ``err != nil`` (a helper, a type assertion, a tagless switch):
    an error path, where the value is nil."""
    n = exit_node
    while n is not None and n.end_byte <= stop.parent.end_byte:
        p = n.parent
        if p is None:
            return False
        tests = []
        if p.type == "if_statement" and n.type in ("block", "if_statement") and not _redeclares(p, err_var):
            tests = [p.child_by_field_name("condition"), p.child_by_field_name("initializer")]
        elif p.type == "expression_case" and n.type != "expression_list":
            tests = [p.child_by_field_name("value")]
        for t in tests:
            t = unparen(t)
            if t is not None and any(text(i) == err_var for i in captures("(identifier) @i", t).get("i", [])):
                return True
        if p.type in ("function_declaration", "method_declaration", "func_literal") or p == stop.parent:
            return False
        n = p
    return False


def _redeclares(if_stmt, err_var: str) -> bool:
    """``if _, err := tx.Exec(...); err != nil``: that err is another error."""
    init = if_stmt.child_by_field_name("initializer")
    if init is None or init.type != "short_var_declaration":
        return False
    return any(text(x) == err_var for x in init.child_by_field_name("left").named_children)
