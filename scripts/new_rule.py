#!/usr/bin/env python3
"""Write the skeleton of a new Go rule: its file, its registration, its doc
page and its fixtures.

    python scripts/new_rule.py SG110 server-without-max-header-bytes

The family comes from the id (SG110 -> golang/rules/sg1_http/); the rule file
is golang/rules/sg1_http/sg110_server_without_max_header_bytes.py, added to the
RULES list of golang/rules/sg1_http/__init__.py; the doc page is
docs/rules/SG110.md and the fixtures tests/fixtures/go/sg1_http/sg110_{bad,good}_N.go.
New rules start as ``preview`` until their precision has been sampled.  What
is left is the check itself, the fixtures' Go code and the doc's text.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES_DIR = os.path.join(ROOT, "src", "steadygo", "golang", "rules")
DOCS_DIR = os.path.join(ROOT, "src", "steadygo", "docs", "rules")
FIXTURES_DIR = os.path.join(ROOT, "tests", "fixtures", "go")

RULE = '''"""{id} {name}.

TODO: one line on what the rule finds.
"""

from __future__ import annotations

from steadygo.findings import Severity
from steadygo.golang.rules.base import FileContext, GoRule
from steadygo.rulemeta import code_meta


class {cls}(GoRule):
    meta = code_meta(
        id="{id}",
        name="{name}",
        severity=Severity.WARNING,
        breakpoint="TODO: what breaks in production, in one line.",
        summary="TODO: one-line description.",
        status="preview",
    )
    requires_imports = ()  # e.g. ("net/http",): files importing none are skipped

    def check(self, ctx: FileContext) -> None:
        # TODO: write the check; the bad fixtures fail until it reports.
        return
'''

DOC = """# {id}: {name}

## What it does
TODO

## Why it breaks in production
TODO

## Example
```go
// TODO
```

## Use instead
```go
// TODO
```

## Known limits
TODO: known false positives and false negatives.

## References
TODO
"""

BAD = """package main

// TODO: code that must be flagged; end the offending line with: // want "{id}"
"""
GOOD = """package main

// TODO: a tricky case that a naive pattern would flag but {id} must not
"""


def _register(init_path: str, module: str, cls: str) -> None:
    """Add the import and the instance to the family's RULES list, keeping it
    in id order (module names start with the id)."""
    with open(init_path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    imports = [i for i, l in enumerate(lines) if l.startswith("from ")]
    new_import = f"from {module} import {cls}"
    at = next((i for i in imports if lines[i] > new_import), (imports[-1] + 1) if imports else 0)
    lines.insert(at, new_import)
    start = next(i for i, l in enumerate(lines) if l.startswith("RULES = ["))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("]"))
    entries = lines[start + 1:end] + [f"    {cls}(),"]
    # order the list like the imports: by the module each class comes from
    order = {l.rsplit(" import ", 1)[1]: l for l in lines if l.startswith("from ")}
    entries.sort(key=lambda e: order.get(e.strip().rstrip(",").removesuffix("()"), ""))
    lines[start + 1:end] = entries
    with open(init_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("id", help="SGnnn")
    ap.add_argument("name", help="kebab-case name of the problem")
    args = ap.parse_args()
    if not re.fullmatch(r"SG[1-8]\d{2}", args.id) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.name):
        print("id must look like SG110 and name like server-without-max-header-bytes", file=sys.stderr)
        return 2
    prefix = args.id[:3].lower() + "_"
    families = [d for d in sorted(os.listdir(RULES_DIR)) if d.startswith(prefix)]
    if len(families) != 1:
        print(f"{RULES_DIR}: no family folder {prefix}*; a new family also needs a line in "
              "registry.all_rules()", file=sys.stderr)
        return 2
    family = families[0]
    stem = f"{args.id.lower()}_{args.name.replace('-', '_')}"
    rule_path = os.path.join(RULES_DIR, family, stem + ".py")
    doc_path = os.path.join(DOCS_DIR, f"{args.id}.md")
    taken = [p for p in (rule_path, doc_path) if os.path.exists(p)]
    taken += [os.path.join(RULES_DIR, family, n) for n in os.listdir(os.path.join(RULES_DIR, family))
              if n.startswith(args.id.lower() + "_")]
    if taken:
        print(f"{taken[0]} exists: is {args.id} taken?", file=sys.stderr)
        return 2
    cls = "".join(p.capitalize() for p in args.name.split("-"))
    created = []
    with open(rule_path, "w", encoding="utf-8") as fh:
        fh.write(RULE.format(cls=cls, id=args.id, name=args.name))
    created.append(rule_path)
    init_path = os.path.join(RULES_DIR, family, "__init__.py")
    _register(init_path, f"steadygo.golang.rules.{family}.{stem}", cls)
    created.append(init_path + " (registered)")
    with open(doc_path, "w", encoding="utf-8") as fh:
        fh.write(DOC.format(id=args.id, name=args.name))
    created.append(doc_path)
    fixtures = os.path.join(FIXTURES_DIR, family)
    os.makedirs(fixtures, exist_ok=True)
    low = args.id.lower()
    for kind, body in (("bad", BAD), ("good", GOOD)):
        for i in (1, 2, 3):
            path = os.path.join(fixtures, f"{low}_{kind}_{i}.go")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(body.format(id=args.id))
            created.append(path)
    print("created:\n  " + "\n  ".join(os.path.relpath(p, ROOT) for p in created))
    print("left to do: write the check, the fixtures' Go code and the doc page's text.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
