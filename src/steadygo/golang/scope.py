"""Just enough scoping to know when a package name is shadowed.

``http := client{}`` inside a function makes ``http.Get`` a method call on a
local value, not the package function.  We record every local declaration with
the byte range of the scope it lives in; a use is shadowed when a declaration
of the same name precedes it inside an enclosing scope.
"""

from __future__ import annotations

from collections import defaultdict

from steadygo.golang.parse import text

DECL_PATTERNS = """
(parameter_declaration name: (identifier) @n)
(variadic_parameter_declaration name: (identifier) @n)
(short_var_declaration left: (expression_list (identifier) @n))
(var_spec name: (identifier) @n)
(const_spec name: (identifier) @n)
(range_clause left: (expression_list (identifier) @n))
(receive_statement left: (expression_list (identifier) @n))
(type_switch_statement alias: (expression_list (identifier) @n))
(function_declaration name: (identifier) @n)
"""

_SCOPE_TYPES = frozenset(
    {
        "block",
        "func_literal",
        "function_declaration",
        "method_declaration",
        "for_statement",
        "if_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "expression_case",
        "type_case",
        "default_case",
        "communication_case",
        "source_file",
    }
)


def _scope_of(decl_name_node):
    node = decl_name_node.parent
    if node is not None and node.type in ("parameter_declaration", "variadic_parameter_declaration"):
        # parameter_list -> function-ish node
        fn = node.parent.parent if node.parent is not None else None
        return fn or node
    while node is not None and node.type not in _SCOPE_TYPES:
        node = node.parent
    return node


class ShadowIndex:
    """Local declarations of the names we care about (the import names)."""

    def __init__(self, decl_idents, names: set[str]):
        self._decls: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        if not names:
            return
        for n in decl_idents:
            name = text(n)
            if name not in names:
                continue
            scope = _scope_of(n)
            if scope is None:
                continue
            self._decls[name].append((n.start_byte, scope.start_byte, scope.end_byte))

    def is_shadowed(self, name: str, at_byte: int) -> bool:
        for decl_start, s_start, s_end in self._decls.get(name, ()):
            if decl_start <= at_byte and s_start <= at_byte < s_end:
                return True
        return False
