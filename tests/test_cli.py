"""The command line as a user meets it: commands, formats, exit codes."""

import json
import os

import pytest

from steadygo import __version__, registry

from helpers import ROOT, json_report, run_cli, write

EXAMPLE = os.path.join(ROOT, "examples", "orders-service")

SERVER_BAD = """package main

import "net/http"

func main() {
	http.ListenAndServe(":8080", nil)
}
"""


def test_version():
    p = run_cli("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"steadygo {__version__}"


def test_no_command_is_usage_error():
    assert run_cli().returncode == 2


def test_help_lists_every_command_and_subcommand_help_works():
    from steadygo.cli import COMMANDS

    top = run_cli("--help")
    assert top.returncode == 0
    for name in COMMANDS:
        assert name in top.stdout
        sub = run_cli(name, "--help")
        assert sub.returncode == 0 and f"steadygo {name}" in sub.stdout


def test_a_command_imports_only_its_own_module():
    # start-up time is paid on every CI call: `check` must not load the heap
    # profile, SLO or goroutine-dump machinery
    import subprocess
    import sys

    code = ("import sys; from steadygo.cli import main; main(['rules', '--format', 'json']); "
            "print(sorted(m for m in sys.modules if m.startswith('steadygo.commands.')), file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "['steadygo.commands.rules']"


def test_unknown_command_is_usage_error():
    p = run_cli("frobnicate")
    assert p.returncode == 2 and "invalid choice" in p.stderr


def test_rules_table_lists_every_rule():
    p = run_cli("rules")
    assert p.returncode == 0
    for r in registry.all_rules():
        assert r.meta.id in p.stdout and r.meta.name in p.stdout


def test_rules_table_fits_the_terminal():
    import os
    import subprocess
    import sys

    narrow = subprocess.run([sys.executable, "-m", "steadygo", "rules"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "80"}, timeout=60)
    assert narrow.returncode == 0
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert "SG827" in narrow.stdout and "preview" in narrow.stdout
    wide = subprocess.run([sys.executable, "-m", "steadygo", "rules"], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "150"}, timeout=60)
    assert "breakpoint" in wide.stdout.splitlines()[0] and "breakpoint" not in narrow.stdout.splitlines()[0]


def test_rules_json():
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert [d["id"] for d in data] == [r.meta.id for r in registry.all_rules()]
    sg101 = next(d for d in data if d["id"] == "SG101")
    assert sg101 == {**sg101, "name": "server-without-any-timeout", "layer": "code", "severity": "error"}


def test_explain_by_id_and_name():
    by_id = run_cli("explain", "SG101")
    by_name = run_cli("explain", "server-without-any-timeout")
    assert by_id.returncode == 0 and by_id.stdout == by_name.stdout
    assert "## Why it breaks in production" in by_id.stdout


def test_explain_unknown_rule():
    p = run_cli("explain", "SG999x")
    assert p.returncode == 2 and p.stderr.strip() == "steadygo: error: unknown rule 'SG999x'; 'steadygo rules' lists them"


def test_example_service_findings_and_exit_code():
    p = run_cli("check", EXAMPLE, "--format", "json", "--no-cache", "--preview", "--select", "SG1")
    assert p.returncode == 1
    got = {(f["path"].split("orders-service/")[1], f["line"], f["rule_id"]) for f in json_report(p)["findings"]}
    assert got == {
        ("cmd/orders/main.go", 35, "SG101"),
        ("cmd/orders/main.go", 37, "SG102"),
        ("cmd/orders/main.go", 37, "SG104"),
        ("cmd/orders/main.go", 48, "SG105"),
        ("cmd/orders/main.go", 48, "SG106"),  # http.Get in a handler never carries r.Context()
        ("internal/upstream/pricing.go", 19, "SG105"),
        ("internal/upstream/pricing.go", 20, "SG107"),
        ("internal/upstream/pricing.go", 26, "SG106"),
    }


def test_text_report_shape(tmp_path):
    write(tmp_path / "main.go", SERVER_BAD)
    p = run_cli("check", str(tmp_path), "--no-cache", "--isolated", "--preview", "--select", "SG1,SG0", cwd=tmp_path)
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert lines[0] == "main.go"
    # The path is the header's: not repeated on each finding line under it.
    assert lines[1].startswith("  6:2: SG101 error http.ListenAndServe runs a server with no timeouts at all")
    assert lines[2] == '        6 | http.ListenAndServe(":8080", nil)'
    assert "1 finding (1 error, 0 warning, 0 info; by layer: code 1) in 1 files" in p.stdout
    assert "\x1b[" not in p.stdout  # no colour when not a terminal


def test_fail_on_and_exit_zero(tmp_path):
    write(tmp_path / "main.go", SERVER_BAD.replace("http.ListenAndServe(\":8080\", nil)", "var t = &http.Transport{TLSHandshakeTimeout: 1, DialContext: nil, MaxIdleConnsPerHost: 1}\n\t_ = t"))
    # only SG107 (warning) fires: DialContext nil literal is not a dial timeout
    base = ["check", str(tmp_path), "--no-cache", "--isolated", "--preview", "--format", "json"]
    p = run_cli(*base)
    assert [f["rule_id"] for f in json_report(p)["findings"]] == ["SG107"]
    assert p.returncode == 1
    assert run_cli(*base, "--fail-on", "error").returncode == 0
    assert run_cli(*base, "--exit-zero").returncode == 0


def test_output_file_written_and_text_on_stdout(tmp_path):
    write(tmp_path / "main.go", SERVER_BAD)
    out = tmp_path / "report.json"
    p = run_cli("check", str(tmp_path), "--no-cache", "--isolated", "--preview", "--select", "SG1,SG0", "--format", "text,json",
                "-o", str(out))
    assert "SG101" in p.stdout
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == 1 and doc["exit_code"] == 1
    assert [f["rule_id"] for f in doc["findings"]] == ["SG101"]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".steadygo-")]  # no temp file left


