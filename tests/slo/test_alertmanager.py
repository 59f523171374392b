"""The example Alertmanager config is valid and routes each tier where the
docs say it goes (checked by the real amtool)."""

from __future__ import annotations

import subprocess

import pytest

CONFIG = "examples/slo/alertmanager.yml"


def test_check_config(amtool):
    proc = subprocess.run([amtool, "check-config", CONFIG], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout
    assert " - 2 inhibit rules" in proc.stdout and " - 5 receivers" in proc.stdout


@pytest.mark.parametrize(
    "labels,receivers",
    [
        (["alertname=SLOErrorBudgetBurnL3", "slo_tier=L3", "severity=critical"], "phone-and-sms,remediation-hook"),
        (["alertname=SLOErrorBudgetBurnL2", "slo_tier=L2", "severity=error"], "incident-and-chat"),
        (["alertname=SLOErrorBudgetBurnL1", "slo_tier=L1", "severity=warning"], "oncall-mail-and-chat"),
        # A user label `tier` (sloth's examples set `tier: "2"`) does not steer the route.
        (["alertname=SLOErrorBudgetBurnL1", "slo_tier=L1", "severity=warning", "tier=2"], "oncall-mail-and-chat"),
        (["alertname=SomethingElse", "tier=L3"], "default-chat"),
        (["alertname=SomethingElse"], "default-chat"),
    ],
)
def test_routes(amtool, labels, receivers):
    proc = subprocess.run([amtool, "config", "routes", "test", f"--config.file={CONFIG}", *labels],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == receivers
