#!/usr/bin/env python3
"""Draw the precision sample from `steadygo check --format json` reports of
real code bases, for judges who read each finding in the code.

    python benchmarks/precision_sample.py --out SHEET.jsonl [--per-rule 40] [--seed 13]
        [--judged JUDGED.jsonl]...  NAME=REPORT.json ...

Per rule: a census when the rule has at most --per-rule findings over all
reports, otherwise a seeded random sample drawn round-robin over the code
bases (so one code base with 400 findings of a rule cannot fill the sample).
Each line of SHEET is one finding to judge: a stable id, the code base, the
rule, severity, path, line and message; judges add "verdict" (TP, FP or DEB)
and "reason" (benchmarks/precision_tally.py counts them).  The draw is
deterministic for a given seed and set of reports.  With --judged, findings
already judged (same id) that the reports still carry count toward a rule's
quota and are not drawn again: after a rule changes, only what is new to it
is judged (benchmarks/precision_tally.py --reports counts only what the
reports still carry).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict


def load(pairs: list[str]) -> dict[str, list[dict]]:
    reports = {}
    for pair in pairs:
        name, _, path = pair.partition("=")
        if not path:
            sys.exit(f"precision_sample: expected NAME=REPORT.json, got {pair!r}")
        with open(path, encoding="utf-8") as fh:
            reports[name] = [f for f in json.load(fh)["findings"] if not f.get("suppressed")]
    return reports


def finding_id(rule: str, base: str, f: dict) -> str:
    return f"{rule}:{base}:{f['path']}:{f['line']}:{f['col']}"


def draw(reports: dict[str, list[dict]], per_rule: int, seed: int, judged: frozenset = frozenset()) -> list[dict]:
    by_rule: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for base, findings in sorted(reports.items()):
        for f in findings:
            by_rule[f["rule_id"]][base].append(f)
    rows = []
    for rule in sorted(by_rule):
        rng = random.Random(f"{seed}:{rule}")
        total = sum(len(fs) for fs in by_rule[rule].values())
        done = sum(1 for b, fs in by_rule[rule].items() for f in fs if finding_id(rule, b, f) in judged)
        pools = {b: sorted((f for f in fs if finding_id(rule, b, f) not in judged),
                           key=lambda f: (f["path"], f["line"], f["col"])) for b, fs in by_rule[rule].items()}
        for fs in pools.values():
            rng.shuffle(fs)
        picked: list[tuple[str, dict]] = []
        bases = sorted(pools)
        quota = max(0, min(per_rule, total) - done)
        while len(picked) < quota:
            for b in bases:
                if pools[b] and len(picked) < quota:
                    picked.append((b, pools[b].pop()))
        for b, f in sorted(picked, key=lambda bf: (bf[0], bf[1]["path"], bf[1]["line"])):
            rows.append({"id": finding_id(rule, b, f), "base": b, "rule": rule,
                         "severity": f["severity"], "path": f["path"], "line": f["line"],
                         "message": f["message"], "rule_total": total, "census": total <= per_rule})
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="+", metavar="NAME=REPORT.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-rule", type=int, default=40)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--judged", action="append", default=[], metavar="JUDGED.jsonl", help="repeatable")
    a = ap.parse_args(argv)
    judged = set()
    for p in a.judged:
        with open(p, encoding="utf-8") as fh:
            judged |= {json.loads(line)["id"] for line in fh if line.strip()}
    rows = draw(load(a.reports), a.per_rule, a.seed, frozenset(judged))
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    print(f"{len(rows)} findings to judge from {len({r['rule'] for r in rows})} rules -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
