#!/usr/bin/env python3
"""Write the skeleton of a new Go rule: class stub, doc page, fixtures.

    python scripts/new_rule.py SG110 server-without-max-header-bytes --family http

Prints what it created and what is left to do by hand (registering the class in
the family's RULES list, and in registry.all_rules() if the family is new).
New rules start as ``preview`` until their precision has been sampled.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CLASS = '''

class {cls}(GoRule):
    meta = RuleMeta(
        id="{id}",
        name="{name}",
        layer=Layer.CODE,
        severity=Severity.WARNING,
        breakpoint="TODO: what breaks in production, in one line.",
        summary="TODO: one-line description.",
        status="preview",
    )
    requires_imports = ()  # e.g. ("net/http",): files importing none are skipped

    def check(self, ctx: FileContext) -> None:
        raise NotImplementedError("{id}: write the check")
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("id", help="SGnnn")
    ap.add_argument("name", help="kebab-case name of the problem")
    ap.add_argument("--family", required=True, help="module under src/steadygo/golang/rules/ (e.g. http)")
    args = ap.parse_args()
    if not re.fullmatch(r"SG\d{3}", args.id) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.name):
        print("id must look like SG110 and name like server-without-max-header-bytes", file=sys.stderr)
        return 2
    module = os.path.join(ROOT, "src", "steadygo", "golang", "rules", f"{args.family}.py")
    doc = os.path.join(ROOT, "src", "steadygo", "docs", "rules", f"{args.id}.md")
    fam_dirs = [d for d in os.listdir(os.path.join(ROOT, "tests", "fixtures", "go")) if d.startswith(args.id[:3] + "-")]
    fixtures = os.path.join(ROOT, "tests", "fixtures", "go", fam_dirs[0] if fam_dirs else f"{args.id[:3]}-{args.family}")
    if os.path.exists(doc):
        print(f"{doc} exists: is {args.id} taken?", file=sys.stderr)
        return 2
    cls = "".join(p.capitalize() for p in args.name.split("-"))
    created = []
    if not os.path.exists(module):
        with open(module, "w") as fh:
            fh.write('"""TODO: family docstring."""\n\nfrom steadygo.findings import Layer, Severity\n'
                     "from steadygo.golang.rules.base import FileContext, GoRule\nfrom steadygo.registry import RuleMeta\n")
            fh.write(CLASS.format(cls=cls, id=args.id, name=args.name))
            fh.write(f"\n\nRULES = [{cls}()]\n")
    else:
        with open(module, "a") as fh:
            fh.write(CLASS.format(cls=cls, id=args.id, name=args.name))
    created.append(module)
    with open(doc, "w") as fh:
        fh.write(DOC.format(id=args.id, name=args.name))
    created.append(doc)
    os.makedirs(fixtures, exist_ok=True)
    low = args.id.lower()
    for kind, body in (("bad", BAD), ("good", GOOD)):
        for i in (1, 2, 3):
            path = os.path.join(fixtures, f"{low}_{kind}_{i}.go")
            with open(path, "w") as fh:
                fh.write(body.format(id=args.id))
            created.append(path)
    print("created:\n  " + "\n  ".join(os.path.relpath(p, ROOT) for p in created))
    print(f"left to do: add {cls}() to RULES in {os.path.relpath(module, ROOT)}"
          " (and the family to registry.all_rules() if it is new), write the check, fixtures and doc.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