def test_unwritable_output_is_one_line_error(tmp_path):
    write(tmp_path / "main.go", SERVER_BAD)
    p = run_cli("check", str(tmp_path), "--no-cache", "--isolated", "--format", "json", "-o", str(tmp_path / "no" / "such" / "dir" / "r.json"))
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "cannot write report" in p.stderr


def test_unknown_format_and_selector():
    assert run_cli("check", EXAMPLE, "--format", "yaml").returncode == 2
    p = run_cli("check", EXAMPLE, "--select", "SG1,bogus-rule")
    assert p.returncode == 2 and "unknown rule 'bogus-rule'" in p.stderr


def test_select_by_name_and_ignore(tmp_path):
    # the response is closed so the resource rules (SG3xx) stay quiet
    write(tmp_path / "main.go", SERVER_BAD + "\nfunc get() { if resp, err := http.Get(\"http://x\"); err == nil { resp.Body.Close() } }\n")
    # SG101 and SG105 are preview rules (precision on real services): --preview
    base = ["check", str(tmp_path), "--no-cache", "--isolated", "--preview", "--format", "json", "--ignore", "SG2,SG4,SG5,SG6"]
    ids = lambda p: sorted(f["rule_id"] for f in json_report(p)["findings"])  # noqa: E731
    assert ids(run_cli(*base)) == ["SG101", "SG105"]
    assert ids(run_cli(*base, "--select", "http-client-without-timeout")) == ["SG105"]
    assert ids(run_cli(*base, "--ignore", "SG10,SG5,SG6")) == []


# --- options resolved once (issue #19) and option values that used to crash (issue #20) ---


def test_scan_commands_receive_the_resolved_config():
    from steadygo.cli import build_parser

    for argv in (["check", "."], ["baseline", "create"], ["facts"]):
        args = build_parser(argv[0]).parse_args(argv)
        assert getattr(args, "_wants_config", False), argv
    for argv in (["rules"], ["explain", "SG101"], ["ledger"], ["baseline"]):
        assert not getattr(build_parser(argv[0]).parse_args(argv), "_wants_config", False), argv


