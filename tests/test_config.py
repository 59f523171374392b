"""`.steadygo.toml`: discovery, validation errors naming file and key, effects."""

import os

import pytest

from steadygo import config
from steadygo.errors import UserError
from steadygo.findings import Severity

from helpers import json_report, run_cli, write

BAD_SERVER = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe(":1", nil); if r, err := http.Get("x"); err == nil { r.Body.Close() } }\n'


@pytest.mark.parametrize(
    "toml,message",
    [
        ('selekt = ["SG1"]', "selekt: unknown key"),
        ('select = ["SG1", "SG777"]', "select: unknown rule 'SG777'"),
        ('fail-on = "fatal"', "fail-on: unknown severity 'fatal'"),
        ("[severity]\nSG999 = 'info'", "severity.SG999: unknown rule"),
        ("[rules.server-without-any-timeout]\nspeed = 3", "rules.server-without-any-timeout.speed: unknown option"),
        ("[rules.no-such-rule]\nx = 1", "rules.no-such-rule: unknown rule"),
        ("max-file-size = -1", "max-file-size: expected a positive number of bytes"),
        ('go = "one.two"', "go: not a Go version"),
        ("select = [", "invalid TOML"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path, toml, message):
    cfg = write(tmp_path / ".steadygo.toml", toml)
    write(tmp_path / "main.go", BAD_SERVER)
    p = run_cli("check", str(tmp_path), "--no-cache")
    assert p.returncode == 2
    assert p.stderr.startswith(f"steadygo: error: {cfg}: ")
    assert message in p.stderr
    assert p.stderr.count("\n") == 1


def test_closest_config_wins(tmp_path):
    write(tmp_path / ".steadygo.toml", 'ignore = ["SG105"]')
    write(tmp_path / "svc" / ".steadygo.toml", 'ignore = ["SG101"]')
    write(tmp_path / "svc" / "main.go", BAD_SERVER)
    p = run_cli("check", str(tmp_path / "svc"), "--no-cache", "--format", "json")
    assert [f["rule_id"] for f in json_report(p)["findings"]] == ["SG105"]


def test_per_path_ignores_severity_and_exclude(tmp_path):
    write(tmp_path / ".steadygo.toml", """
exclude = ["gen"]
fail-on = "error"
[per-path-ignores]
"tools/**" = ["http-client-without-timeout"]
[severity]
SG101 = "info"
""")
    write(tmp_path / "main.go", BAD_SERVER)
    write(tmp_path / "tools" / "x" / "main.go", BAD_SERVER)
    write(tmp_path / "gen" / "main.go", BAD_SERVER)
    p = run_cli("check", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    got = sorted((f["path"], f["rule_id"], f["severity"]) for f in json_report(p)["findings"])
    assert got == [
        ("main.go", "SG101", "info"),
        ("main.go", "SG105", "warning"),
        ("tools/x/main.go", "SG101", "info"),
    ]
    assert p.returncode == 0  # fail-on error, nothing at error after the override


def test_defaults_enable_all_stable_rules():
    cfg = config.Config()
    assert "SG101" in cfg.enabled_rule_ids() and cfg.fail_on == Severity.WARNING


def test_rule_options_are_type_checked():
    from steadygo import registry
    from steadygo.registry import RuleMeta, RuleOption

    rule = registry.lookup("SG101")
    original = rule.meta
    rule.meta = RuleMeta(**{**original.__dict__, "options": (RuleOption("limit", int, 3, "a limit"),)})
    try:
        cfg = config.from_dict({"rules": {"SG101": {"limit": 7}}}, "x.toml")
        assert cfg.rule_options == {"server-without-any-timeout": {"limit": 7}}
        with pytest.raises(UserError, match=r"x.toml: rules.SG101.limit: expected int"):
            config.from_dict({"rules": {"SG101": {"limit": "7"}}}, "x.toml")
    finally:
        rule.meta = original


def test_missing_config_file_given_explicitly(tmp_path):
    p = run_cli("check", str(tmp_path), "--config", str(tmp_path / "nope.toml"))
    assert p.returncode == 2 and "config file not found" in p.stderr and os.path.basename("nope.toml") in p.stderr


def test_rule_option_changes_behaviour(tmp_path):
    src = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe("localhost:6060", nil) }\n'
    write(tmp_path / "main.go", src)
    base = ["check", ".", "--no-cache", "--format", "json", "--select", "SG101"]
    assert json_report(run_cli(*base, cwd=tmp_path))["findings"] == []
    write(tmp_path / ".steadygo.toml", "[rules.server-without-any-timeout]\nignore-loopback-listeners = false\n")
    assert [f["line"] for f in json_report(run_cli(*base, cwd=tmp_path))["findings"]] == [5]
