"""Compare two `steadygo check --format json` outputs finding by finding.

Used to show that an engine or layout change left the findings of a corpus
unchanged (GOROOT/src, the Debian Go corpus).  Findings are matched on rule,
path, line, column, severity and message; suppression state is compared too.

Usage: python benchmarks/compare_findings.py BEFORE.json AFTER.json [--ignore-message]
Exit 0 when identical, 1 when they differ (the differences are printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter


def _key(f: dict, with_message: bool) -> tuple:
    k = (f["rule_id"], f["path"], f["line"], f["col"], f["severity"], bool(f.get("suppressed")))
    return k + ((f["message"],) if with_message else ())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--ignore-message", action="store_true", help="match on place and rule only")
    args = ap.parse_args(argv)
    sides = []
    for path in (args.before, args.after):
        with open(path, encoding="utf-8") as fh:
            sides.append(Counter(_key(f, not args.ignore_message) for f in json.load(fh)["findings"]))
    before, after = sides
    gone, new = before - after, after - before
    for label, diff in (("only in before", gone), ("only in after", new)):
        for k, n in sorted(diff.items()):
            print(f"{label}: {' '.join(map(str, k))}" + (f" x{n}" if n > 1 else ""))
    print(f"before {sum(before.values())}, after {sum(after.values())}, "
          f"{sum(gone.values())} gone, {sum(new.values())} new")
    return 1 if gone or new else 0


if __name__ == "__main__":
    sys.exit(main())
