"""Rule doc pages shipped inside the package (docs/rules/<ID>.md)."""

from __future__ import annotations

from importlib import resources

REQUIRED_HEADINGS = (
    "## What it does",
    "## Why it breaks in production",
    "## Example",
    "## Use instead",
    "## Known limits",
    "## References",
)
DOCS_URL = "https://github.com/steadygo/steadygo/blob/main/docs/rules/{id}.md"


def page(rule_id: str) -> str | None:
    try:
        return (resources.files("steadygo") / "docs" / "rules" / f"{rule_id}.md").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None


def section(text: str, heading: str) -> str:
    """Body of one '## heading' section of a page."""
    lines = text.splitlines()
    out, inside = [], False
    for line in lines:
        if line.startswith("## "):
            if inside:
                break
            inside = line.strip() == heading
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


def page_ids() -> list[str]:
    folder = resources.files("steadygo") / "docs" / "rules"
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".md"))
