"""Rule metadata and the one explicit list of rules.

Every rule declares its metadata on itself (see ``steadygo.rulemeta``).  The list of
rules lives in ``all_rules()`` below and nowhere else: importing a family
module registers nothing by side effect.
"""

from __future__ import annotations

import functools
from typing import Iterable

# The metadata types live in a leaf module; re-exported for callers that
# import them from here.
from steadygo.rulemeta import EvidenceRule, Rule, RuleMeta, RuleOption  # noqa: F401


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    # The single list of rule families.  Add a family here, nowhere else.
    from steadygo.evidence.rules import sg9_runtime
    from steadygo.golang.rules import (
        sg0_engine,
        sg1_http,
        sg2_context,
        sg3_resources,
        sg4_errors,
        sg5_observability,
        sg6_operability,
    )
    from steadygo.artifacts.rules import sg7_build, sg8_deploy

    families: list[Iterable[Rule]] = [
        sg0_engine.RULES,
        sg1_http.RULES,
        sg2_context.RULES,
        sg3_resources.RULES,
        sg4_errors.RULES,
        sg5_observability.RULES,
        sg6_operability.RULES,
        sg7_build.RULES,
        sg8_deploy.RULES,
        sg9_runtime.RULES,
    ]
    # Listed in id order whatever the module layout, so tables read naturally.
    rules = tuple(sorted((r for fam in families for r in fam), key=lambda r: r.meta.id))
    _check_unique(rules)
    return rules


def _check_unique(rules: tuple[Rule, ...]) -> None:
    ids: set[str] = set()
    names: set[str] = set()
    for r in rules:
        if r.meta.id in ids or r.meta.name in names:
            raise RuntimeError(f"duplicate rule id or name: {r.meta.id} {r.meta.name}")
        ids.add(r.meta.id)
        names.add(r.meta.name)


# If a rule is ever renamed or renumbered, map the old spelling here so
# existing suppressions and configs keep working.
REDIRECTS: dict[str, str] = {}


@functools.cache
def _index() -> dict[str, Rule]:
    idx: dict[str, Rule] = {}
    for r in all_rules():
        idx[r.meta.id.upper()] = r
        idx[r.meta.name.lower()] = r
    return idx


def lookup(id_or_name: str) -> Rule | None:
    key = id_or_name.strip()
    key = REDIRECTS.get(key, key)
    return _index().get(key.upper()) or _index().get(key.lower())


def select_by_selector(selector: str) -> list[Rule]:
    """A selector is a rule id, a rule name, an id prefix ('SG1', 'SG10') or 'ALL'."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return list(all_rules())
    rule = lookup(sel)
    if rule is not None:
        return [rule]
    up = sel.upper()
    if up.startswith("SG") and up[2:].isdigit():
        return [r for r in all_rules() if r.meta.id.startswith(up)]
    return []


@functools.cache
def rules_by_id() -> dict[str, Rule]:
    return {r.meta.id: r for r in all_rules()}
