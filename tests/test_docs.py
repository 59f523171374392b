"""Every registered rule has a doc page with the required headings, and every
page belongs to a rule (ruff check_docs_formatted / sqlfluff style)."""

import pytest

from steadygo import docs_pages, registry

RULES = registry.all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_rule_has_complete_page(rule):
    text = docs_pages.page(rule.meta.id)
    assert text is not None, f"missing src/steadygo/docs/rules/{rule.meta.id}.md"
    first = text.splitlines()[0]
    assert first == f"# {rule.meta.id}: {rule.meta.name}", first
    headings = [line.strip() for line in text.splitlines() if line.startswith("## ")]
    expected = list(docs_pages.REQUIRED_HEADINGS)
    if rule.meta.options:  # rules with options document each of them
        expected.insert(expected.index("## Known limits"), "## Options")
        for opt in rule.meta.options:
            assert f"`{opt.name}`" in docs_pages.section(text, "## Options"), opt.name
    if rule.meta.fix:  # rules with a --fix say what it rewrites and when it does not
        expected.insert(expected.index("## Known limits"), "## Fix")
        assert "--fix" in docs_pages.section(text, "## Fix")
    assert headings == expected, headings
    for h in docs_pages.REQUIRED_HEADINGS:
        assert docs_pages.section(text, h), f"{rule.meta.id}: empty section {h}"


def test_every_page_belongs_to_a_rule():
    ids = {r.meta.id for r in RULES}
    orphans = [p for p in docs_pages.page_ids() if p not in ids]
    assert not orphans, orphans


def test_metadata_is_complete():
    for r in RULES:
        m = r.meta
        assert m.id[:2] == "SG" and len(m.id) == 5 and m.id[2:].isdigit(), m.id
        assert m.name == m.name.lower() and " " not in m.name and "_" not in m.name, m.name
        assert m.breakpoint and m.summary, m.id
        assert m.status in ("stable", "preview")
