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
    p = run_cli("check", "--preview", str(tmp_path), "--no-cache")
    assert p.returncode == 2
    assert p.stderr.startswith(f"steadygo: error: {cfg}: ")
    assert message in p.stderr
    assert p.stderr.count("\n") == 1


def test_closest_config_wins(tmp_path):
    write(tmp_path / ".steadygo.toml", 'ignore = ["SG105"]')
    write(tmp_path / "svc" / ".steadygo.toml", 'select = ["SG1"]\nignore = ["SG101"]')
    write(tmp_path / "svc" / "main.go", BAD_SERVER)
    p = run_cli("check", "--preview", str(tmp_path / "svc"), "--no-cache", "--format", "json")
    assert [f["rule_id"] for f in json_report(p)["findings"]] == ["SG105"]


def test_per_path_ignores_severity_and_exclude(tmp_path):
    write(tmp_path / ".steadygo.toml", """
select = ["SG1", "SG0"]
exclude = ["gen"]
fail-on = "error"
[per-path-ignores]
"cmd/**" = ["http-client-without-timeout"]
[severity]
SG101 = "info"
""")
    write(tmp_path / "main.go", BAD_SERVER)
    write(tmp_path / "cmd" / "x" / "main.go", BAD_SERVER)
    write(tmp_path / "gen" / "main.go", BAD_SERVER)
    p = run_cli("check", "--preview", ".", "--no-cache", "--format", "json", cwd=tmp_path)
    got = sorted((f["path"], f["rule_id"], f["severity"]) for f in json_report(p)["findings"])
    assert got == [
        ("cmd/x/main.go", "SG101", "info"),
        ("main.go", "SG101", "info"),
        ("main.go", "SG105", "warning"),
    ]
    assert p.returncode == 0  # fail-on error, nothing at error after the override


def test_defaults_enable_all_stable_rules():
    cfg = config.Config()
    ids = cfg.enabled_rule_ids()
    assert {"SG000", "SG001", "SG002", "SG901"} <= ids and cfg.fail_on == Severity.WARNING
    # preview (benchmarks/PRECISION-SERVICES.md): only with --preview
    assert "SG101" not in ids and "SG106" not in ids and "SG516" not in ids
    cfg.preview = True
    assert {"SG101", "SG106"} <= cfg.enabled_rule_ids()


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
    p = run_cli("check", "--preview", str(tmp_path), "--config", str(tmp_path / "nope.toml"))
    assert p.returncode == 2 and "config file not found" in p.stderr and os.path.basename("nope.toml") in p.stderr


def test_rule_option_changes_behaviour(tmp_path):
    src = 'package main\n\nimport "net/http"\n\nfunc main() { http.ListenAndServe("localhost:6060", nil) }\n'
    write(tmp_path / "main.go", src)
    base = ["check", ".", "--no-cache", "--format", "json", "--select", "SG101"]
    assert json_report(run_cli(*base, cwd=tmp_path))["findings"] == []
    write(tmp_path / ".steadygo.toml", "[rules.server-without-any-timeout]\nignore-loopback-listeners = false\n")
    assert [f["line"] for f in json_report(run_cli(*base, cwd=tmp_path))["findings"]] == [5]


def test_sg402_report_all_shows_uninspected_errors_at_info(tmp_path):
    src = ('package main\n\nimport "fmt"\n\nfunc load(read func() error) error {\n'
           '\tif err := read(); err != nil {\n\t\treturn fmt.Errorf("load: %v", err)\n\t}\n\treturn nil\n}\n')
    write(tmp_path / "main.go", src)
    base = ["check", ".", "--no-cache", "--format", "json", "--select", "SG402"]
    assert json_report(run_cli(*base, cwd=tmp_path))["findings"] == []  # nobody inspects load's error
    write(tmp_path / ".steadygo.toml", "[rules.error-wrapped-without-w]\nreport-all = true\n")
    assert [(f["line"], f["severity"]) for f in json_report(run_cli(*base, cwd=tmp_path))["findings"]] == [(7, "info")]


# --- hostile config files (issue #20 F6, F7, F8): one line naming the file, exit 2 ---


def _check_fails_on_config(tmp_path, content, message, *, binary=False):
    path = tmp_path / ".steadygo.toml"
    if binary:
        path.write_bytes(content)
    else:
        path.write_text(content)
    write(tmp_path / "main.go", BAD_SERVER)
    p = run_cli("check", "--preview", str(tmp_path), "--no-cache")
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith(f"steadygo: error: {path}: "), p.stderr
    assert message in p.stderr
    assert p.stderr.count("\n") == 1
    return p


