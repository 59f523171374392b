"""The pre-commit hooks and the documented CI commands name real options."""

from __future__ import annotations

import os
import re
import shlex

import yaml

from steadygo import cli

from conftest import ROOT


def _parses(command: str) -> None:
    argv = shlex.split(command.replace("${{ github.base_ref }}", "main"))
    assert argv[0] == "steadygo", command
    args = cli.build_parser().parse_args(argv[1:])  # SystemExit on an unknown option
    assert getattr(args, "_run", None), command


def test_pre_commit_hooks():
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = yaml.safe_load(fh)
    assert [h["id"] for h in hooks] == ["steadygo", "steadygo-changed", "steadygo-ledger"]
    for h in hooks:
        assert h["language"] == "python" and h["pass_filenames"] is False and h["types"] == ["go"]
        _parses(h["entry"])


def test_ci_doc_workflow_and_commands():
    with open(os.path.join(ROOT, "docs", "ci.md"), encoding="utf-8") as fh:
        text = fh.read()
    assert "\n## README section\n" in text and text.index("## README section") > len(text) // 2
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = yaml.safe_load(blocks[0])
    steps = workflow["jobs"]["steadygo"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "steadygo.sarif" and upload["if"] == "always()"
    assert workflow["permissions"]["security-events"] == "write"
    commands = []
    for block in re.findall(r"```(?:sh|yaml)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            m = re.search(r"(?:run: |^)(steadygo .*?)(?:\s+(?:#|&&).*)?$", line.strip())
            if m:
                commands.append(m.group(1))
    assert len(commands) >= 8
    for c in commands:
        _parses(c)
