"""``steadygo advise pool``: database/sql pool settings from the load, with
the arithmetic shown (see ``steadygo.advise.pool`` and docs/advise.md).

Numbers are taken as strings and checked here, so a bad one is one line and
exit 2 (argparse's own type errors print the usage block as well)."""

from __future__ import annotations

import json
import math
import os
import re
import sys

from steadygo.errors import UserError


def add_parser(subparsers, name: str):
    p = subparsers.add_parser(name, help="advice computed from the numbers you give (pool: database/sql settings)",
                              description="Advice computed from load figures, with the arithmetic shown.")
    sub = p.add_subparsers(dest="advise_command", metavar="SUBCOMMAND")
    pool = sub.add_parser("pool", help="database/sql pool settings from QPS and p95 latency (Little's law)",
                          description="Recommend SetMaxOpenConns, SetMaxIdleConns, SetConnMaxLifetime and "
                          "SetConnMaxIdleTime for one process from its query rate and latency, and check the "
                          "total over replicas against the database's connection limit.")
    pool.add_argument("--qps", required=True, metavar="Q",
                      help="queries (or transactions) per second ONE replica sends to the database")
    pool.add_argument("--p95", required=True, metavar="D",
                      help="p95 time a query holds a connection, with a unit: 250ms, 1.5s")
    pool.add_argument("--replicas", metavar="N", help="replicas (HPA maxReplicas, plus surge during a rollout)")
    pool.add_argument("--db-max-connections", metavar="M",
                      help="the database's connection limit (default: [database] max-connections)")
    pool.add_argument("--headroom", metavar="H", help="multiplier over the p95 concurrency, at least 1 (default: 1.5)")
    pool.add_argument("--idle-timeout", metavar="T",
                      help="the server's or a proxy's idle timeout: 5m, 8h (default: [database] idle-timeout)")
    pool.add_argument("--format", choices=("text", "json"), default="text")
    pool.add_argument("--config", help="path to .steadygo.toml (default: the closest one above the current directory)")
    pool.add_argument("--isolated", action="store_true", help="ignore every config file")
    pool.set_defaults(_advise=_pool)
    p.set_defaults(_advise_parser=p)
    return p


def run(args) -> int:
    handler = getattr(args, "_advise", None)
    if handler is None:
        args._advise_parser.print_help(sys.stderr)
        return 2
    return handler(args)


def _number(flag: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        v = float(text)
    except ValueError:
        raise UserError(f"{flag}: expected a positive number, got {text[:40]!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise UserError(f"{flag}: expected a positive finite number, got {text[:40]!r}")
    return v


def _count(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    s = text.strip()
    # ASCII digits only: str.isdigit() also takes '²', which int() refuses
    if not re.fullmatch(r"[0-9]{1,18}", s) or int(s) < 1:
        raise UserError(f"{flag}: expected a whole number of at least 1, got {text[:40]!r}")
    return int(s)


def _duration(flag: str, text: str | None) -> float | None:
    from steadygo.durations import parse_duration

    if text is None:
        return None
    try:
        v = parse_duration(text)
    except ValueError as exc:
        raise UserError(f"{flag}: {exc}") from None
    if v <= 0:
        raise UserError(f"{flag}: expected a positive duration, got {text[:40]!r}")
    return v


def _database_limits(args):
    from steadygo import config

    if args.isolated:
        return config.DatabaseLimits(), None
    path = args.config or config.find_config(os.getcwd())
    cfg = config.load(path)
    return cfg.database, path


def _pool(args) -> int:
    from steadygo.advise.pool import DEFAULT_HEADROOM, PoolLoad, advise

    qps = _number("--qps", args.qps)
    p95 = _duration("--p95", args.p95)
    headroom = _number("--headroom", args.headroom)
    if headroom is not None and headroom < 1:
        raise UserError(f"--headroom: must be at least 1 (got {args.headroom[:40]!r}); below 1 the pool is smaller "
                        "than the load it must carry")
    replicas = _count("--replicas", args.replicas)
    max_conns = _count("--db-max-connections", args.db_max_connections)
    idle_timeout = _duration("--idle-timeout", args.idle_timeout)
    limits, cfg_path = _database_limits(args)
    sources = {"db_max_connections": "--db-max-connections" if max_conns is not None else None,
               "idle_timeout": "--idle-timeout" if idle_timeout is not None else None}
    if max_conns is None and limits.max_connections is not None:
        max_conns, sources["db_max_connections"] = limits.max_connections, f"{cfg_path} [database] max-connections"
    if idle_timeout is None and limits.idle_timeout_s is not None:
        idle_timeout, sources["idle_timeout"] = limits.idle_timeout_s, f"{cfg_path} [database] idle-timeout"
    load = PoolLoad(qps=qps, p95_s=p95, headroom=headroom or DEFAULT_HEADROOM, replicas=replicas,
                    db_max_connections=max_conns, idle_timeout_s=idle_timeout)
    result = advise(load)
    if args.format == "json":
        data = {"inputs": {"qps": qps, "p95_seconds": p95, "headroom": load.headroom, "replicas": replicas,
                           "db_max_connections": max_conns, "idle_timeout_seconds": idle_timeout,
                           "sources": sources}}
        data.update(result.to_dict())
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(render_text(result, sources))
    return 0


def render_text(result, sources: dict) -> str:
    from steadygo.textsafe import escape_control

    width = max(len(s.name) for s in result.steps)
    lines = ["pool for one process (database/sql), by Little's law: busy connections = QPS × time held"]
    for key, src in sources.items():
        if src and not src.startswith("--"):
            lines.append(f"  {key.replace('_', '-')} from {escape_control(src)}")
    for s in result.steps:
        lines.append(f"  {s.name:<{width}}  {s.formula} = {s.value}" + (f"  ({s.why})" if s.why else ""))
    for n in result.notes:
        lines.append(f"note: {n}")
    lines.append("")
    lines.extend(result.go_code())
    return "\n".join(lines)