@pytest.mark.parametrize("content", ["select = " + "[" * 5000, "a = " + "{x = " * 5000, "select = [" + "[" * 5000 + "]"])
def test_deeply_nested_config_is_one_line(tmp_path, content):
    _check_fails_on_config(tmp_path, content, "invalid TOML: arrays or tables nested too deeply")


@pytest.mark.parametrize("content,offset", [(b'select = ["\xff"]\n', 11), (b"\xfe\xff\x00s\x00e\x00l", 0)])
def test_config_that_is_not_utf8_is_one_line(tmp_path, content, offset):
    _check_fails_on_config(tmp_path, content, f"config is not UTF-8 text (byte 0x{content[offset]:02x} at offset {offset})",
                           binary=True)


@pytest.mark.parametrize("value", [1024 ** 3 + 1, 107374182400, 9223372036854775807, 10 ** 30])
def test_max_file_size_is_bounded(tmp_path, value):
    _check_fails_on_config(tmp_path, f"max-file-size = {value}", f"max-file-size: {value} is over the limit of 1073741824")


def test_max_file_size_limit_itself_is_accepted():
    assert config.from_dict({"max-file-size": 1024 ** 3}, "x.toml").max_file_size == 1024 ** 3
    with pytest.raises(UserError, match=r"^x.toml: max-file-size: .* over the limit"):
        config.from_dict({"max-file-size": 1024 ** 3 + 1}, "x.toml")


def test_utf8_bom_is_accepted(tmp_path):
    (tmp_path / ".steadygo.toml").write_bytes(b'\xef\xbb\xbfselect = ["SG105"]\n')
    write(tmp_path / "main.go", BAD_SERVER)
    p = run_cli("check", "--preview", str(tmp_path), "--no-cache", "--format", "json")
    assert [f["rule_id"] for f in json_report(p)["findings"]] == ["SG105"]


def test_config_over_one_mib_is_refused(tmp_path):
    _check_fails_on_config(tmp_path, "# padding\n" * 110_000, "a .steadygo.toml is at most 1 MiB")


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "directory"])
def test_config_that_is_not_a_regular_file_never_hangs(tmp_path, special):
    import subprocess
    import sys

    if special == "fifo":
        target = tmp_path / "cfg.toml"
        os.mkfifo(target)  # opening it for reading would block until a writer comes
    elif special == "directory":
        target = tmp_path / "cfg.d"
        target.mkdir()
    else:
        target = special
    write(tmp_path / "main.go", BAD_SERVER)
    p = subprocess.run([sys.executable, "-m", "steadygo", "check", str(tmp_path), "--config", str(target)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    reason = "is a directory" if special == "directory" else "not a regular file"
    assert p.stderr == f"steadygo: error: {target}: cannot read config: {reason}\n"


def test_control_characters_in_keys_are_escaped(tmp_path):
    p = _check_fails_on_config(tmp_path, '"\\u001b]0;PWNED\\u0007x" = 1\n', "unknown key")
    assert "\x1b" not in p.stderr and "\x07" not in p.stderr
    assert "\\x1b]0;PWNED\\x07x: unknown key" in p.stderr


@pytest.mark.parametrize("toml,message", [
    ("go = 1.20", 'go: expected a string such as "1.22"'),  # TOML reads it as 1.2
    ('go = "1.' + "9" * 5000 + '"', "go: not a Go version: '1.999"),
    ("fail-on = 3", "fail-on: expected info, warning or error"),
    ("[severity]\nSG101 = ['error']", "severity.SG101: expected info, warning or error"),
    ('select = "SG9999"', "select: unknown rule 'SG9999'"),
    ("select = 3", "select: expected a list of rule ids, names or prefixes"),
    ('[per-path-ignores]\n"gen/**" = ["nope"]', "per-path-ignores.gen/**: unknown rule 'nope'"),
    ("[rules.missing-health-endpoints]\nhealth-paths = [1]", "rules.missing-health-endpoints.health-paths: expected a list of strings"),
])
def test_more_invalid_values_name_file_and_key(tmp_path, toml, message):
    p = _check_fails_on_config(tmp_path, toml, message)
    assert len(p.stderr) < 400  # a 5,000-digit value is not echoed back


def test_numeric_rule_options_are_bounded():
    from steadygo import registry
    from steadygo.registry import RuleMeta, RuleOption

    rule = registry.lookup("SG101")
    original = rule.meta
    rule.meta = RuleMeta(**{**original.__dict__, "options": (RuleOption("limit", int, 3, "a limit"),
                                                              RuleOption("ratio", float, 0.5, "a ratio"))})
    try:
        assert config.from_dict({"rules": {"SG101": {"ratio": 2}}}, "x.toml").rule_options == {
            "server-without-any-timeout": {"ratio": 2.0}}
        for opts, message in [({"limit": 2 ** 63}, "limit: out of the 64-bit integer range"),
                              ({"ratio": 10 ** 400}, "ratio: expected a finite number"),
                              ({"ratio": float("inf")}, "ratio: expected a finite number"),
                              ({"ratio": float("nan")}, "ratio: expected a finite number")]:
            with pytest.raises(UserError, match=rf"^x.toml: rules.SG101.{message}$"):
                config.from_dict({"rules": {"SG101": opts}}, "x.toml")
    finally:
        rule.meta = original


def test_any_bytes_as_config_give_a_config_or_one_user_error(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    keys = st.sampled_from(sorted(config._TOP_KEYS) + ["rules.SG101", "severity", "x"])
    scalar = st.one_of(st.integers(), st.floats(), st.booleans(), st.text(max_size=20),
                       st.sampled_from(["SG1", "ALL", "info", "1.22", "https://x.example/{id}"]))
    value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                         max_leaves=8)
    d = tmp_path_factory.mktemp("fuzz")
    path = str(d / ".steadygo.toml")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.one_of(st.binary(max_size=200), st.dictionaries(keys, value, max_size=4)))
    def run(data):
        if isinstance(data, dict):
            try:
                config.from_dict(data, path)
            except UserError as exc:
                assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
            return
        with open(path, "wb") as fh:
            fh.write(data)
        try:
            config.load(path)
        except UserError as exc:
            assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)

    run()


