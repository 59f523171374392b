"""Every SG9xx rule is registered once and has a doc page with the team's
headings; every SG9xx page belongs to a rule."""

from __future__ import annotations

from pathlib import Path

import steadygo
from steadygo import registry
from steadygo.findings import Layer
from steadygo.runtime import rules

DOCS = Path(steadygo.__file__).parent / "docs" / "rules"
HEADINGS = ["## What it does", "## Why it breaks in production", "## Example", "## Use instead",
            "## Known limits", "## References"]


def test_runtime_rules_registered():
    ids = [r.meta.id for r in registry.all_rules()]
    for r in rules.RULES:
        assert ids.count(r.meta.id) == 1
        assert registry.lookup(r.meta.name) is r and registry.lookup(r.meta.id) is r
        assert r.meta.layer is Layer.RUNTIME and r.meta.id.startswith("SG9")


def test_every_rule_has_its_page():
    for r in rules.RULES:
        text = (DOCS / f"{r.meta.id}.md").read_text()
        lines = text.splitlines()
        assert lines[0] == f"# {r.meta.id}: {r.meta.name}"
        assert [ln for ln in lines if ln.startswith("## ")] == HEADINGS
        for i, h in enumerate(HEADINGS):
            start = text.index(h) + len(h)
            end = text.index(HEADINGS[i + 1]) if i + 1 < len(HEADINGS) else len(text)
            assert text[start:end].strip(), f"{r.meta.id}: empty section {h}"


def test_every_sg9_page_belongs_to_a_rule():
    ids = {r.meta.id for r in rules.RULES}
    assert {p.stem for p in DOCS.glob("SG9*.md")} == ids
