"""Functions nothing in the module calls.

A server built in a function no code of the module names (``plugin.NewHttp``
left over from an old admin API) never runs in the module's programs.  The
check is by name, the way a reader greps for callers: a top-level function
(not a method: a dependency may call one through an interface) whose name
appears nowhere in the package's code but its declaration, and, when it is
exported, after no ``.`` anywhere in the module.  Comments do not count (a
doc comment repeats the name); strings do (a name looked up by reflection
or a plugin table stays alive).  Test files do not count: they are not
linked into the program.
"""

from __future__ import annotations

import re
from collections import Counter

from steadygo.golang.frameworks import SERVER_IMPORTS
from steadygo.golang.parse import text

_WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_SELECTED = re.compile(rb"\.\s*([A-Z][A-Za-z0-9_]*)")
# Run by the toolchain, not called: never dead.
_ENTRY = re.compile(r"^(main|init|(Test|Benchmark|Fuzz|Example)([A-Z_].*)?)$")


def package_references(pkg) -> tuple[list[str], list[str]]:
    """The package's unreferenced top-level functions that may start a
    server (declared in a file importing net/http or a web framework: what
    SG101–SG104 ask about), as "dir:Name" with dir relative to the module
    root, and the exported names its code selects (``x.Name``), for the
    module-wide merge."""
    files = [f for f in pkg.files if not f.is_test]
    declared: Counter = Counter()
    for f in files:
        if any(f.imports.imports(path) for path in SERVER_IMPORTS):
            for fn in f.nodes("func"):
                if fn.type == "function_declaration" and fn.parent is not None and fn.parent.type == "source_file":
                    declared[text(fn.child_by_field_name("name"))] += 1
    names = sorted(selected_by(pkg))  # a ``.Name`` in a comment keeps Name alive: harmless
    candidates = {name: count for name, count in declared.items() if not _ENTRY.match(name)}
    if not candidates:
        return [], names
    words: Counter = Counter()
    for f in files:
        words.update(_WORD.findall(_without_comments(f)))
    own = pkg.module_dir(files[0]) or "."
    return sorted(f"{own}:{name}" for name, count in candidates.items() if words[name.encode()] <= count), names


# Comments, and the strings and runes a comment marker may sit in (kept).
_COMMENT_OR_STRING = re.compile(rb"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|`[^`]*`|'(?:\\.|[^'\\\n])*'", re.S)


def _without_comments(file) -> bytes:
    """The source with comments blanked (a regular expression: a query for
    comment nodes cost a third of this fact)."""
    return _COMMENT_OR_STRING.sub(lambda m: m.group(0) if m.group(0)[:1] in b"\"`'" else b" ", file.source)


def in_unreferenced_function(ctx, node) -> bool:
    """``node`` sits in a top-level function no code of the module calls
    (module facts with topic "calls" needed; without them, or in a module
    with no program, every function may be someone's entry point)."""
    facts = ctx.pkg.module_facts
    if facts is None or not facts.mains or not facts.unreferenced_funcs:
        return False
    chain = list(ctx.funcs.enclosing_chain(node))
    if not chain or chain[-1].node.type != "function_declaration":
        return False
    name = chain[-1].name
    own = ctx.pkg.module_dir(ctx.file) or "."
    if f"{own}:{name}" not in _held(facts)[0]:
        return False
    return not name[:1].isupper() or name not in _held(facts)[1]


def selected_by(pkg) -> frozenset[str]:
    """The exported names this package's code selects (memoised)."""
    return pkg.memo("unreferenced.selected", lambda: frozenset(
        n.decode() for f in pkg.files if not f.is_test for n in _SELECTED.findall(f.source)))


def selection_count(facts, name: str) -> int:
    """How many packages of the module select ``name`` (``x.Name``)."""
    return _held(facts)[1].get(name, 0)


def _held(facts):
    held = _SETS.get(id(facts))
    if held is None or held[0] is not facts:
        held = _SETS[id(facts)] = (facts, (set(facts.unreferenced_funcs), Counter(facts.selected_names)))
    return held[1]


_SETS: dict[int, tuple[object, tuple[set[str], Counter]]] = {}
