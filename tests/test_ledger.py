"""The breakpoint ledger: markers, test references, --require-tests, formats."""

from __future__ import annotations

import json

import pytest

from steadygo import cli

from reportutil import check_golden


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "api").mkdir()
    (tmp_path / "vendor" / "x").mkdir(parents=True)
    (tmp_path / "api" / "server.go").write_text(
        "package api\n\n"
        "// BP-07: export goroutines pile up when clients disconnect\n"
        "func Export() {}\n\n"
        "func Cache() {} // BP-12: cache grows without bound \"quoted\" <b>\n"
    )
    (tmp_path / "api" / "pool.go").write_text("package api\n\n// BP-3: pool exhausted under retry storms\n")
    (tmp_path / "api" / "server_test.go").write_text(
        "package api\n\nimport \"testing\"\n\n"
        "// Covers BP-07.\n"
        "func TestExportStopsOnDisconnect(t *testing.T) {}\n\n"
        "func helper() {}\n\n"
        "func TestCache(t *testing.T) {\n\tt.Run(\"BP-12 bound\", func(t *testing.T) {})\n}\n"
        "// BP-120 is a different id\n"
    )
    (tmp_path / "vendor" / "x" / "x.go").write_text("package x\n// BP-99: vendored, not ours\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args):
    code = cli.main(["ledger", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_and_require_tests(tree, capsys):
    code, out, err = run(capsys)
    assert code == 0
    check_golden("ledger.txt", out)
    code, out, err = run(capsys, "--require-tests")
    assert code == 1 and err == "steadygo: 1 breakpoint without a test: BP-3\n"


def test_json(tree, capsys):
    code, out, _ = run(capsys, "--format", "json", "api")
    doc = json.loads(out)
    assert [(b["id"], b["tested"]) for b in doc["breakpoints"]] == [("BP-3", False), ("BP-07", True), ("BP-12", True)]
    bp7 = doc["breakpoints"][1]
    assert bp7["locations"] == [{"path": "api/server.go", "line": 3}]
    assert bp7["tests"] == [{"path": "api/server_test.go", "line": 5, "test": "TestExportStopsOnDisconnect"}]
    assert doc["breakpoints"][2]["tests"] == [{"path": "api/server_test.go", "line": 11, "test": "TestCache"}]


def test_mermaid(tree, capsys, tmp_path):
    code, out, _ = run(capsys, "--format", "mermaid", "-o", str(tmp_path / "ledger.mmd"))
    assert code == 0 and out == ""
    text = (tmp_path / "ledger.mmd").read_text()
    check_golden("ledger.mmd", text)
    assert '"quoted"' not in text and "<b>" not in text


def test_all_tested_passes_and_empty_tree(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--require-tests")
    assert code == 0 and out.startswith("no breakpoint markers found")
    code, _, err = run(capsys, "missing")
    assert code == 2 and err == "steadygo: error: missing: no such file or directory\n"


def test_output_cannot_be_written(tree, capsys):
    code, _, err = run(capsys, "-o", "no/such/dir/ledger.txt")
    assert code == 2 and err.startswith("steadygo: error: no/such/dir/ledger.txt: cannot write ledger"), err
    assert err.count("\n") == 1


def test_deep_tree_and_symlink_loop(tmp_path, capsys, monkeypatch):
    import os

    deep = tmp_path
    for i in range(200):
        deep = deep / f"d{i}"
    deep.mkdir(parents=True)
    (deep / "x.go").write_text("package x\n// BP-5: deep down\n")
    os.symlink(tmp_path, tmp_path / "d0" / "loop")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--format", "json")
    assert [b["id"] for b in json.loads(out)["breakpoints"]] == ["BP-5"]
