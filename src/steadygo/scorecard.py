"""The breakpoint scorecard: for every breakpoint steadygo knows about, did
this run show it covered (checked and passing), failing, or not checked, and
if not checked, for want of what?

Everything is derived from the registry: a rule's id puts it in a breakpoint
family (SG1xx HTTP and timeouts ... SG9xx runtime evidence), its ``layer``
says which input it needs, and its ``breakpoint`` text names the breakpoint.
Rules sharing a breakpoint text within a family form one row.  "Not checked"
is the honest answer when the input was missing: a green card for a layer
nobody looked at would be worse than no card.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from steadygo import inventory, registry
from steadygo.fsutil import walk_files
from steadygo.findings import Layer

COVERED = "covered"
FAILING = "failing"
NOTHING = "nothing-to-check"  # the rule ran, but what it judges is not in the code (no HTTP server...)
NOT_CHECKED = "not-checked"

# Family prefix -> (title, the layer its rules normally belong to).  The layer
# here only places a family that has no registered rules yet.
FAMILIES: list[tuple[str, str, Layer]] = [
    ("SG1", "HTTP servers, clients and timeouts", Layer.CODE),
    ("SG2", "Context and goroutines", Layer.CODE),
    ("SG3", "Resources and memory", Layer.CODE),
    ("SG4", "Errors", Layer.CODE),
    ("SG5", "Observability", Layer.CODE),
    ("SG6", "Shutdown, health and runtime config", Layer.CODE),
    ("SG7", "Build", Layer.BUILD),
    ("SG8", "Deploy", Layer.DEPLOY),
    ("SG9", "Runtime evidence", Layer.RUNTIME),
]

_SKIP_DIRS = {".git", "vendor", "node_modules", ".hg", ".svn"}
_WALK_LIMIT = 20000  # files looked at when guessing build/deploy inputs


@dataclass
class RuleState:
    id: str
    name: str
    state: str
    reason: str = ""
    findings: int = 0
    accepted: int = 0  # suppressed inline or by the baseline
    # Active findings a live run confirmed / found no sign of (check --evidence).
    proved: int = 0
    contradicted: int = 0


@dataclass
class Row:
    breakpoint: str
    state: str
    rules: list[RuleState]
    reason: str = ""

    @property
    def live(self) -> str:
        """``proved`` when a live run confirmed one of the row's findings;
        ``contradicted`` when it only found no sign of them; else ''."""
        if any(r.proved for r in self.rules):
            return "proved"
        return "contradicted" if any(r.contradicted for r in self.rules) else ""


@dataclass
class Family:
    prefix: str
    title: str
    layer: Layer
    state: str
    rows: list[Row] = field(default_factory=list)
    reason: str = ""


@dataclass
class Inputs:
    go_files: int = 0
    build_files: int = 0
    manifests: int = 0
    runtime_rules: set[str] = field(default_factory=set)  # rule ids the runtime evidence covers
    runtime_docs: int = 0
    inventories: list = field(default_factory=list)  # inventory.ModuleInventory per module


def _is_build_file(name: str) -> bool:
    low = name.lower()
    return (low in ("dockerfile", "containerfile") or low.startswith("dockerfile.") or low.endswith(".dockerfile")
            or low in (".goreleaser.yml", ".goreleaser.yaml", "makefile"))


def _is_manifest(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return "apiVersion:" in head and "kind:" in head


def detect_inputs(roots: list[str], base: str) -> tuple[int, int]:
    """(build files, Kubernetes-style manifests) under the scanned roots.  Only
    used to say *why* a layer was not checked; the rules find their own input."""
    build = manifests = seen = 0
    for root in roots:
        path = os.path.join(base, root)
        if os.path.isfile(path):
            candidates = [(os.path.dirname(path), [os.path.basename(path)])]
        else:
            candidates = None
        walker = candidates or walk_files(path, lambda name: name in _SKIP_DIRS)
        for directory, files in walker:
            for name in files:
                seen += 1
                if _is_build_file(name):
                    build += 1
                elif name.endswith((".yaml", ".yml")) and _is_manifest(os.path.join(directory, name)):
                    manifests += 1
            if seen > _WALK_LIMIT:
                return build, manifests
    return build, manifests


def inputs_for(report) -> Inputs:
    """What a run (a ``RunReport``) had to look at."""
    from steadygo.report import evidence

    res = report.result
    build, manifests = detect_inputs(res.roots, report.base)
    covered: set[str] = set()
    for doc in report.runtime:
        covered |= evidence.checked_rules(doc)
    return Inputs(go_files=res.files, build_files=build, manifests=manifests,
                  runtime_rules=covered, runtime_docs=len(report.runtime), inventories=inventory.of_result(res))


def _missing_input(layer: Layer, inputs: Inputs) -> str:
    if layer is Layer.CODE and not inputs.go_files:
        return "no Go files were scanned"
    if layer is Layer.BUILD and not inputs.build_files:
        return "no Dockerfile or build files found"
    if layer is Layer.DEPLOY and not inputs.manifests:
        return "no Kubernetes manifests found"
    if layer is Layer.RUNTIME and not inputs.runtime_docs:
        return "no runtime evidence given (check --evidence FILE)"
    return ""


def _combine(states: list[str]) -> str:
    for state in (FAILING, COVERED, NOTHING):
        if state in states:
            return state
    return NOT_CHECKED


def build(result, config, inputs: Inputs) -> list[Family]:
    enabled = set(result.enabled_rules)
    active = Counter(f.rule_id for f in result.findings if f.suppressed is None)
    accepted = Counter(f.rule_id for f in result.findings if f.suppressed is not None)
    live = Counter((f.rule_id, f.live.verdict) for f in result.findings if f.suppressed is None and f.live is not None)
    by_family: dict[str, list] = {p: [] for p, _, _ in FAMILIES}
    for rule in registry.all_rules():
        prefix = rule.meta.id[:3]
        if prefix in by_family:  # SG0xx are the engine's own checks, not breakpoints
            by_family[prefix].append(rule)
    families = []
    for prefix, title, default_layer in FAMILIES:
        rules = by_family[prefix]
        layer = Counter(r.meta.layer for r in rules).most_common(1)[0][0] if rules else default_layer
        if not rules:
            families.append(Family(prefix, title, layer, NOT_CHECKED, reason="no rules for this family in this version"))
            continue
        rows: dict[str, list[RuleState]] = {}
        for r in rules:
            m = r.meta
            missing = _missing_input(m.layer, inputs)
            if m.layer is Layer.RUNTIME:
                ran = m.id in inputs.runtime_rules
                if not missing and not ran:
                    missing = "the runtime evidence given does not cover this rule"
            else:
                ran = m.id in enabled
            if missing:
                st = RuleState(m.id, m.name, NOT_CHECKED, missing)
            elif not ran:
                why = ("preview rule, not enabled (--preview)" if m.status == "preview" and not config.preview
                       else "not selected by the configuration")
                st = RuleState(m.id, m.name, NOT_CHECKED, why)
            elif active[m.id]:
                st = RuleState(m.id, m.name, FAILING)
            else:
                why, absent = inventory.subject_state(m.id, inputs.inventories)
                state = {"absent": NOTHING, "unmodelled": NOT_CHECKED}.get(why, COVERED)
                st = RuleState(m.id, m.name, state, absent)
            st.findings, st.accepted = active[m.id], accepted[m.id]
            st.proved, st.contradicted = live[(m.id, "proved")], live[(m.id, "contradicted")]
            rows.setdefault(m.breakpoint, []).append(st)
        row_list = []
        for text, states in rows.items():
            state = _combine([s.state for s in states])
            reasons = sorted({s.reason for s in states if s.reason})
            row_list.append(Row(text, state, states, "; ".join(reasons) if state in (NOT_CHECKED, NOTHING) else ""))
        fam_state = _combine([r.state for r in row_list])
        reason = ""
        if fam_state in (NOT_CHECKED, NOTHING):
            reason = "; ".join(sorted({r.reason for r in row_list if r.reason}))
        families.append(Family(prefix, title, layer, fam_state, row_list, reason))
    return families


def totals(families: list[Family]) -> Counter:
    return Counter(row.state for fam in families for row in fam.rows)
