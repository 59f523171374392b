"""OpenTelemetry tracing set-up in a file.
"""

from __future__ import annotations

from steadygo.golang.facts import extract_facts
from steadygo.golang.parse import text


def file_tracing(ctx, kind):
    return [m for m in extract_facts(ctx.pkg).tracing if m.location.path == ctx.file.relpath and m.kind == kind]


_BRANCHES = frozenset({"expression_case", "type_case", "communication_case"})


def chosen_by_configuration(call) -> bool:
    """The sampler is one arm of a choice the code makes at run time: a
    ``case`` of a switch (``switch cfg.SamplerType { case "always": ... }``)
    or a branch of an ``if`` on something other than an error.  Picking it
    is the operator's decision, not a hard-coded default; a switch's
    ``default`` arm is the default and still counts as hard-coded."""
    n = call.parent
    while n is not None and n.type not in ("function_declaration", "method_declaration", "func_literal"):
        if n.type in _BRANCHES:
            return True
        if n.type == "if_statement":
            cond = n.child_by_field_name("condition")
            in_cond = cond is not None and cond.start_byte <= call.start_byte < cond.end_byte
            if not in_cond and "err" not in text(cond):
                return True
        n = n.parent
    return False