# --- docs-url ---


def test_docs_url_from_file_and_flag(tmp_path):
    write(tmp_path / ".steadygo.toml", 'docs-url = "https://wiki.example.internal/steadygo/{id}.html"\n')
    from_file = config.resolve({"paths": [str(tmp_path)]})
    assert from_file.docs_url == "https://wiki.example.internal/steadygo/{id}.html"
    assert from_file.docs_link("SG101") == "https://wiki.example.internal/steadygo/SG101.html"
    flag = config.resolve({"paths": [str(tmp_path)], "docs_url": "http://docs.internal:8080/rules/{id}"})
    assert flag.docs_url == "http://docs.internal:8080/rules/{id}"  # the flag wins over the file
    assert config.resolve({"paths": [str(tmp_path)], "isolated": True}).docs_url is None
    assert config.resolve({"paths": [str(tmp_path)], "docs_url": ""}).docs_url is None  # '' turns the file's off
    assert config.Config().docs_link("SG101") is None


@pytest.mark.parametrize("value,message", [
    ("https://docs.example.internal/steadygo", "has no {id} where the rule id goes"),
    ("ftp://docs.example.internal/{id}", "must be an http:// or https:// URL with a host"),
    ("https:///{id}", "must be an http:// or https:// URL with a host"),
    ("javascript:alert(1)//{id}", "must be an http:// or https:// URL with a host"),
    ("http://[::1/{id}", "is not a valid URL"),
    ("https://docs.example.internal:99999/{id}", "is not a valid URL"),
    ("https://docs.example.internal/{id}\r\nX-Evil: 1", "contains spaces or control characters"),
    ("https://docs.example.internal/{id}.html?x={0}", "only {id} may appear in braces"),
    ("https://admin:secret@docs.example.internal/{id}", "must not carry a user name or password"),
    ("https://docs.example.internal/" + "a" * 3000 + "{id}", "longer than 2048 characters"),
])
def test_invalid_docs_url_from_flag_and_file(tmp_path, value, message):
    with pytest.raises(UserError) as flag:
        config.resolve({"paths": [str(tmp_path)], "isolated": True, "docs_url": value})
    assert str(flag.value).startswith("--docs-url: ") and message in str(flag.value)
    assert "\n" not in str(flag.value) and len(str(flag.value)) < 400
    with pytest.raises(UserError) as key:
        config.from_dict({"docs-url": value}, "x.toml")
    assert str(key.value).startswith("x.toml: docs-url: ") and message in str(key.value)
    if "secret" in value:
        assert "secret" not in str(flag.value)  # the password is not echoed back


def test_docs_url_must_be_a_string():
    with pytest.raises(UserError, match=r"^x.toml: docs-url: expected a URL template such as https://"):
        config.from_dict({"docs-url": 3}, "x.toml")


# --- resolve: flags over the file, in one place ---


def test_selector_messages_for_flag_and_key_without_string_surgery():
    with pytest.raises(UserError, match=r"^--select: unknown rule 'SG9999'$"):
        config.parse_selectors("SG1,SG9999", "--select")
    with pytest.raises(UserError, match=r"^p.toml: select: unknown rule 'SG9999'$"):
        config.parse_selectors(["SG1", "SG9999"], "p.toml: select")
    assert config.parse_selectors(" SG1 , server-without-any-timeout ,", "--select") == ["SG1", "server-without-any-timeout"]


