"""Shared helpers for the SLO tests: the real tools, and the CLI in-process."""

from __future__ import annotations

import os
import shutil

import pytest

from steadygo import cli


def require_tool(name: str) -> str:
    """Path of ``name``.  Absent locally: skip loudly.  Absent in CI: fail,
    because CI installs it from .ci/apt-packages.txt and a silent skip there
    would hide the only real validation these rules get."""
    path = shutil.which(name)
    if path:
        return path
    package = {"promtool": "prometheus", "prometheus": "prometheus", "amtool": "prometheus-alertmanager"}[name]
    if os.environ.get("CI"):
        pytest.fail(f"{name} not found in CI; is {package} in .ci/apt-packages.txt?")
    pytest.skip(f"SKIPPED LOUDLY: {name} not installed (apt-get install {package}); CI runs this test")


@pytest.fixture
def promtool() -> str:
    return require_tool("promtool")


@pytest.fixture
def amtool() -> str:
    return require_tool("amtool")


@pytest.fixture
def prometheus_bin() -> str:
    return require_tool("prometheus")


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """Run ``steadygo ARGS`` through cli.main (so UserError handling is the
    real one) and return (exit code, stdout, stderr).  Only the slo command is
    registered: other commands land on main from other branches."""
    monkeypatch.setattr(cli, "COMMANDS", {"slo": "slo"})

    def run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
