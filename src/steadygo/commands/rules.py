"""``steadygo rules``: the rule table (``--format json`` for tools)."""

from __future__ import annotations

import json

from steadygo import registry


def add_parser(sub, name):
    p = sub.add_parser(name, help="list every rule", description="List every rule: id, name, layer, severity, breakpoint.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--layer", choices=("code", "build", "deploy", "runtime"), help="only rules of this layer")
    return p


def run(args) -> int:
    rules = [r for r in registry.all_rules() if not args.layer or r.meta.layer.value == args.layer]
    if args.format == "json":
        print(json.dumps([
            {
                "id": r.meta.id, "name": r.meta.name, "layer": r.meta.layer.value,
                "severity": r.meta.severity.label, "status": r.meta.status, "since": r.meta.since,
                "summary": r.meta.summary, "breakpoint": r.meta.breakpoint,
                "fix": r.meta.fix or None,
                "roles": list(r.meta.roles), "supersedes": list(r.meta.supersedes), "settles": list(r.meta.settles),
                "proves": list(r.meta.proves),  # live rules: the static rules a finding confirms (check --evidence)
                "module_facts": list(getattr(r, "module_facts", ())),
                "options": [{"name": o.name, "type": o.type.__name__, "default": o.default, "help": o.help} for o in r.meta.options],
            }
            for r in rules
        ], indent=2))
        return 0
    import shutil

    from rich.console import Console
    from rich.table import Table

    # The terminal's width (80 when piped); the breakpoint column only where
    # it has room to be read (steadygo explain ID prints it in full anyway).
    width = max(60, min(shutil.get_terminal_size((80, 24)).columns, 160))
    wide = width >= 120
    table = Table(show_lines=False, box=None, pad_edge=False)
    for col in ("id", "name", "layer", "severity", "status") + (("breakpoint",) if wide else ()):
        table.add_column(col, overflow="fold", no_wrap=col != "breakpoint")
    for r in rules:
        row = [r.meta.id, r.meta.name, r.meta.layer.value, r.meta.severity.label, r.meta.status]
        table.add_row(*row, *([r.meta.breakpoint] if wide else []))
    Console(width=width, highlight=False).print(table)
    fixable = [r.meta.id for r in rules if r.meta.fix]
    if fixable:
        print(f"check --fix rewrites {', '.join(fixable)} (--diff shows it first)")
    if not wide:
        print("steadygo explain ID prints a rule's breakpoint and documentation")
    return 0
