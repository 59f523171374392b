"""``steadygo advise pool``: the arithmetic on hand-computed numbers, and the
command (flags, .steadygo.toml [database], bad input)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from steadygo.advise.pool import PoolLoad, advise
from steadygo.durations import go_expression, go_string, parse_duration


def _advice(**kw):
    return advise(PoolLoad(**kw))


# --- the arithmetic ----------------------------------------------------------

def test_littles_law_open_idle_and_default_lifetime():
    a = _advice(qps=400, p95_s=0.25)  # 400/s × 0.25 s = 100 busy; × 1.5 = 150
    assert (a.concurrency, a.max_open, a.max_idle) == (100, 150, 100)
    assert (a.lifetime_s, a.idle_time_s) == (1800, 900)  # no idle timeout: the 30 min cap, half of it idle
    assert a.budget is None and any("no idle timeout" in n for n in a.notes)


def test_float_noise_does_not_add_a_connection():
    a = _advice(qps=300, p95_s=0.1)  # 30.000000000000004 in binary floating point
    assert (a.max_open, a.max_idle) == (45, 30)
    b = _advice(qps=100, p95_s=0.25, headroom=1.12)  # 25 × 1.12 is 28.000000000000004
    assert (b.max_open, b.max_idle) == (28, 25)


def test_fractional_concurrency_rounds_up():
    a = _advice(qps=120, p95_s=0.035, headroom=1.2)  # 4.2 busy; ceil(5.04) = 6; ceil(4.2) = 5
    assert (a.max_open, a.max_idle) == (6, 5)


def test_floor_of_two_open_connections():
    a = _advice(qps=2, p95_s=0.01)  # 0.02 busy: ceil(0.03) = 1, raised to 2
    assert (a.max_open, a.max_idle) == (2, 1)
    assert any(s.value == "2" and "max(1, 2)" in s.formula for s in a.steps)


def test_lifetime_below_idle_timeout():
    a = _advice(qps=10, p95_s=0.05, idle_timeout_s=300)  # 0.9 × 5 min = 270 s; half = 135 s
    assert (a.lifetime_s, a.idle_time_s) == (270, 135)
    assert a.go_code()[2:] == ["db.SetConnMaxLifetime(270 * time.Second)", "db.SetConnMaxIdleTime(135 * time.Second)"]
    long = _advice(qps=10, p95_s=0.05, idle_timeout_s=8 * 3600)  # 0.9 × 8 h is over the 30 min cap
    assert (long.lifetime_s, long.idle_time_s) == (1800, 900)
    short = _advice(qps=10, p95_s=0.05, idle_timeout_s=0.5)  # 450 ms, 225 ms
    assert (short.lifetime_s, short.idle_time_s) == (0.45, 0.225)
    assert short.go_code()[2] == "db.SetConnMaxLifetime(450 * time.Millisecond)"


def test_budget_that_does_not_fit_caps_open_per_pod():
    a = _advice(qps=400, p95_s=0.25, replicas=10, db_max_connections=200)
    b = a.budget
    # reserve max(3, ceil(20)) = 20; per pod floor(180 / 10) = 18; 150 × 10 = 1500 > 180
    assert (b.reserve, b.per_pod, b.per_pod_without_reserve, b.needed, b.fits) == (20, 18, 20, 1500, False)
    assert (a.max_open, a.max_idle) == (18, 18)
    assert any("steady concurrency (100) does not fit" in n for n in a.notes)


def test_budget_that_fits_leaves_open_alone():
    a = _advice(qps=50, p95_s=0.1, replicas=4, db_max_connections=100)
    # 5 busy, open ceil(7.5) = 8; 8 × 4 = 32 <= 100 − 10 = 90; per pod floor(90 / 4) = 22
    assert (a.max_open, a.budget.needed, a.budget.per_pod, a.budget.fits) == (8, 32, 22, True)


def test_small_limit_keeps_the_minimum_reserve_and_says_when_nothing_fits():
    a = _advice(qps=50, p95_s=0.1, replicas=3, db_max_connections=30)  # reserve max(3, ceil(3)) = 3: 27 / 3 = 9
    assert (a.budget.reserve, a.budget.per_pod, a.max_open) == (3, 9, 8)
    none = _advice(qps=50, p95_s=0.1, replicas=10, db_max_connections=5)  # 5 − 3 = 2 for 10 replicas
    assert none.budget.per_pod == 0 and none.budget.fits is False
    assert none.max_open == 8  # never 0: to database/sql that means no limit at all
    assert any("no pool fits" in n for n in none.notes)


def test_replicas_without_a_limit_only_totals():
    a = _advice(qps=400, p95_s=0.25, replicas=3)
    assert (a.budget.needed, a.budget.fits) == (450, None)
    assert any("no database connection limit" in n for n in a.notes)


@pytest.mark.parametrize("kw", [dict(qps=0, p95_s=1), dict(qps=1, p95_s=-1), dict(qps=math.nan, p95_s=1),
                                dict(qps=math.inf, p95_s=1), dict(qps=1, p95_s=1, headroom=0.9),
                                dict(qps=1, p95_s=1, replicas=0), dict(qps=1, p95_s=1, db_max_connections=True)])
def test_inputs_are_validated(kw):
    with pytest.raises(ValueError):
        PoolLoad(**kw)


def test_durations():
    assert parse_duration("250ms") == 0.25 and parse_duration("1.5s") == 1.5
    assert parse_duration("1h30m") == 5400 and parse_duration("300us") == parse_duration("300µs") == 0.0003
    for bad in ("", "250", "1x", "s", "1.5.5s", "-1s"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert [go_string(x) for x in (0.25, 1.5, 270, 3600, 5400)] == ["250ms", "1.5s", "4m30s", "1h0m0s", "1h30m0s"]
    assert [go_expression(x) for x in (270, 1800, 0.45)] == ["270 * time.Second", "30 * time.Minute",
                                                             "450 * time.Millisecond"]


# --- the command -------------------------------------------------------------

def _run(args, cwd):
    return subprocess.run([sys.executable, "-m", "steadygo", "advise", "pool", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_text_prints_the_arithmetic_and_go_code(tmp_path):
    p = _run(["--qps", "400", "--p95", "250ms", "--replicas", "10", "--db-max-connections", "200",
              "--idle-timeout", "5m"], tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    for expected in ("qps × p95 = 400/s × 0.25s = 100", "ceil(100 × 1.5) = 150", "150 × 10 = 1500",
                     "floor((200 − 20) / 10) = 18", "needed 1500 > usable 180", "min(150, per pod 18) = 18",
                     "min(4m30s, 30m0s) = 4m30s", "db.SetMaxOpenConns(18)", "db.SetMaxIdleConns(18)",
                     "db.SetConnMaxLifetime(270 * time.Second)", "db.SetConnMaxIdleTime(135 * time.Second)"):
        assert any(expected in line for line in out), (expected, p.stdout)


def test_json_and_database_section_of_the_config(tmp_path):
    (tmp_path / ".steadygo.toml").write_text('[database]\nmax-connections = 100\nidle-timeout = "10m"\n')
    p = _run(["--qps", "50", "--p95", "100ms", "--replicas", "4", "--format", "json"], tmp_path)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["inputs"]["db_max_connections"] == 100 and data["inputs"]["idle_timeout_seconds"] == 600
    assert data["inputs"]["sources"]["db_max_connections"].endswith(".steadygo.toml [database] max-connections")
    rec = data["recommendation"]
    assert (rec["max_open_conns"], rec["max_idle_conns"], rec["conn_max_lifetime_seconds"]) == (8, 5, 540)
    assert data["budget"]["per_pod"] == 22 and data["budget"]["fits"] is True
    # a flag wins over the file; --isolated ignores it
    p2 = _run(["--qps", "50", "--p95", "100ms", "--replicas", "4", "--db-max-connections", "20", "--format",
               "json"], tmp_path)
    assert json.loads(p2.stdout)["budget"]["max_connections"] == 20
    p3 = _run(["--qps", "50", "--p95", "100ms", "--isolated", "--format", "json"], tmp_path)
    assert json.loads(p3.stdout)["inputs"]["db_max_connections"] is None


@pytest.mark.parametrize("args,message", [
    (["--qps", "abc", "--p95", "1s"], "--qps: expected a positive number"),
    (["--qps", "-5", "--p95", "1s"], "--qps: expected a positive finite number"),
    (["--qps", "nan", "--p95", "1s"], "--qps: expected a positive finite number"),
    (["--qps", "5", "--p95", "250"], "--p95: not a duration: '250' (add a unit"),
    (["--qps", "5", "--p95", "0s"], "--p95: expected a positive duration"),
    (["--qps", "5", "--p95", "1s", "--headroom", "0.5"], "--headroom: must be at least 1"),
    (["--qps", "5", "--p95", "1s", "--replicas", "2.5"], "--replicas: expected a whole number"),
    (["--qps", "5", "--p95", "1s", "--db-max-connections", "0"], "--db-max-connections: expected a whole number"),
    (["--qps", "5", "--p95", "1s", "--idle-timeout", "5 minutes"], "--idle-timeout: not a duration"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    p = _run(args, tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and message in p.stderr and "Traceback" not in p.stderr, p.stderr


@pytest.mark.parametrize("toml,message", [
    ('[database]\nmax-connections = "200"\n', "database.max-connections: expected a whole number"),
    ('[database]\nidle-timeout = 300\n', 'database.idle-timeout: expected a positive duration string'),
    ('[database]\nidle-timeout = "5 min"\n', "database.idle-timeout: not a duration"),
    ('[database]\nmax-conns = 5\n', "database.max-conns: unknown key"),
    ('database = 5\n', "database: expected a table"),
])
def test_bad_database_section_is_one_line_and_exit_2(tmp_path, toml, message):
    (tmp_path / ".steadygo.toml").write_text(toml)
    p = _run(["--qps", "5", "--p95", "1s"], tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and message in p.stderr, p.stderr


def test_docs_example_is_what_the_command_prints(tmp_path):
    import os
    import re

    from helpers import ROOT

    doc = open(os.path.join(ROOT, "docs", "advise.md"), encoding="utf-8").read()
    block = re.search(r"```\n\$ steadygo advise pool (.*?)\n(.*?)```", doc, re.S)
    p = _run(block.group(1).split(), tmp_path)
    assert p.returncode == 0 and p.stdout == block.group(2), p.stdout


def test_non_ascii_digits_are_refused_not_a_traceback(tmp_path):
    p = _run(["--qps", "5", "--p95", "1s", "--replicas", "²"], tmp_path)
    assert p.returncode == 2 and "--replicas: expected a whole number" in p.stderr and "Traceback" not in p.stderr