def test_flags_over_file(tmp_path):
    write(tmp_path / ".steadygo.toml", 'select = ["SG1"]\nignore = ["SG104"]\nextend-select = ["SG2"]\nfail-on = "error"\n'
                                       'include-tests = false\ngo = "1.21"\n')
    file_only = config.resolve({"paths": [str(tmp_path)]})
    assert (file_only.select, file_only.ignore, file_only.extend_select) == (["SG1"], ["SG104"], ["SG2"])
    assert file_only.fail_on == Severity.ERROR and file_only.go_version == (1, 21) and file_only.path.endswith(".steadygo.toml")
    cfg = config.resolve({"paths": [str(tmp_path)], "select": "SG3", "ignore": "SG301", "extend_select": "SG5",
                          "fail_on": "info", "include_tests": True, "go": "1.23", "preview": True})
    assert cfg.select == ["SG3"]  # replaces
    assert cfg.ignore == ["SG104", "SG301"] and cfg.extend_select == ["SG2", "SG5"]  # add to the file's
    assert cfg.fail_on == Severity.INFO and cfg.include_tests and cfg.preview and cfg.go_version == (1, 23)
    explicit = config.resolve({"paths": ["."], "config": str(tmp_path / ".steadygo.toml")})
    assert explicit.select == ["SG1"]
    assert config.resolve({"paths": [str(tmp_path)], "isolated": True}).select == ["ALL"]
    # an empty selector list on the command line is the flag not given, as before
    assert config.resolve({"paths": [str(tmp_path)], "select": ","}).select == ["SG1"]


def test_run_options_resolved(tmp_path):
    cfg = config.resolve({"paths": [str(tmp_path), "b"], "isolated": True, "format": ["text,json", "sarif=r.sarif"],
                          "output": "r.json", "exit_zero": True, "baseline": "bl.json", "new_from_rev": "HEAD~1",
                          "runtime": ["g.json"], "no_suppressions": True, "show_suppressed": True, "no_cache": True,
                          "jobs": 1, "no_progress": True})
    assert cfg.paths == [str(tmp_path), "b"]
    assert cfg.formats == [("text", None), ("json", "r.json"), ("sarif", "r.sarif")]
    assert (cfg.exit_zero, cfg.baseline_file, cfg.new_from_rev, cfg.runtime_files) == (True, "bl.json", "HEAD~1", ["g.json"])
    assert (cfg.no_suppressions, cfg.show_suppressed, cfg.use_cache, cfg.jobs, cfg.progress) == (True, True, False, 1, False)
    defaults = config.resolve({"paths": [str(tmp_path)], "isolated": True})
    assert defaults.formats == [("text", None)] and defaults.use_cache and defaults.progress and defaults.jobs is None
    alone = config.resolve({"paths": [str(tmp_path)], "isolated": True, "output": "r.txt"})
    assert alone.formats == [("text", "r.txt")]  # -o with only the text report writes the text report


def test_two_formats_cannot_share_a_file(tmp_path):
    with pytest.raises(UserError, match=r"^--format: .*r.out is the target of more than one format$"):
        config.resolve({"paths": [str(tmp_path)], "isolated": True, "format": ["json=r.out", "sarif"], "output": "r.out"})


def test_jobs_are_at_least_one_and_clamped(tmp_path):
    base = {"paths": [str(tmp_path)], "isolated": True}
    for bad in (0, -1, -(10 ** 30)):
        with pytest.raises(UserError, match=rf"^--jobs: must be at least 1 \(got {bad}\)$"):
            config.resolve({**base, "jobs": bad})
    assert config.resolve({**base, "jobs": 10 ** 30}).jobs == config.max_jobs() == 4 * (os.cpu_count() or 1)
    assert config.resolve({**base, "jobs": 2}).jobs == min(2, config.max_jobs())


def test_resolve_refuses_an_option_it_does_not_know(tmp_path):
    # an option a command adds must be merged here, not silently dropped
    with pytest.raises(TypeError, match="selct"):
        config.resolve({"paths": [str(tmp_path)], "selct": "SG1"})
    # argparse bookkeeping (_run, _command) is skipped
    assert config.resolve({"paths": [str(tmp_path)], "isolated": True, "_run": print}).select == ["ALL"]


def test_readme_config_example_is_a_valid_config(tmp_path):
    import re

    from helpers import ROOT

    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme.split("## Configuration: `.steadygo.toml`", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    path = write(tmp_path / ".steadygo.toml", example)
    cfg = config.load(str(path))
    assert cfg.docs_url == "https://wiki.example.internal/steadygo/{id}.html" and cfg.go_version == (1, 22)
