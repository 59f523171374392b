"""Package-level maps and the code that grows or shrinks them.
"""

from __future__ import annotations

from steadygo.golang.parse import captures, text, unparen


LOCAL_DECL_Q = """
(short_var_declaration left: (expression_list (identifier) @n))
(var_spec name: (identifier) @n)
(parameter_declaration name: (identifier) @n)
(range_clause left: (expression_list (identifier) @n))
"""


def is_map_spec(file, spec) -> str:
    """'map' / 'sync.Map' when a package-level var_spec declares one."""
    t = spec.child_by_field_name("type")
    if t is not None:
        if t.type == "map_type":
            return "map"
        if file.is_member(t, "sync", "Map"):
            return "sync.Map"
        return ""
    val = spec.child_by_field_name("value")
    if val is None or val.named_child_count != 1:
        return ""
    v = unparen(val.named_child(0))
    if v is None:
        return ""
    if v.type == "composite_literal":
        ct = v.child_by_field_name("type")
        if ct is not None and ct.type == "map_type":
            return "map"
        if ct is not None and file.is_member(ct, "sync", "Map"):
            return "sync.Map"
    if v.type == "call_expression" and text(v.child_by_field_name("function")) == "make":
        args = v.child_by_field_name("arguments")
        if args.named_child_count and args.named_child(0).type == "map_type":
            return "map"
    return ""


def top_level_specs(file):
    for decl in file.root.named_children:
        if decl.type != "var_declaration":
            continue
        for c in decl.named_children:
            if c.type == "var_spec":
                yield c
            elif c.type == "var_spec_list":
                yield from (x for x in c.named_children if x.type == "var_spec")


def package_maps(pkg) -> dict[str, str]:
    maps: dict[str, str] = {}
    for f in pkg.files:
        for spec in top_level_specs(f):
            kind = is_map_spec(f, spec)
            if kind:
                for n in spec.children_by_field_name("name"):
                    maps[text(n)] = kind
    return maps


def last_name(node) -> str:
    node = unparen(node)
    if node is None:
        return ""
    if node.type == "selector_expression":
        return text(node.child_by_field_name("field"))
    return text(node)


def declared_locally(fi_chain, name: str) -> bool:
    for fi in fi_chain:
        for n in captures(LOCAL_DECL_Q, fi.node).get("n", []):
            if text(n) == name:
                return True
    return False


def is_receiver(method_node, name: str) -> bool:
    r = method_node.child_by_field_name("receiver")
    return r is not None and any(text(n) == name for n in captures("(parameter_declaration name: (identifier) @n)", r).get("n", []))
