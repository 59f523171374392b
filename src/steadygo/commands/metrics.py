"""`steadygo metrics FILE|URL|-`: lint a Prometheus exposition (text format
or OpenMetrics) for naming, cardinality and histogram layout (SG941-SG946)."""

from __future__ import annotations

import argparse

from steadygo.runtime import command, exposition, exposition_lint, options
from steadygo.runtime.display import cell, safe


def add_parser(subparsers, name: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser(name, help="lint a Prometheus exposition: naming (as promtool), cardinality, buckets",
                              description="FILE|URL|- is a saved exposition, a live /metrics URL of a target you "
                                          "name, or '-' for standard input; text format or OpenMetrics.")
    p.add_argument("source", metavar="FILE|URL|-")
    p.add_argument("--max-series", type=options.count, default=1000, metavar="N",
                   help="a family with more series than this is reported (default: 1000)")
    p.add_argument("--min-distinct", type=options.count, default=20, metavar="N",
                   help="a label needs this many distinct values before their shape (ids, e-mails, IPs, paths, "
                        "UUIDs) is judged (default: 20)")
    p.add_argument("--min-buckets", type=options.count, default=5, metavar="N",
                   help="a histogram with fewer finite buckets is reported (default: 5)")
    p.add_argument("--slo-latency", type=options.seconds, metavar="SECONDS",
                   help="latency SLO threshold: a _seconds histogram with no bucket bound within 10%% of it is reported")
    options.add_common(p)
    return p


def run(args) -> int:
    options.require_two_inputs_for_growth(args, two_inputs=False)
    rt = command.start(args)
    expo = exposition.load(args.source, args.max_bytes, args.timeout)
    th = exposition_lint.Thresholds(max_series=args.max_series, min_distinct=max(args.min_distinct, 1),
                                    min_buckets=args.min_buckets, slo_latency=args.slo_latency)
    findings = exposition_lint.findings(expo, th)
    s = exposition_lint.summary(expo, args.top)
    data = {"command": "metrics", "checked_rules": list(exposition_lint.CHECKED_RULES), "source": args.source,
            "summary": s, "thresholds": {"max_series": th.max_series, "min_distinct": th.min_distinct,
                                         "min_buckets": th.min_buckets, "slo_latency": th.slo_latency}}

    def render(console) -> None:
        from rich.table import Table  # only the text report draws; JSON runs skip rich's import

        console.print(safe(f"{args.source}: {s['families']:,} metric families, {s['series']:,} series "
                           f"({s['format']} format, {s['lines']:,} lines)"), style="bold", markup=False)
        if not s["top_families"]:
            return
        table = Table(title="largest families", title_justify="left", show_edge=False)
        for col, justify in (("family", "left"), ("type", "left"), ("series", "right"),
                             ("top label (distinct values)", "left")):
            table.add_column(col, justify=justify)
        for row in s["top_families"]:
            top = f"{row['top_label']} ({row['top_label_values']:,})" if row["top_label"] else "-"
            table.add_row(cell(row["family"]), row["type"], f"{row['series']:,}", cell(top))
        console.print(table)

    return command.finish(rt, evidence=data, findings=findings, inputs=[args.source], scope="1 metrics exposition",
                          draw=render)
