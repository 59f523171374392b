"""No report ever carries a credential: the redactor masks the shapes SG640
and SG503 deal with, and the findings of the credential fixtures contain
none of the secret values, in any field."""

from __future__ import annotations

import json
import os

from steadygo.config import Config
from steadygo.engine import scan
from steadygo.redact import MASK, redact

from conftest import FIXTURES

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
