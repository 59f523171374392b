"""``GoModFacts`` of one go.mod, with the go.sum beside it.

go.sum has no meaning without its go.mod, so it is read here, when its go.mod
is, rather than discovered on its own: a scan of one go.mod still knows
whether its sums are there.
"""

from __future__ import annotations

import os

from steadygo.artifacts.facts import GoModFacts, GoReplaceFact, GoRequirementFact
from steadygo.artifacts.sources import UnreadableArtifact, read_artifact
from steadygo.golang import gomod


def extract(shown: str, text: str, real_path: str | None) -> tuple[GoModFacts, list[str] | None]:
    """Facts of a go.mod shown as ``shown``; ``real_path`` (None for text
    handed over directly) is where its go.sum is looked for.  Also returns
    the go.sum's lines (None when there is none) for snippets."""
    parsed = gomod.parse(text)
    facts = GoModFacts(
        path=shown, module=parsed.module, module_line=parsed.module_line,
        go_version=parsed.go, go_line=parsed.go_line,
        toolchain=parsed.toolchain, toolchain_line=parsed.toolchain_line,
        requires=[GoRequirementFact(r.path, r.version, r.line, r.indirect, r.pseudo) for r in parsed.requires],
        replaces=[GoReplaceFact(r.old_path, r.new_path, r.line, r.old_version, r.new_version, r.local)
                  for r in parsed.replaces])
    if real_path is None:
        return facts, None
    sum_file = os.path.join(os.path.dirname(real_path), "go.sum")
    facts.vendored = os.path.isfile(os.path.join(os.path.dirname(real_path), "vendor", "modules.txt"))
    facts.sum_path = shown[:-len("go.mod")] + "go.sum" if shown.endswith("go.mod") else sum_file
    if not os.path.isfile(sum_file):
        facts.sum_state, facts.sum_path = "missing", None
        return facts, None
    try:
        sums = read_artifact(sum_file)
    except UnreadableArtifact:
        facts.sum_state = "unreadable"
        return facts, None
    facts.sum_state = "present"
    facts.summed = sorted(summed_modules(sums))
    return facts, sums.splitlines()


def summed_modules(text: str) -> set[str]:
    """'path version' of each go.sum line ('path version[/go.mod] h1:...')."""
    out = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            version = parts[1].removesuffix("/go.mod")
            out.add(f"{parts[0]} {version}")
    return out
