"""`steadygo slo ...` end to end in-process: outputs, exit codes, one-line
errors, and no partial or clobbered files on failure."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from steadygo.slo import promtool as promtool_mod, rules, spec
from steadygo.slo.starter import STARTER

EXAMPLE = "examples/slo/order-service.yaml"
BAD_REGEX = """\
service: shop
slos:
  - name: checkout
    objective: 99.9
    sli:
      errors:
        bad: http_requests_total{code=~"5(.."}
        total: http_requests_total
"""


def test_generate_to_stdout_and_file(run_cli, tmp_path, promtool):
    code, out, err = run_cli("slo", "generate", EXAMPLE)
    assert (code, err) == (0, "")
    assert out == rules.render(spec.load(EXAMPLE), "order-service.yaml")
    target = tmp_path / "rules.yml"
    code, out2, err = run_cli("slo", "generate", EXAMPLE, "-o", str(target))
    assert (code, out2, err) == (0, "", "")
    assert target.read_text() == out
    assert [g["name"] for g in yaml.safe_load(out)["groups"]] == ["slo:order-api:order-availability", "slo:order-api:order-latency"]


def test_bad_spec_is_one_line_and_leaves_existing_output_alone(run_cli, tmp_path):
    bad = tmp_path / "spec.yaml"
    bad.write_text(BAD_REGEX.replace("objective: 99.9", "objective: 100.5"))
    target = tmp_path / "rules.yml"
    target.write_text("previous good rules\n")
    code, out, err = run_cli("slo", "generate", str(bad), "-o", str(target))
    assert code == 2 and out == ""
    assert err == f"steadygo: error: {bad}:4: slos[0].objective: 100.5 is outside (0, 100)\n"
    assert target.read_text() == "previous good rules\n"
    assert sorted(os.listdir(tmp_path)) == ["rules.yml", "spec.yaml"]


def test_promtool_rejection_is_reported_with_slo_name_and_nothing_written(run_cli, tmp_path, promtool):
    bad = tmp_path / "spec.yaml"
    bad.write_text(BAD_REGEX)
    target = tmp_path / "rules.yml"
    code, out, err = run_cli("slo", "generate", str(bad), "-o", str(target))
    assert code == 2 and out == ""
    assert err == (
        f"steadygo: error: {bad}:3: slos[0] checkout: promtool rejects the generated rules: could not parse expression: "
        "1:31: parse error: error parsing regexp: missing closing ): `^(?:5(..)$`\n"
    )
    assert sorted(os.listdir(tmp_path)) == ["spec.yaml"]
    # `check` reports the same thing; --no-promtool writes the rules anyway.
    assert run_cli("slo", "check", str(bad))[2] == err
    assert run_cli("slo", "generate", str(bad), "--no-promtool", "-o", str(target))[0] == 0
    assert 'code=~"5(.."' in target.read_text()


def test_without_promtool_generate_says_so_and_check_refuses(run_cli, monkeypatch, tmp_path):
    monkeypatch.setattr(promtool_mod, "find", lambda: None)
    target = tmp_path / "r.yml"
    code, out, err = run_cli("slo", "generate", EXAMPLE, "-o", str(target))
    assert (code, err) == (0, "steadygo: note: promtool not found; generated rules were not validated\n")
    assert target.exists()
    assert run_cli("slo", "check", EXAMPLE) == (2, "", "steadygo: error: promtool not found on PATH (Debian package: prometheus)\n")


def test_check_ok(run_cli, promtool):
    assert run_cli("slo", "check", EXAMPLE) == (0, f"{EXAMPLE}: 30 rules in 2 groups pass promtool check rules\n", "")


def test_impossible_fast_alert_warns(run_cli, tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text(BAD_REGEX.replace("objective: 99.9", "objective: 90").replace("5(..", "5.."))
    code, out, err = run_cli("slo", "generate", str(s), "--no-promtool")
    assert code == 0
    assert err == (
        "steadygo: warning: checkout: the fast alert (14.4x) needs an error ratio above 144% and can never fire; "
        "set it to off under alerts or raise the objective\n"
    )


def test_init(run_cli, tmp_path, promtool):
    assert run_cli("slo", "init") == (0, STARTER, "")
    target = tmp_path / "slo.yaml"
    assert run_cli("slo", "init", "-o", str(target)) == (0, "", "")
    assert target.read_text() == STARTER
    # The starter is a working spec: check passes on it as written.
    assert run_cli("slo", "check", str(target))[0] == 0
    target.write_text("mine\n")
    assert run_cli("slo", "init", "-o", str(target)) == (2, "", f"steadygo: error: {target} exists; use --force to overwrite it\n")
    assert target.read_text() == "mine\n"
    assert run_cli("slo", "init", "-o", str(target), "--force")[0] == 0
    assert target.read_text() == STARTER


def test_explain_text_and_json(run_cli):
    code, out, err = run_cli("slo", "explain", EXAMPLE)
    assert code == 0 and err == ""
    assert out.splitlines()[5].split() == ["order-availability", "fast", "L3", "critical", "14.4x", "1h/5m", "1.44%", "2%", "51.8s", "never"]
    code, out, err = run_cli("slo", "explain", EXAMPLE, "--format", "json")
    assert [(r["slo"], r["alert"], r["tier"]) for r in json.loads(out)] == [
        ("order-availability", "fast", "L3"), ("order-availability", "medium", "L2"),
        ("order-availability", "slow", "L1"), ("order-availability", "slowest", "L1"),
        ("order-latency", "fast", "L2"), ("order-latency", "medium", "L2"),
        ("order-latency", "slow", "L1"), ("order-latency", "slowest", "L1"),
    ]


@pytest.mark.parametrize("text,message", [
    ("service: [\n", "invalid YAML"),
    ("service: shop\nslos:\n  - name: a\n    objective: 99\n    extra: 1\n    sli: {errors: {bad: a, total: b}}\n", "slos[0].extra: unknown key"),
])
def test_bad_input_never_tracebacks(run_cli, tmp_path, text, message):
    p = tmp_path / "s.yaml"
    p.write_text(text)
    for sub in ("generate", "explain", "check"):
        code, out, err = run_cli("slo", sub, str(p))
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith(f"steadygo: error: {p}:") and message in err


def test_missing_subcommand_prints_help(run_cli):
    code, out, err = run_cli("slo")
    assert code == 2 and "generate" in err and "explain" in err
