"""The module graph as Mermaid, Graphviz DOT or JSON.

Module paths come from files anyone can write, so nothing from them is
placed in the output raw: nodes get generated ids (``n0``, ``n1``) and the
path goes into a quoted label, escaped for that language; comment lines
carry no line breaks or control characters."""

from __future__ import annotations

import json

from steadygo.graph.build import GraphResult

FORMATS = ("mermaid", "dot", "json")


def _plain(text: str) -> str:
    """One line of printable text (for comments)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text.replace("\n", " "))


# Mermaid entity codes (#quot; and decimal ones: #35; #60; ...) are how a label says a character
# its syntax would otherwise read: '#' first, since every code starts with it.
_MERMAID = {"#": "#35;", '"': "#quot;", "<": "#60;", ">": "#62;", "&": "#38;", "`": "#96;",
            "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "|": "#124;"}


def mermaid_label(text: str) -> str:
    return "".join(_MERMAID.get(c, c) for c in _plain(text))


def dot_string(text: str) -> str:
    """A DOT double-quoted string.  Backslashes are doubled as well as quotes
    escaped: in a label, Graphviz reads ``\\N``, ``\\G``, ``\\l`` as escapes."""
    return '"' + _plain(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header(result: GraphResult) -> list[str]:
    lines = [f"steadygo graph: source {result.source}; {result.why_not_other}"]
    lines += [f"modules of the repo that require each other in a cycle (go.mod files and local replaces): "
              f"{', '.join(c)}" for c in result.cycles]
    lines += [f"note: {n}" for n in result.graph.notes]
    return [_plain(x) for x in lines]


def _ids(result: GraphResult) -> dict[str, str]:
    return {n.id: f"n{i}" for i, n in enumerate(result.graph.nodes)}


def render_mermaid(result: GraphResult) -> str:
    ids = _ids(result)
    out = [f"%% {line}" for line in _header(result)]
    out.append("flowchart LR")
    for n in result.graph.nodes:
        out.append(f'  {ids[n.id]}["{mermaid_label(n.id)}"]')
    for e in result.graph.edges:
        arrow = "-->" if e.via in ("replace", "go mod graph") else "-.->"
        out.append(f"  {ids[e.source]} {arrow} {ids[e.target]}")
    local = [ids[n.id] for n in result.graph.nodes if n.local]
    if local:
        out.append("  classDef local stroke-width:3px")
        out.append(f"  class {','.join(local)} local")
    return "\n".join(out) + "\n"


def render_dot(result: GraphResult) -> str:
    ids = _ids(result)
    out = [f"// {line}" for line in _header(result)]
    out.append("digraph modules {")
    out.append("  rankdir=LR;")
    out.append("  node [shape=box];")
    for n in result.graph.nodes:
        style = ", style=bold" if n.local else ""
        out.append(f"  {ids[n.id]} [label={dot_string(n.id)}{style}];")
    for e in result.graph.edges:
        style = "" if e.via in ("replace", "go mod graph") else " [style=dashed]"
        out.append(f"  {ids[e.source]} -> {ids[e.target]}{style};")
    out.append("}")
    return "\n".join(out) + "\n"


def render_json(result: GraphResult) -> str:
    data = {
        "source": result.source,
        "why_not_other": result.why_not_other,
        "nodes": [n.to_dict() for n in result.graph.nodes],
        "edges": [e.to_dict() for e in result.graph.edges],
        "cycles": result.cycles,
        "notes": result.graph.notes,
    }
    return json.dumps(data, indent=2) + "\n"


def render(result: GraphResult, fmt: str) -> str:
    return {"mermaid": render_mermaid, "dot": render_dot, "json": render_json}[fmt](result)
