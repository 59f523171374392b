"""The breakpoint ledger: known breakpoints marked in code, and the tests that
pin them down.

Teams write ``// BP-07: <title>`` next to code that is known to break under
some production condition.  A marker lives in non-test Go files; a test
"covers" it when a ``_test.go`` file mentions the same id, written as
``BP-07`` (in a comment, a subtest name, a string).  The ledger lists each marker with where it is and which tests
reference it, so a breakpoint with no test stands out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from steadygo.fsutil import walk_files

MARKER = re.compile(r"//\s*(BP-\d+)\s*:\s*(.*?)\s*(?:\*/)?\s*$")
_ID = re.compile(r"(?<![\w-])(BP-\d+)(?!\d)")
_TEST_FUNC = re.compile(r"^func\s+(?:\([^)]*\)\s*)?((?:Test|Benchmark|Fuzz|Example)\w*)\s*\(")
SKIP_DIRS = {"vendor", "node_modules", "testdata"}


@dataclass(frozen=True)
class Location:
    path: str
    line: int


@dataclass(frozen=True)
class TestRef:
    path: str
    line: int
    test: str  # enclosing Test/Benchmark/Fuzz/Example function, '' at file level


@dataclass
class Breakpoint:
    id: str
    title: str
    locations: list[Location] = field(default_factory=list)
    tests: list[TestRef] = field(default_factory=list)

    @property
    def tested(self) -> bool:
        return bool(self.tests)


def _skip_dir(name: str) -> bool:
    # Hidden directories (.git) and vendored or fixture code are not the
    # team's own ledger.
    return name.startswith(".") or name in SKIP_DIRS


def _go_files(root: str):
    if os.path.isfile(root):
        yield root
        return
    for directory, files in walk_files(root, _skip_dir):
        for name in files:
            if name.endswith(".go"):
                yield os.path.join(directory, name)


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return []


def _id_key(bp_id: str) -> tuple[int, str]:
    return (int(bp_id[3:]), bp_id)


def collect(root: str, base: str | None = None) -> list[Breakpoint]:
    base = base or os.getcwd()
    found: dict[str, Breakpoint] = {}
    refs: list[tuple[str, TestRef]] = []
    for path in _go_files(root):
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        if rel.startswith("../"):
            rel = path
        lines = _read_lines(path)
        if path.endswith("_test.go"):
            current = ""
            pending: list[tuple[str, int]] = []  # ids in the comment block right above a func
            for i, text in enumerate(lines, start=1):
                m = _TEST_FUNC.match(text)
                if m:
                    current = m.group(1)
                    # A doc comment naming the id belongs to the test it documents.
                    refs.extend((bp_id, TestRef(rel, line, current)) for bp_id, line in pending)
                    pending = []
                elif text.startswith("func "):
                    current = ""  # a helper, not a test
                ids = list(dict.fromkeys(_ID.findall(text)))
                if not current and text.lstrip().startswith("//"):
                    pending.extend((bp_id, i) for bp_id in ids)
                    continue
                if not m:
                    refs.extend((bp_id, TestRef(rel, line, "")) for bp_id, line in pending)
                    pending = []
                refs.extend((bp_id, TestRef(rel, i, current)) for bp_id in ids)
                if text == "}":
                    current = ""  # gofmt puts a top-level function's closing brace alone at column 0
            refs.extend((bp_id, TestRef(rel, line, "")) for bp_id, line in pending)
            continue
        for i, text in enumerate(lines, start=1):
            if "BP-" not in text:
                continue
            m = MARKER.search(text)
            if not m:
                continue
            bp = found.get(m.group(1))
            if bp is None:
                bp = found[m.group(1)] = Breakpoint(m.group(1), m.group(2))
            elif not bp.title:
                bp.title = m.group(2)
            bp.locations.append(Location(rel, i))
    for bp_id, ref in refs:
        if bp_id in found:
            found[bp_id].tests.append(ref)
    return [found[k] for k in sorted(found, key=_id_key)]


def to_dict(bps: list[Breakpoint]) -> dict:
    return {
        "schema": "steadygo-ledger",
        "version": 1,
        "breakpoints": [
            {
                "id": bp.id,
                "title": bp.title,
                "tested": bp.tested,
                "locations": [{"path": l.path, "line": l.line} for l in bp.locations],
                "tests": [{"path": t.path, "line": t.line, "test": t.test} for t in bp.tests],
            }
            for bp in bps
        ],
    }


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted strings; quotes and markup characters inside
    # are written as entity codes so a title cannot end the label or add markup.
    out = []
    for ch in text:
        if ch in '"#<>&`':
            out.append(f"#{ord(ch)};")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out)


def mermaid(bps: list[Breakpoint]) -> str:
    lines = ["flowchart LR"]
    lines.append("  classDef tested fill:#d9f2e3,stroke:#1a7f37,color:#0b3d1c")
    lines.append("  classDef untested fill:#fde2e1,stroke:#b42318,color:#5c0f0a")
    lines.append("  classDef test fill:#eef1f5,stroke:#57606a,color:#1f2328")
    test_nodes: dict[tuple[str, str], str] = {}
    for n, bp in enumerate(bps):
        node = f"bp{n}"
        status = "tested" if bp.tested else "no test"
        where = f"{bp.locations[0].path}:{bp.locations[0].line}" if bp.locations else ""
        label = _mermaid_text(f"{bp.id}: {bp.title}") + "<br/>" + _mermaid_text(f"{where} ({status})")
        lines.append(f'  {node}["{label}"]:::{"tested" if bp.tested else "untested"}')
        for ref in bp.tests:
            key = (ref.path, ref.test)
            if key not in test_nodes:
                test_nodes[key] = f"t{len(test_nodes)}"
                name = ref.test or "(file level)"
                lines.append(f'  {test_nodes[key]}(["{_mermaid_text(name)}<br/>{_mermaid_text(ref.path)}"]):::test')
            edge = f"  {node} -->|tested by| {test_nodes[key]}"
            if edge not in lines:
                lines.append(edge)
    return "\n".join(lines) + "\n"


def text(bps: list[Breakpoint]) -> str:
    if not bps:
        return "no breakpoint markers found (mark one with a '// BP-01: <title>' comment)\n"
    out = []
    for bp in bps:
        status = f"{len({(t.path, t.test) for t in bp.tests})} test(s)" if bp.tested else "NO TEST"
        out.append(f"{bp.id}: {bp.title}  [{status}]")
        for loc in bp.locations:
            out.append(f"  marked at {loc.path}:{loc.line}")
        for ref in bp.tests:
            out.append(f"  tested by {ref.test or '(file level)'} at {ref.path}:{ref.line}")
    untested = sum(1 for bp in bps if not bp.tested)
    out.append("")
    out.append(f"{len(bps)} breakpoint{'s' if len(bps) != 1 else ''}, {untested} without a test")
    return "\n".join(out) + "\n"
