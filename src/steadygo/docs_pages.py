"""Rule doc pages shipped inside the package (docs/rules/<ID>.md).

Reports embed these pages (SARIF ``help``, the HTML report's rule panel)
rather than linking to a hosted copy: steadygo has no public documentation
site, and a link to a place that does not exist is worse than none.  A team
that hosts the pages sets ``docs-url`` (a template with ``{id}``) and the
reports link there too."""

from __future__ import annotations

import functools
import re
from importlib import resources
from urllib.parse import quote

REQUIRED_HEADINGS = (
    "## What it does",
    "## Why it breaks in production",
    "## Example",
    "## Use instead",
    "## Known limits",
    "## References",
)
_RULE_ID = re.compile(r"[A-Z]{2}[0-9]{3}")
# Characters a configured URL may keep as they are (RFC 3986 reserved and
# unreserved, plus '%' for escapes already in it); anything else, quotes,
# parentheses and spaces included, is percent-encoded so it cannot end an
# attribute or a Markdown link.
_URL_SAFE = ":/?#[]@!$&'*+,;=%-._~"


def rule_url(config, rule_id: str) -> str | None:
    """Where the team hosts ``rule_id``'s page, from the ``docs-url`` setting,
    or None when it is not set (or is not an http(s) URL, or the rule has no
    page): reports then carry the page itself and no link."""
    template = getattr(config, "docs_url", None)
    if not template or not isinstance(template, str) or page(rule_id) is None:
        return None
    url = quote(template.replace("{id}", rule_id), safe=_URL_SAFE)
    if not url.lower().startswith(("https://", "http://")):
        return None
    return url


@functools.lru_cache(maxsize=512)
def page(rule_id: str) -> str | None:
    # Rule ids also come from runtime evidence files: only a plain id can
    # name a page (no path separators, no '..').
    if not _RULE_ID.fullmatch(rule_id):
        return None
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
