"""Command entry points: functions a CLI framework runs as a command.

A cobra command's ``RunE``/``Run`` (or a function taking ``*cobra.Command``),
and functions wired into a command table (``cmd.RunE =
Wrap(cmdRespond)``, ``Command{Name: "run", Func: cmdRun}``).  They own the
process the way ``main`` does: blocking forever after starting the servers
(``select {}``) or exiting with a status is their job, even when they live in
a non-main package (caddy's modules register their own subcommands).
"""

from __future__ import annotations

from steadygo.golang.parse import capture_pairs, captures, text

COBRA = "github.com/spf13/cobra"

# fields of a command value that hold its action
_ACTION_FIELDS = frozenset({"Run", "RunE", "PreRun", "PreRunE", "PostRun", "PostRunE", "PersistentPreRun",
                            "PersistentPreRunE", "PersistentPostRun", "PersistentPostRunE", "Action"})
# ``Func:`` counts only in a literal whose type names a command
_COMMAND_FUNC_FIELD = "Func"

_KEYED_Q = "(keyed_element . (literal_element (identifier) @k) . (literal_element) @v)"
_ASSIGN_Q = "(assignment_statement left: (expression_list (selector_expression field: (field_identifier) @k)) right: (expression_list) @v)"
_IDENT_Q = "(identifier) @id"


def takes_cobra_command(file, fi) -> bool:
    return any(p.type_node is not None and file.is_member(p.type_node, COBRA, "Command") for p in fi.params)


def _literal_type(keyed):
    """The type text of the composite literal a keyed element belongs to."""
    n = keyed.parent
    while n is not None and n.type == "literal_value":
        n = n.parent
    if n is not None and n.type == "composite_literal":
        return text(n.child_by_field_name("type"))
    return ""


def action_names(pkg) -> frozenset[str]:
    """Names used as a command's action anywhere in the package (memoised)."""

    def compute():
        out: set[str] = set()
        for f in pkg.files:
            if f.is_test or (b"Run" not in f.source and b"Action" not in f.source and b"Func:" not in f.source):
                continue
            for query in (_KEYED_Q, _ASSIGN_Q):
                for key, value in capture_pairs(query, f.root):
                    k = text(key)
                    if k not in _ACTION_FIELDS:
                        if not (k == _COMMAND_FUNC_FIELD and query == _KEYED_Q and "Command" in _literal_type(key.parent.parent)):
                            continue
                    out.update(text(i) for i in captures(_IDENT_Q, value).get("id", []))
        return frozenset(out)

    return pkg.memo("commands.actions", compute)


def command_entry(pkg, file, chain) -> bool:
    """Code running as a command's action: some function of ``chain`` (the
    enclosing functions, innermost first) takes ``*cobra.Command``, is a
    literal stored as an action, or is named as one in the package."""
    actions = None
    for fi in chain:
        if takes_cobra_command(file, fi):
            return True
        if fi.node.type == "func_literal":
            parent = fi.node.parent
            if parent is not None and parent.type == "literal_element" and parent.parent is not None \
                    and parent.parent.type == "keyed_element":
                key = parent.parent.named_child(0)
                if key is not None and text(key) in _ACTION_FIELDS:
                    return True
            continue
        if actions is None:
            actions = action_names(pkg)
        if fi.name in actions:
            return True
    return False
