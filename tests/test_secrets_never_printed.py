"""No report ever carries a credential: the redactor masks the shapes SG640
and SG503 deal with, and the findings of the credential fixtures contain
none of the secret values, in any field."""

from __future__ import annotations

import html
import json
import os
import time

import pytest

from steadygo.config import Config
from steadygo.engine import scan
from steadygo.findings import Finding, Layer, Severity
from steadygo.redact import MASK, mask_credential_lines, redact

from conftest import FIXTURES
from helpers import run_cli

SECRETS = ["s3cr3t-signing-k3y-2024", "9f8a7b6c5d4e3f2a1b0c", "Pr0d-P@ssw0rd!", "hunter2hunter2", "Xk9#mQ2v", "T0pS3cret"]


def test_redact_mysql_dsn():
    out = redact('sql.Open("mysql", "billing:T0pS3cret@tcp(10.0.3.7:3306)/billing")')
    assert "T0pS3cret" not in out and MASK in out and "billing:" in out


def test_redact_jwt_and_creds_names():
    assert "abc123xyz" not in redact('jwtKey := "abc123xyz"')
    assert "abc123xyz" not in redact('creds = "abc123xyz"')
    assert "abc123xyz" not in redact('"bearer", "abc123xyz"')


def test_redact_keeps_ordinary_code():
    line = 'mux.HandleFunc("/readyz", ready) // want "SG612"'
    assert redact(line) == line


def test_credential_findings_carry_no_secret(tmp_path):
    d = os.path.join(FIXTURES, "go", "sg6_operability")
    paths = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.startswith("sg640_bad_")]
    result = scan(paths, Config(select=["SG640", "SG503"]), use_cache=False, jobs=1, base=d)
    assert len(result.findings) >= 6
    dumped = json.dumps([f.__dict__ for f in result.findings], default=str)
    for s in SECRETS:
        assert s not in dumped, s


# ---------------------------------------------------------------- issue 20 F23
# Each shape the hostile-input trial found printed raw: (source line, secret).
SHAPES = [
    ('u := "https://api.example.com/v1/items?api_key=Q7fK2pZ9xW"', "Q7fK2pZ9xW"),
    ('u := "https://api.example.com/v1/me?x=1&access_token=ya29A0bCdEfG"', "ya29A0bCdEfG"),
    ('body := "grant_type=client_credentials&client_secret=cS3cr3tV4lu3"', "cS3cr3tV4lu3"),
    ('admin := "https://admin:P@ss@db.internal.example.com/x"', "P@ss"),
    ('admin := "https://admin:wJal/rXUtnFEMI@s3.internal.example.com"', "wJal/rXUtnFEMI"),
    ('hook := "https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcdefghijklmnopqrstuvwx"', "abcdefghijklmnopqrstuvwx"),
    ('sql.Open("mysql", "billing:T0p/S3cr3t@tcp(10.0.3.7:3306)/billing")', "T0p/S3cr3t"),
    ('db.Connect(host) // password: hunt3rTw0Pass', "hunt3rTw0Pass"),
]


@pytest.mark.parametrize("line,secret", SHAPES)
def test_redact_masks_each_shape(line, secret):
    out = redact(line)
    assert secret not in out and MASK in out, out


def test_redact_keeps_ports_and_plain_urls():
    for line in ('u := "https://example.com:8080/users/@me"', 'u := "http://[::1]:8080/x@y"',
                 'resp, err := http.Get("https://example.com/items?page=2")'):
        assert redact(line) == line


@pytest.mark.parametrize("line", ["//" * 20000, "a:" * 50000, "a-" * 50000, "http://" * 20000,
                                  "// " + "password" * 10000, "a://" * 30000])
def test_redact_is_linear_on_hostile_lines(line):
    start = time.perf_counter()
    redact(line)
    assert time.perf_counter() - start < 2.0  # each took 20 s to minutes with backtracking patterns


def test_mask_credential_lines_masks_every_finding_on_the_line():
    def f(rule, line, snippet):
        return Finding(rule, "x", Severity.WARNING, Layer.CODE, "a.go", line, 1, "m", snippet=snippet)

    secret_line = 'cfg := Config{Token: "opaque-Z9y8X7"} // tok'
    out = mask_credential_lines([f("SG640", 3, secret_line), f("SG101", 3, secret_line), f("SG101", 4, 'x("keep")')])
    assert [o.snippet for o in out] == ['cfg := Config{Token: "****"} // ****'] * 2 + ['x("keep")']


def _credential_module(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    body = "\n".join(f"\t{line}" for line, _ in SHAPES)
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"database/sql"\n\t"log"\n\t"net/http"\n)\n\n'
        "var db *sql.DB\n\nfunc shapes(host string) {\n"
        # a client-less unrecognised shape only SG640 sees, on one line with an SG503 log call
        '\tconst password = "opaque-Z9y8X7"; log.Printf("login %s", password)\n'
        + body + "\n\t_, _, _, _, _ = u, body, admin, hook, host\n}\n\n"
        'func main() {\n\thttp.Post("https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/abcdefghijklmnopqrstuvwx", "application/json", nil)\n'
        '\thttp.ListenAndServe(":8080", nil)\n}\n'
    )
    return str(tmp_path)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "html"])
def test_no_shape_reaches_a_report(tmp_path, fmt):
    root = _credential_module(tmp_path)
    # ALL leaves out preview rules: SG640 and SG503, the two that see these shapes, are named (both preview)
    proc = run_cli("check", "--no-cache", "--isolated", "--exit-zero", "--select", "ALL", "--extend-select", "SG503,SG640",
                   "--format", fmt, ".", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "main.go" in proc.stdout
    for _, secret in SHAPES + [("", "opaque-Z9y8X7")]:
        for form in (secret, html.escape(secret), json.dumps(secret)[1:-1]):
            assert form not in proc.stdout, (fmt, secret)


def test_facts_does_not_list_client_calls_as_routes(tmp_path):
    root = _credential_module(tmp_path)
    proc = run_cli("facts", "--format", "json", ".", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["routes"] == []
    assert "abcdefghijklmnopqrstuvwx" not in proc.stdout


def test_facts_still_lists_served_routes(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "net/http"\n\nfunc h(w http.ResponseWriter, r *http.Request) {}\n\n'
        'func main() {\n\thttp.HandleFunc("POST /items", h)\n\thttp.Handle("/healthz", http.HandlerFunc(h))\n'
        '\thttp.Get("https://example.com/x")\n\thttp.ListenAndServe(":8080", nil)\n}\n')
    proc = run_cli("facts", "--format", "json", ".", cwd=str(tmp_path))
    routes = [(r["method"], r["path"]) for r in json.loads(proc.stdout)["routes"]]
    assert routes == [("POST", "/items"), ("", "/healthz")]
