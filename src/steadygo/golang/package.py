"""A Go package (one directory's files) as the unit rules run on.

Rules see the whole package so facts that cross files (a helper in
``server.go`` that builds the ``http.Server`` that ``main.go`` starts) are
visible, while work stays bounded by one directory.
"""

from __future__ import annotations

import functools
import os
import re

from steadygo.golang.frameworks import GRPC
from steadygo.golang.functions import FuncInfo, FunctionIndex
from steadygo.golang.module import ModuleInfo, repository_root
from steadygo.golang.package_types import PackageTypes
from steadygo.golang.parse import kind_id
from steadygo.golang.source import GoFile
from steadygo.golang.values import assignment_index

_SELECTOR = kind_id("selector_expression")
_IDENT = kind_id("identifier")



class Package:
    def __init__(self, directory: str, files: list[GoFile], module: ModuleInfo, options=None):
        self.directory = directory
        self.files = files
        self.module = module
        # rule name -> option dict, already validated by config
        self.options = options or {}
        # The merged facts of the package's module, set by the engine for the
        # rules of its second pass (those that declare ``module_facts``).
        self.module_facts = None
        # the role .steadygo.toml's [roles] gives this folder, set by the engine
        self.role_override: str | None = None
        # module-fact topics the run's rules read (engine._Task.fact_topics); None: all
        self.fact_topics: tuple[str, ...] | None = None
        self._memo: dict = {}
        self._functions: dict[str, FunctionIndex] = {}
        self._call_index: dict[str, dict[bytes, list]] = {}
        self._assignments: dict[int, dict[str, list]] = {}

    def memo(self, key, compute):
        """Share one computation between the rules of a family."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @functools.cached_property
    def types(self) -> PackageTypes:
        """Declared types across the package's files (golang.package_types)."""
        return PackageTypes(self)

    @functools.cached_property
    def uses_grpc(self) -> bool:
        return any(f.imports.imports_prefix(GRPC) for f in self.files)

    # Per-instance caches, not functools.cache: a cache on the method would be
    # global and keep every package's trees alive for the whole scan.
    def functions(self, file: GoFile) -> FunctionIndex:
        idx = self._functions.get(file.path)
        if idx is None:
            idx = self._functions[file.path] = FunctionIndex(file, self.uses_grpc)
        return idx

    def functions_named(self, name: str):
        for f in self.files:
            for fi in self.functions(f).by_name.get(name, ()):
                yield f, fi

    def calls_to(self, name: str):
        """Calls ``name(...)`` or ``x.name(...)`` anywhere in the package."""
        key = name.encode()
        for f in self.files:
            for call in self._calls(f).get(key, ()):
                yield f, call

    def calls_in(self, file: GoFile, *names: str) -> list:
        """Calls ``name(...)`` / ``x.name(...)`` in one file, in source order,
        from the same per-file index as ``calls_to`` (no extra tree walk)."""
        index = self._calls(file)
        out = [c for n in names for c in index.get(n.encode(), ())]
        out.sort(key=lambda c: c.start_byte)
        return out

    def _calls(self, file: GoFile) -> dict[bytes, list]:
        """Every call of the file by the called name.  Keyed by the name's raw
        bytes: a GOROOT-sized tree has over half a million calls, and decoding
        each name would cost more than the lookups it serves."""
        cached = self._call_index.get(file.path)
        if cached is not None:
            return cached
        out: dict[bytes, list] = {}
        self._call_index[file.path] = out
        src = file.source
        for call in file.nodes("call"):
            fn = call.child(0)  # the function: always the first child
            k = fn.kind_id
            if k == _SELECTOR:
                name = src[fn.start_byte:fn.end_byte]
                key = name[name.rfind(b".") + 1:].strip()  # the field name
                if b"/" in key:  # a comment between '.' and the name
                    key = fn.child_by_field_name("field").text
            elif k == _IDENT:
                key = src[fn.start_byte:fn.end_byte]
            else:
                continue
            lst = out.get(key)
            if lst is None:
                out[key] = [call]
            else:
                lst.append(call)
        return out

    def name_uses(self, name: str) -> int:
        """How often ``name`` appears as a word in the package's production
        files outside line comments (doc comments name functions too): its
        declarations, calls, method values and callbacks all count, string
        literals too (an overcount only ever makes callers look unknown)."""
        return self.memo(("name_uses", name), lambda: self._count_uses(name))

    def _count_uses(self, name: str) -> int:
        pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
        seen = 0
        for f in self.files:
            if f.is_test:
                continue
            src = f.source
            for m in pattern.finditer(src):
                line_start = src.rfind(b"\n", 0, m.start()) + 1
                if b"//" not in src[line_start:m.start()]:
                    seen += 1
        return seen

    def declarations_of(self, name: str) -> int:
        """Function and method declarations named ``name`` in production files."""
        return sum(1 for f, fi in self.functions_named(name) if not f.is_test and fi.node.type != "func_literal")

    def never_referenced(self, fi: FuncInfo) -> bool:
        """A named function the package's production code never mentions
        beyond its declarations: dead code (or reached only by reflection).
        Methods never count: an interface (a service framework's Start, an
        http.Handler's ServeHTTP) calls them without naming them."""
        if not fi.name or fi.name in ("main", "init") or fi.node.type != "function_declaration":
            return False
        return self.name_uses(fi.name) <= self.declarations_of(fi.name)

    def in_dead_function(self, file: GoFile, node) -> bool:
        """``node`` sits in a named function (or a literal inside one) that
        nothing in the package's production code refers to."""
        chain = list(self.functions(file).enclosing_chain(node))
        return bool(chain) and self.never_referenced(chain[-1])

    def assigned_from(self, scope_node, var: str) -> list:
        """``values.assigned_from`` with one assignment index per scope, for
        rules that ask about many variables of the same function (node ids
        are stable while the package holds its trees)."""
        index = self._assignments.get(scope_node.id)
        if index is None:
            index = self._assignments[scope_node.id] = assignment_index(scope_node)
        return list(index.get(var, ()))

    def module_dir(self, file: GoFile) -> str:
        """The file's directory relative to the module root ('' at the root);
        relative to the scan when there is no go.mod."""
        root = self.module.root
        if root:
            d = os.path.dirname(file.path)
            if d == root:
                return ""
            if d.startswith(root + os.sep):
                return d[len(root) + 1:].replace(os.sep, "/")
            path = os.path.relpath(file.path, root).replace(os.sep, "/")
        else:
            path = file.relpath
        return path.rsplit("/", 1)[0] if "/" in path else ""

    def repo_dir(self, file: GoFile) -> str:
        """The file's directory inside its repository (``module.repository_root``:
        the nearest ``.git``, else the outermost go.mod), so command and tool
        folders are judged the same whatever directory the scan starts from;
        ``module_dir`` when there is no repository root either."""
        root = repository_root(os.path.dirname(file.path))
        d = os.path.dirname(os.path.abspath(file.path))
        if not root:
            return self.module_dir(file)
        if d == root:
            return ""
        return os.path.relpath(d, root).replace(os.sep, "/")

    def module_in_repo(self) -> str:
        """The module root's folder inside its repository ('' when the module
        is the repository, or there is no module)."""
        root = self.module.root
        if not root:
            return ""
        repo = repository_root(root)
        if not repo or repo == root:
            return ""
        return os.path.relpath(root, repo).replace(os.sep, "/")

    def imports_anywhere(self, path: str) -> bool:
        return any(f.imports.imports(path) for f in self.files)

    def enclosing_function(self, file: GoFile, node) -> FuncInfo | None:
        return self.functions(file).enclosing(node)
