"""``check --runtime`` on what ``steadygo goroutines --format json`` writes
today, end to end, once the goroutines command is part of the build."""

from __future__ import annotations

import importlib.util
import json
import os
import re

import pytest

from steadygo import cli

from conftest import FIXTURES
from reportutil import SERVICE

DUMPS = os.path.join(FIXTURES, "dumps")
BEFORE = os.path.join(DUMPS, "leaky-t0.debug2.txt")
AFTER = os.path.join(DUMPS, "leaky-t1.debug2.txt")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("steadygo.commands.goroutines") is None or not os.path.exists(AFTER),
    reason="the goroutines command and its dump fixtures are not in this build")


def test_goroutines_json_feeds_the_html_report(tmp_path, monkeypatch, capsys):
    evidence = tmp_path / "goroutines.json"
    cli.main(["goroutines", BEFORE, AFTER, "--format", "json", "-o", str(evidence)])
    capsys.readouterr()
    monkeypatch.chdir(SERVICE)
    out = tmp_path / "r.html"
    code = cli.main(["check", "--no-cache", "--isolated", "--runtime", str(evidence), "--format", f"json,html={out}"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert any(f["layer"] == "runtime" for f in doc["findings"])
    page = out.read_text(encoding="utf-8")
    assert "Largest goroutine buckets" in page and "Growth between dumps" in page
    assert len(re.findall(r'<rect class="bar-(?:user|rt)"', page)) > 0
