"""Issue 20, SLO side: deep nesting (F6), numbers past Python's int limit,
and `slo generate` / `slo init` -o write errors (F13) are one-line errors."""

from __future__ import annotations

import os

import pytest

from runtime import hostile
from steadygo.errors import UserError
from steadygo.slo import spec

EXAMPLE = "examples/slo/order-service.yaml"


@pytest.mark.parametrize("text", ["[" * 10_000, "{" * 10_000, "- " * 5_000 + "x",
                                  "".join(" " * i + "a:\n" for i in range(3_000))])
def test_f6_deeply_nested_spec(run_cli, tmp_path, text):
    p = tmp_path / "spec.yaml"
    p.write_text(text)
    for sub in ("generate", "explain", "check"):
        code, out, err = run_cli("slo", sub, str(p))
        assert code == 2 and out == ""
        hostile.assert_one_line_error(err, str(p))


@pytest.mark.parametrize("field, value", [("objective", "9" * 5000), ("window", "9" * 5000 + "d"),
                                          ("window", '"' + "4" * 5000 + 'w"')])
def test_numbers_past_the_int_limit(tmp_path, field, value):
    text = open(EXAMPLE).read()
    old = {"objective": "objective: 99.9", "window": "window: 30d"}[field]
    assert old in text
    with pytest.raises(UserError) as exc:
        spec.loads(text.replace(old, f"{field}: {value}", 1), "s.yaml")
    assert str(exc.value).startswith("s.yaml") and "\n" not in str(exc.value)


def test_bom_spec_reads(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + open(EXAMPLE, "rb").read())
    assert spec.load(str(p)) == spec.load(EXAMPLE)


@pytest.mark.parametrize("fault", hostile.OUTPUT_FAULTS)
@pytest.mark.parametrize("argv", [("slo", "generate", EXAMPLE, "--no-promtool"), ("slo", "init", "--force")],
                         ids=["generate", "init"])
def test_f13_output_write_errors(run_cli, tmp_path, monkeypatch, argv, fault):
    out = hostile.output_fault(fault, tmp_path, monkeypatch)
    code, stdout, err = run_cli(*argv, "-o", out)
    monkeypatch.undo()
    assert code == 2 and stdout == ""
    hostile.assert_one_line_error(err, out, "cannot write")
    if fault == "a directory":
        assert os.path.isdir(out)
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".steadygo-")]
