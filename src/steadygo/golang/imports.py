"""Per-file import table: which local name refers to which package path.

Handles aliased (``h "net/http"``), dot (``. "net/http"``) and blank imports,
and the default name of versioned paths (``github.com/labstack/echo/v4`` is
``echo``; ``gopkg.in/yaml.v3`` is ``yaml``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from steadygo.golang.parse import captures, string_value, text

_IMPORT_Q = "(import_spec) @spec"
_MAJOR = re.compile(r"^v\d+$")
_GOPKG = re.compile(r"^(.*)\.v\d+$")

# Packages whose name differs from the last path element in ways the path
# itself cannot tell; everything else follows the Go convention.
_KNOWN_NAMES = {
    "github.com/jackc/pgx/v5/pgxpool": "pgxpool",
    "github.com/go-redis/redis/v8": "redis",
    "github.com/redis/go-redis/v9": "redis",
    "gopkg.in/yaml.v3": "yaml",
    "github.com/sirupsen/logrus": "logrus",
    "go.uber.org/zap": "zap",
}


def default_name(path: str) -> str:
    if path in _KNOWN_NAMES:
        return _KNOWN_NAMES[path]
    parts = path.split("/")
    last = parts[-1]
    if _MAJOR.match(last) and len(parts) > 1:
        last = parts[-2]
    m = _GOPKG.match(last)
    if m:
        last = m.group(1)
    if last.startswith("go-"):
        last = last[3:]
    return last.replace("-", "_").replace(".", "_")


@dataclass
class ImportTable:
    by_name: dict[str, str] = field(default_factory=dict)  # local name -> path
    dot: list[str] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    lines: dict[str, int] = field(default_factory=dict)  # path -> 1-based line

    def path_of(self, name: str) -> str | None:
        return self.by_name.get(name)

    def names_for(self, path: str) -> list[str]:
        return [n for n, p in self.by_name.items() if p == path]

    def imports(self, path: str) -> bool:
        return path in self.paths

    def imports_prefix(self, prefix: str) -> bool:
        """``net/http`` matches imports of net/http and net/http/pprof."""
        return prefix in self._prefixes

    @functools.cached_property
    def _prefixes(self) -> frozenset[str]:
        out = set()
        for p in self.paths:
            parts = p.split("/")
            out.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
        return frozenset(out)


def build_import_table(root) -> ImportTable:
    table = ImportTable()
    # Imports sit only at the top of the file: query those declarations, not
    # the whole tree (a whole-tree query costs as much as a third of a parse).
    specs = []
    for decl in root.named_children:
        if decl.type == "import_declaration":
            specs.extend(captures(_IMPORT_Q, decl).get("spec", []))
        elif decl.type not in ("package_clause", "comment"):
            break
    for spec in specs:
        path = string_value(spec.child_by_field_name("path"))
        if path is None:
            continue
        table.paths.add(path)
        table.lines[path] = spec.start_point[0] + 1
        name_node = spec.child_by_field_name("name")
        if name_node is None:
            table.by_name[default_name(path)] = path
        elif name_node.type == "dot":
            table.dot.append(path)
        elif name_node.type == "blank_identifier":
            table.blank.append(path)
        else:
            table.by_name[text(name_node)] = path
    return table
