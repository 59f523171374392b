#!/usr/bin/env python3
"""Count judged findings (benchmarks/precision_sample.py sheets with a
"verdict" per line: TP, FP or DEB) into per-rule precision, and the figures a
user of a default run sees.

    python benchmarks/precision_tally.py JUDGED.jsonl... [--reports NAME=REPORT.json ...] [--markdown]

Precision is TP / judged: debatable counts as not true.  The weighted
precision weights each rule's precision by how many findings it produced in
the reports (what a user reads), over the rules that were judged.  With
--reports it also prints findings per 1,000 lines of the analysed code, and
counts only judged findings those reports still carry (a finding a changed
rule no longer reports drops out of its sample).
A rule is ready for stable when it has >= 30 judged findings from >= 3 code
bases at >= 90 %.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict

VERDICTS = ("TP", "FP", "DEB")


def read_judged(paths: list[str]) -> list[dict]:
    """Judged lines of every file; a finding judged again (a re-judge under a
    clarified policy) counts once, with the verdict of the later file."""
    rows: dict[str, dict] = {}
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                r = json.loads(line)
                if r.get("verdict") not in VERDICTS:
                    sys.exit(f"{p}:{n}: verdict must be one of {', '.join(VERDICTS)}, got {r.get('verdict')!r}")
                rows[r["id"]] = r
    return list(rows.values())


def tally(rows: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: {"n": 0, **{v: 0 for v in VERDICTS}, "bases": set(), "total": 0})
    for r in rows:
        t = out[r["rule"]]
        t["n"] += 1
        t[r["verdict"]] += 1
        t["bases"].add(r["base"])
        t["total"] = max(t["total"], r.get("rule_total", 0))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("judged", nargs="+")
    ap.add_argument("--reports", nargs="*", default=[], metavar="NAME=REPORT.json")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args(argv)
    counts: Counter = Counter()
    lines = 0
    present: set[str] = set()
    for pair in a.reports:
        name, _, path = pair.partition("=")
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        lines += doc["summary"]["lines"]
        for f in doc["findings"]:
            if not f.get("suppressed"):
                counts[f["rule_id"]] += 1
                present.add(f"{f['rule_id']}:{name}:{f['path']}:{f['line']}:{f['col']}")
    rows = read_judged(a.judged)
    if a.reports:
        rows = [r for r in rows if r["id"] in present]
    t = tally(rows)
    head = "| rule | judged | TP | FP | DEB | precision | code bases | findings in run | ready |"
    print(head if a.markdown else head.replace("|", " ").strip())
    if a.markdown:
        print("|---|---|---|---|---|---|---|---|---|")
    wsum = wtot = tp_all = n_all = 0
    for rule in sorted(t):
        r = t[rule]
        prec = r["TP"] / r["n"]
        total = counts.get(rule, r["total"]) if a.reports else r["total"]
        wsum += prec * total
        wtot += total
        tp_all += r["TP"]
        n_all += r["n"]
        ready = "yes" if r["n"] >= 30 and len(r["bases"]) >= 3 and prec >= 0.9 else "no"
        cells = [rule, r["n"], r["TP"], r["FP"], r["DEB"], f"{prec:.0%}", len(r["bases"]), total, ready]
        print("| " + " | ".join(map(str, cells)) + " |" if a.markdown else "  ".join(map(str, cells)))
    print()
    print(f"judged {n_all}: {tp_all} true, precision {tp_all / max(n_all, 1):.0%}; "
          f"weighted by findings per rule (what a user reads): {wsum / max(wtot, 1):.0%} over {wtot} findings")
    if lines:
        print(f"default run: {sum(counts.values())} findings in {lines:,} lines = "
              f"{1000 * sum(counts.values()) / lines:.2f} per 1k lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