def test_no_command_reaches_into_config_privates():
    import ast

    commands = os.path.join(ROOT, "src", "steadygo", "commands")
    for name in sorted(os.listdir(commands)):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(commands, name)).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "steadygo.config":
                assert not [a.name for a in node.names if a.name.startswith("_")], name
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("config", "config_mod"):
                assert not node.attr.startswith("_"), f"{name}: {node.value.id}.{node.attr}"


def test_check_runs_in_process_from_a_config(tmp_path, capsys, monkeypatch):
    from steadygo import config
    from steadygo.commands import check

    write(tmp_path / "main.go", SERVER_BAD)
    monkeypatch.chdir(tmp_path)
    cfg = config.resolve({"paths": ["."], "isolated": True, "select": "SG101", "format": ["json"], "no_cache": True,
                          "jobs": 1})
    assert check.run(cfg) == 1
    assert [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["SG101"]
    cfg.exit_zero = True
    assert check.run(cfg) == 0


@pytest.mark.parametrize("extra,message", [
    (["--jobs", "0"], "--jobs: must be at least 1 (got 0)"),
    (["--jobs", "-4"], "--jobs: must be at least 1 (got -4)"),
    (["--docs-url", "https://docs.example.internal/rules"], "--docs-url: 'https://docs.example.internal/rules' has no {id}"),
    (["--docs-url", "https://docs.example.internal/{id}\r\nX: 1"], "--docs-url: "),
    (["--go", "1." + "9" * 5000], "--go: not a Go version: '1.999"),
    (["--select", "SG1,SG9999"], "--select: unknown rule 'SG9999'"),
    (["--ignore", "nope"], "--ignore: unknown rule 'nope'"),
    (["--extend-select", "SG88"], "--extend-select: unknown rule 'SG88'"),
    (["--format", "json=r.json", "--format", "sarif=r.json"], "--format: "),
])
def test_bad_option_values_are_one_line_usage_errors(tmp_path, extra, message):
    write(tmp_path / "main.go", SERVER_BAD)
    for command in (["check"], ["baseline", "create"]):
        if command == ["baseline", "create"] and extra[0] in ("--docs-url", "--format"):
            continue  # report options: check only
        p = run_cli(*command, str(tmp_path), "--no-cache", "--isolated", *extra, cwd=tmp_path)
        assert p.returncode == 2, (command, p.stderr)
        assert p.stderr.startswith("steadygo: error: " + message), p.stderr
        assert p.stderr.count("\n") == 1 and len(p.stderr) < 400


def test_many_jobs_are_clamped_not_spawned(tmp_path):
    # 200 packages so the scan really goes parallel; --jobs 10**9 must neither
    # crash nor try to start a billion workers
    for i in range(200):
        write(tmp_path / f"p{i}" / "main.go", SERVER_BAD.replace("package main", f"package p{i}"))
    p = run_cli("check", str(tmp_path), "--no-cache", "--isolated", "--select", "SG101", "--format", "json",
                "--jobs", str(10 ** 9), cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert len(json_report(p)["findings"]) == 200


def test_error_messages_cannot_drive_the_terminal(tmp_path):
    hostile = str(tmp_path / "\x1b]0;PWNED\x07\x1b[2Jx.toml")
    p = run_cli("check", str(tmp_path), "--config", hostile)
    assert p.returncode == 2 and p.stderr.count("\n") == 1
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jx.toml: config file not found" in p.stderr


def test_facts_read_the_config_like_check(tmp_path):
    write(tmp_path / "main.go", SERVER_BAD)
    write(tmp_path / "gen" / "main.go", SERVER_BAD.replace("8080", "9090"))
    write(tmp_path / ".steadygo.toml", 'exclude = ["gen"]\n')
    addrs = lambda p: sorted(x["addr"] for x in json.loads(p.stdout)["listeners"])  # noqa: E731
    assert addrs(run_cli("facts", ".", "--format", "json", cwd=tmp_path)) == [":8080"]
    assert addrs(run_cli("facts", ".", "--format", "json", "--isolated", cwd=tmp_path)) == [":8080", ":9090"]
    write(tmp_path / ".steadygo.toml", 'selekt = ["SG1"]\n')
    bad = run_cli("facts", ".", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip().endswith(".steadygo.toml: selekt: unknown key")
