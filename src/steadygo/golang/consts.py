"""Constant evaluation the rules share: integer constants and the package's
constants of built-in type.  (String and duration constants are resolved by
``golang.facts``: ``resolve_string``, ``duration_seconds``.)
"""

from __future__ import annotations

from steadygo.golang.parse import captures, enclosing_function as enclosing_func, text, unparen


BUILTIN_TYPES = frozenset(
    "string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr float32 float64 bool byte rune".split()
)
CONST_SPECS_Q = "(const_spec) @c"
LITERAL_TYPES = ("interpreted_string_literal", "raw_string_literal", "int_literal", "float_literal", "rune_literal", "true", "false", "iota")


def builtin_typed_constants(pkg) -> set[str]:
    def compute():
        out: set[str] = set()
        for f in pkg.files:
            for spec in captures(CONST_SPECS_Q, f.root).get("c", []):
                if enclosing_func(spec) is not None:
                    continue
                t = spec.child_by_field_name("type")
                vals = spec.child_by_field_name("value")
                builtin = False
                if t is not None:
                    builtin = text(t) in BUILTIN_TYPES
                elif vals is not None:
                    builtin = all(unparen(v).type in LITERAL_TYPES for v in vals.named_children)
                else:
                    # implicit repetition in a const block: follow the previous spec
                    prev = spec.prev_named_sibling
                    while prev is not None and prev.type == "const_spec" and prev.child_by_field_name("value") is None:
                        prev = prev.prev_named_sibling
                    if prev is not None and prev.type == "const_spec":
                        pt = prev.child_by_field_name("type")
                        pv = prev.child_by_field_name("value")
                        builtin = (pt is not None and text(pt) in BUILTIN_TYPES) or (
                            pt is None and pv is not None and all(is_untyped_constant(v) for v in pv.named_children)
                        )
                if builtin:
                    out |= {text(n) for n in spec.children_by_field_name("name")}
        return out

    return pkg.memo(("context.builtin_consts",), compute)


def is_untyped_constant(v) -> bool:
    """A literal, iota, or arithmetic on them: no conversion to a named type."""
    v = unparen(v)
    if v.type in LITERAL_TYPES:
        return True
    return v.type == "binary_expression" and "(" not in text(v)


def int_constant(node, depth: int = 0) -> int:
    """Value of ``a * b`` or ``a << b`` over int literals (64*1024, 1<<16), else 0.
    Only shallow expressions are evaluated (buffer sizes are written that way)."""
    node = unparen(node)
    if depth > 4:
        return 0
    if node is None:
        return 0
    if node.type == "int_literal":
        try:
            return int(text(node).replace("_", ""), 0)
        except ValueError:
            return 0
    if node.type != "binary_expression":
        return 0
    left = int_constant(node.child_by_field_name("left"), depth + 1)
    right = int_constant(node.child_by_field_name("right"), depth + 1)
    op = text(node.child_by_field_name("operator"))
    if op == "*":
        return left * right
    if op == "<<" and right < 64:
        return left << right
    return 0


def is_constant(pkg, file, node, _depth: int = 0) -> bool:
    """``node`` is a compile-time constant the code shows: a literal, a
    name declared with ``const`` in the package (or locally), or literals and
    such names joined with operators.  Another package's names are unknown
    (a var and a const look the same at the use), so they are not constant."""
    node = unparen(node)
    if node is None or _depth > 32:
        return False
    if node.type in LITERAL_TYPES or node.type == "nil":
        return True
    if node.type == "binary_expression":
        return all(is_constant(pkg, file, node.child_by_field_name(s), _depth + 1) for s in ("left", "right"))
    if node.type == "identifier":
        d = pkg.types.declaration_of(file, node)
        stmt = d.statement if d is not None else None
        return stmt is not None and stmt.type == "const_spec"
    return False
