"""``steadygo explain SG101`` (or the rule's name): print its doc page."""

from __future__ import annotations

import sys

from steadygo import docs_pages, registry
from steadygo.errors import UserError


def add_parser(sub, name):
    p = sub.add_parser(name, help="show a rule's documentation", description="Print a rule's doc page.")
    p.add_argument("rule", help="rule id (SG101) or name (server-without-any-timeout)")
    p.add_argument("--raw", action="store_true", help="print the Markdown source")
    return p


def run(args) -> int:
    rule = registry.lookup(args.rule)
    if rule is None:
        raise UserError(f"unknown rule {args.rule!r}; 'steadygo rules' lists them")
    text = docs_pages.page(rule.meta.id)
    if text is None:
        raise UserError(f"{rule.meta.id} has no documentation page (this is a bug)")
    m = rule.meta
    header = f"{m.id} {m.name} | layer: {m.layer.value} | severity: {m.severity.label} | status: {m.status}\n"
    if args.raw or not sys.stdout.isatty():
        sys.stdout.write(header + "\n" + text)
        return 0
    from rich.console import Console
    from rich.markdown import Markdown

    con = Console()
    con.print(header, highlight=False)
    con.print(Markdown(text))
    return 0
