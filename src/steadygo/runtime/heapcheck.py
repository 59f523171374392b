"""Known retention patterns in heap profiles (SG911-SG914).

A heap profile says where live memory was allocated, not who holds it.  The
patterns below are the ones where the allocating stack alone (or the source
line, with --src) says enough about the holder to be worth a reader's time:
map inserts that only grow, whole-body read buffers kept alive by a small
sub-slice, and bytes.Buffer / sync.Pool growth.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from steadygo.findings import CODE_LOCATION, Finding
from steadygo.runtime import pprof
from steadygo.evidence.rules.sg9_runtime import (sg911_heap_growth_under_map_insert as sg911,
                                                 sg912_heap_retained_read_buffer as sg912,
                                                 sg913_heap_growth_in_buffer_or_pool as sg913,
                                                 sg914_heap_growth_by_function as sg914)
from steadygo.runtime.goroutines import is_user_func
from steadygo.runtime.display import human_bytes

_MAP_FRAMES = ("runtime.mapassign", "internal/runtime/maps.", "runtime.growWork", "runtime.hashGrow")
_READ_FRAMES = ("io.ReadAll", "io.readAll", "bytes.(*Buffer).ReadFrom", "bufio.NewReaderSize", "bufio.NewReader",
                "os.ReadFile", "io/ioutil.ReadAll", "net/http.(*body).Read")
_BUFFER_FRAMES = ("bytes.growSlice", "bytes.(*Buffer).grow", "bytes.(*Buffer).Write", "strings.(*Builder).grow",
                  "sync.(*Pool).Get")
_INDEX_ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*\[[^\]]*\]\s*=[^=]")

# A pattern is worth reporting when it holds at least this share of the live
# heap (single profile) or of the growth (diff).
MIN_SHARE = 0.10


@dataclass
class Hit:
    rule: object
    func: str  # the user function nearest the allocation
    where: str
    bytes: int
    share: float


def _first_user_frame(canon: pprof.Canon, key: tuple[int, ...]) -> tuple[str, str]:
    """The user function nearest the allocation and its file:line; the leaf
    when the whole stack is runtime/stdlib."""
    for cid in key:
        for func, file, line in canon.frames[cid]:
            if is_user_func(func):
                return func, f"{file}:{line}" if file else ""
    return canon.leaf_func(key[0]), canon.leaf_where(key[0])


def _is_line_number(text: str) -> bool:
    # isdigit() alone lets '²' through to int(), and a profile can carry any text.
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


def _package_map(src: str | None, where: str, tree) -> bool:
    """With --src: is the allocating line an index assignment into a
    package-level map variable?"""
    if tree is None or not where:
        return False
    path, _, line = where.rpartition(":")
    rel = tree.resolve(path)
    if rel is None or not _is_line_number(line):
        return False
    try:
        with open(os.path.join(tree.root, rel), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    lines = text.split("\n")
    n = int(line)
    if not 0 < n <= len(lines):
        return False
    m = _INDEX_ASSIGN.match(lines[n - 1])
    if m is None:
        return False
    name = re.escape(m.group(1))
    # Declared at top level: `var name = map...`, `var name map[...]`, or inside a top-level var ( ... ) block.
    return re.search(rf"(?m)^(?:var\s+|\t){name}\s*(?:=\s*(?:make\()?map\[|map\[)", text) is not None


def classify(canon: pprof.Canon, acc: dict[tuple[int, ...], int], total: int, tree=None) -> list[Hit]:
    """acc: canonical stack -> bytes (or growth).  Classification is memoised
    on the top six frames, so a 300k-stack profile costs one dict probe per
    stack."""
    memo: dict[tuple[int, ...], object] = {}
    hits: dict[tuple, Hit] = {}
    for key, v in acc.items():
        if v <= 0 or not key:
            continue
        head = key[:6]
        rule = memo.get(head, False)
        if rule is False:
            names = canon.names(head)
            rule = None
            if any(n.startswith(_MAP_FRAMES) for n in names[:6]):
                rule = sg911.HEAP_GLOBAL_MAP
            elif any(n.startswith(_READ_FRAMES) for n in names[:6]):
                rule = sg912.HEAP_READ_BUFFER
            elif any(n.startswith(_BUFFER_FRAMES) for n in names[:6]):
                rule = sg913.HEAP_BUFFER_POOL
            elif names and is_user_func(names[0]) and _package_map(None, canon.leaf_where(key[0]), tree):
                rule = sg911.HEAP_GLOBAL_MAP
            memo[head] = rule
        if rule is None:
            continue
        fn, where = _first_user_frame(canon, key)
        hk = (rule.meta.id, fn)
        hit = hits.get(hk)
        if hit is None:
            hits[hk] = Hit(rule, fn, where, v, 0.0)
        else:
            hit.bytes += v
    out = []
    for h in hits.values():
        h.share = h.bytes / total if total > 0 else 0.0
        if h.share >= MIN_SHARE:
            out.append(h)
    out.sort(key=lambda h: -h.bytes)
    return out


def _links(tree, where: str) -> list[tuple[str, str]]:
    """With --src: the allocating user line in the tree and any static
    finding the engine reports on it."""
    if not where:
        return []
    path, _, line = where.rpartition(":")
    if not _is_line_number(line):
        return []
    located = [(CODE_LOCATION, where)]  # for check --evidence, with or without --src
    if tree is None:
        return located
    rel = tree.resolve(path)
    if rel is None:
        return located
    out = located + [("source", f"{rel}:{line}")]
    for sf in tree.findings_at(rel, int(line)):
        out.append(("static_finding", f"{sf.rule_id} {sf.path}:{sf.line}"))
    return out


# Each retention pattern's rule words its own finding.
_FINDING = {sg911.HEAP_GLOBAL_MAP.meta.id: sg911.finding, sg912.HEAP_READ_BUFFER.meta.id: sg912.finding,
            sg913.HEAP_BUFFER_POOL.meta.id: sg913.finding}


def findings(path: str, cur: pprof.Profile, base: pprof.Profile | None, sample_type: str, tree=None,
             d: pprof.Diff | None = None) -> list[Finding]:
    out: list[Finding] = []
    if base is None:
        canon = pprof.Canon()
        acc = pprof.stacks(cur, sample_type, canon)
        total = sum(acc.values())
        verb = "holds"
    else:
        if d is None or d.delta_stacks is None:
            d = pprof.diff(base, cur, sample_type)
        canon, acc = d.canon, d.delta_stacks
        total = sum(v for v in acc.values() if v > 0) or 1  # share of all growth
        verb = "grew by"
    unit_bytes = cur.unit(sample_type) == "bytes"
    for h in classify(canon, acc, total, tree):
        amount = human_bytes(h.bytes) if unit_bytes else f"{h.bytes:,}"
        out.append(_FINDING[h.rule.meta.id](path, h.func, h.where, verb, h.bytes, amount, h.share, sample_type,
                                            tuple(_links(tree, h.where))))
    if d is not None and d.by_function:
        top = d.by_function[0]
        if top.flat > 0:
            amount = human_bytes(top.flat) if unit_bytes else f"{top.flat:,}"
            out.append(sg914.finding(path, sample_type, top.name, amount))
    return out
