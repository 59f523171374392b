"""Helpers for report tests: run the CLI in a fixture tree, normalise the
fields that change from run to run, compare with tests/golden/."""

from __future__ import annotations

import os
import re

from steadygo import __version__

from conftest import FIXTURES, ROOT

SERVICE = os.path.join(FIXTURES, "reports", "service")
# Real evidence: written by the runtime work's `steadygo goroutines
# leaky-t0.debug2.txt leaky-t1.debug2.txt --format json` on dumps of a leaking
# Go program, with the absolute paths made relative.
RUNTIME_JSON = os.path.join(FIXTURES, "reports", "goroutines.json")
GOLDEN = os.path.join(ROOT, "tests", "golden")


def normalise(text: str, base: str) -> str:
    text = text.replace(__version__, "<VERSION>")
    text = text.replace("file://" + base.rstrip("/") + "/", "file://<BASE>/")
    text = text.replace(base, "<BASE>")
    text = re.sub(r'"seconds": [0-9.]+', '"seconds": 0', text)
    text = re.sub(r'time="[0-9.]+"', 'time="0"', text)
    text = re.sub(r"\b\d+\.\d\ds\b", "0.00s", text)
    # the HTML's audit line: revision, date and command line change from run to run
    text = re.sub(r'<dd class="audit-(revision|date|command)">[^<]*</dd>', r'<dd class="audit-\1">*</dd>', text)
    return text


def check_golden(name: str, text: str) -> None:
    path = os.path.join(GOLDEN, name)
    if os.environ.get("STEADYGO_UPDATE_GOLDEN") == "1" or not os.path.exists(path):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if os.environ.get("STEADYGO_UPDATE_GOLDEN") != "1":
            raise AssertionError(f"golden file {name} did not exist; written now, check it and re-run")
        return
    with open(path, encoding="utf-8", newline="") as fh:
        want = fh.read()
    assert text == want, f"{name} differs from its golden file (STEADYGO_UPDATE_GOLDEN=1 to accept)"
