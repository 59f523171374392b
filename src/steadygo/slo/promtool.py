"""Run the real ``promtool`` on generated rules.  Our own checks cover the
spec's shape; promtool is the authority on PromQL (regex syntax, matchers
that match nothing), and its verdict is reported against the SLO it came from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from steadygo.errors import UserError
from steadygo.slo import rules
from steadygo.slo.spec import Spec

TIMEOUT_S = 60
_GROUP = re.compile(r'group "((?:[^"\\]|\\.)*)", (?:rule \d+, )?(?:"(?:[^"\\]|\\.)*": )?')


@dataclass(frozen=True)
class Result:
    ok: bool
    output: str


def find() -> str | None:
    return shutil.which("promtool")


def check_rules_text(text: str, promtool: str) -> Result:
    """``promtool check rules`` on ``text`` via a private temp file."""
    fd, tmp = tempfile.mkstemp(prefix="steadygo-slo-", suffix=".rules.yml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            proc = subprocess.run(
                [promtool, "check", "rules", tmp],
                capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"promtool check rules did not finish within {TIMEOUT_S}s") from None
        except OSError as exc:
            raise UserError(f"cannot run promtool: {exc}") from None
        return Result(proc.returncode == 0, (proc.stdout + proc.stderr).replace(tmp, "<rules>"))
    finally:
        os.unlink(tmp)


def first_problem(output: str) -> str:
    """The first meaningful error line promtool printed."""
    for line in output.splitlines():
        line = line.strip()
        if line and not line.startswith(("Checking ", "FAILED", "SUCCESS")):
            return line.removeprefix("<rules>: ").strip()
    return output.strip() or "promtool failed without a message"


def validate(spec: Spec | list[Spec], spec_path: str, text: str, promtool: str) -> None:
    """Raise a one-line ``UserError`` naming the SLO (and its file) when promtool rejects ``text``."""
    result = check_rules_text(text, promtool)
    if result.ok:
        return
    problem = first_problem(result.output)
    m = _GROUP.search(problem)
    if m:
        for s in spec if isinstance(spec, list) else [spec]:
            for i, slo in enumerate(s.slos):
                if rules.group_name(s, slo) == m.group(1):
                    detail = problem[m.end():]
                    raise UserError(
                        f"{slo.path or spec_path}:{slo.line}: slos[{i}] {slo.name}: promtool rejects the generated rules: {detail}"
                    )
    raise UserError(f"{spec_path}: promtool rejects the generated rules: {problem}")


TEST_TIMEOUT_S = 1800  # days of one-minute evaluations per scenario


def test_rules(files: dict[str, str], test_name: str, promtool: str) -> Result:
    """``promtool test rules`` on ``files`` (name -> text) written to a
    private temp directory, so rule_files resolve beside the test file."""
    with tempfile.TemporaryDirectory(prefix="steadygo-slo-test-") as tmp:
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        try:
            proc = subprocess.run(
                [promtool, "test", "rules", test_name],
                cwd=tmp, capture_output=True, text=True, timeout=TEST_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            raise UserError(f"promtool test rules did not finish within {TEST_TIMEOUT_S}s") from None
        except OSError as exc:
            raise UserError(f"cannot run promtool: {exc}") from None
        return Result(proc.returncode == 0, proc.stdout + proc.stderr)
