"""Kubernetes objects against the real Kubernetes schemas, fast.

The schemas are the ones PyPI ``kubernetes-validate`` ships (strict JSON
schemas generated from each Kubernetes release's OpenAPI, so unknown keys
are errors).  ``kubernetes_validate.validate`` re-reads the 1.8 MB definitions
file and builds a jsonschema validator on every call: 27 ms an object here,
27 s for 1,000 manifests.  Those schemas use only ``type``, ``properties``,
``additionalProperties``, ``items``, ``required``, ``enum``, ``$ref`` and one
``oneOf`` shape (int-or-string, quantity), so this module walks them itself
with each schema node compiled once per process: a few hundredths of a
millisecond an object.  ``tests/test_artifact_schema.py`` checks it reports
what ``kubernetes_validate.validate`` reports on the same objects.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
import importlib.util
import os

K8S_VERSION = "1.37.0"  # newest schema set kubernetes-validate 1.37 ships
MAX_ERRORS_PER_OBJECT = 20
_API_GROUP = re.compile(r"^([^./]*)(?:\.[^/]*)?/")
_PY_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


@dataclass(frozen=True)
class SchemaError:
    path: tuple  # key path of the offending key (or of the object missing a key)
    message: str


class _Node:
    """One schema node, compiled on first use: a manifest set touches a few
    hundred of the ~900 definitions, so compiling all of them up front would
    cost more than validating."""

    __slots__ = ("types", "pytypes", "_props", "_raw_props", "extra", "items", "required", "enum", "leaf",
                 "_compiler")

    def __init__(self, compiler):
        self._compiler = compiler
        self.types = None  # frozenset of JSON type names, None = any
        self.pytypes = None  # the Python types those admit (bool is not an integer here)
        self._props = None
        self._raw_props = None
        self.extra = True  # True: any key; False: no other key; _Node: schema of other keys
        self.items = None
        self.required = ()
        self.enum = None
        # a scalar with no enum: its type is all there is to check (False is
        # always safe: the node is then walked like any other)
        self.leaf = False

    @property
    def props(self) -> dict:
        if self._props is None:
            raw = self._raw_props or {}
            self._props = {k: self._compiler.node(v) for k, v in raw.items()}
        return self._props


@functools.cache
def schema_dir(version: str = K8S_VERSION) -> str | None:
    """The shipped schema folder, found without importing kubernetes_validate
    (its import pulls in jsonschema: 0.3 s we do not need)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "kubernetes-json-schema", f"v{version}-local-strict")
    return path if os.path.isdir(path) else None


def _read_json(name: str, version: str):
    folder = schema_dir(version)
    if folder is None:
        return None
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


@functools.cache
def _definitions(version: str):
    """The ``$defs`` of ``_definitions.json``: a mapping with ``get``."""
    folder = schema_dir(version)
    if folder is None:
        return {}
    try:
        with open(os.path.join(folder, "_definitions.json"), encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, ValueError):
        return {}
    lazy = _LazyDefinitions.of(text)
    if lazy is not None:
        return lazy
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    defs = data.get("$defs", {}) if isinstance(data, dict) else {}
    return defs if isinstance(defs, dict) else {}


class _LazyDefinitions:
    """Each definition decoded when the compiler first asks for it.  Decoding
    the whole 1.8 MB file takes ~25 ms of every run, and a manifest set needs
    a few dozen of its ~860 definitions.  The file is written by ``json.dump``
    with an indent of 2: a line indented by exactly four spaces and opening
    with a quote is a key of ``$defs`` (the only object at depth 1), and its
    value, an object, starts at the ``{`` ending that line.  A file of any
    other shape is decoded whole (``of`` returns None)."""

    __slots__ = ("_text", "_at", "_done")
    _HEAD = '{\n  "$defs": {\n'
    _decode = json.JSONDecoder().raw_decode

    def __init__(self, text: str, at: dict[str, int]):
        self._text, self._at, self._done = text, at, {}

    @classmethod
    def of(cls, text: str) -> "_LazyDefinitions | None":
        if not text.startswith(cls._HEAD):
            return None
        at: dict[str, int] = {}
        find = text.find
        i = find('\n    "')
        while i >= 0:
            j = find('": {\n', i + 6)
            name = text[i + 6:j]
            if j < 0 or "\n" in name or '"' in name or "\\" in name or name in at:
                return None
            at[name] = j + 3
            i = find('\n    "', j)
        return cls(text, at) if at else None

    def get(self, name: str, default=None):
        hit = self._done.get(name)
        if hit is None:
            at = self._at.get(name)
            if at is None:
                return default
            try:
                hit = self._decode(self._text, at)[0]
            except ValueError:
                return default
            self._done[name] = hit
        return hit

    def names(self) -> list[str]:
        return list(self._at)


@functools.cache
def _top_schema(version: str, api_version: str, kind: str) -> dict | None:
    if "/" in kind or "/" in api_version.replace("/", "", 1) or ".." in kind:
        return None  # never a file name outside the schema folder
    group = _API_GROUP.sub(r"\1-", api_version)
    return _read_json(f"{kind.lower()}-{group}.json", version)


class _Compiler:
    def __init__(self, version: str):
        self.defs = _definitions(version)
        self.by_ref: dict[str, _Node] = {}

    def node(self, schema: dict) -> _Node:
        ref = schema.get("$ref")
        if ref is not None:
            name = ref.rpartition("#/$defs/")[2]
            hit = self.by_ref.get(name)
            if hit is None:
                hit = _Node(self)
                self.by_ref[name] = hit  # placed before filling: schemas are recursive (JSONSchemaProps)
                self._fill(hit, self.defs.get(name, {}))
            return hit
        n = _Node(self)
        self._fill(n, schema)
        return n

    def _fill(self, n: _Node, schema: dict) -> None:
        if "$ref" in schema:
            other = self.node(schema)
            for slot in _Node.__slots__:
                setattr(n, slot, getattr(other, slot))
            return
        _fill_types(n, schema)
        n._raw_props = schema.get("properties")
        extra = schema.get("additionalProperties", True)
        n.extra = extra if isinstance(extra, bool) else self.node(extra)
        if "items" in schema and isinstance(schema["items"], dict):
            n.items = self.node(schema["items"])
        n.required = tuple(schema.get("required", ()))
        if "enum" in schema:
            n.enum = tuple(schema["enum"])
        n.leaf = n.enum is None and n.types is not None and not (n.types & {"object", "array"})


_JSON_TO_PY = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
               "integer": (int,), "number": (int, float)}


def _fill_types(n: "_Node", schema: dict) -> None:
    t = schema.get("type")
    if "oneOf" in schema:  # int-or-string, quantity: the union of the branches' types
        types = set()
        for branch in schema["oneOf"]:
            bt = branch.get("type")
            types.update([bt] if isinstance(bt, str) else (bt or []))
        n.types = frozenset(types) or None
    elif t is not None:
        n.types = frozenset([t] if isinstance(t, str) else t)
    if n.types is not None:
        n.pytypes = frozenset(py for name in n.types for py in _JSON_TO_PY.get(name, ()))


@functools.cache
def _compiler(version: str) -> _Compiler:
    return _Compiler(version)


@functools.cache
def _root(version: str, api_version: str, kind: str) -> _Node | None:
    schema = _top_schema(version, api_version, kind)
    return None if schema is None else _compiler(version).node(schema)


def has_schema(api_version: str, kind: str, version: str = K8S_VERSION) -> bool:
    return _root(version, api_version, kind) is not None


def _type_ok(types: frozenset, value) -> bool:
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    for name in types:
        py = _PY_TYPES.get(name)
        if py is not None and isinstance(value, py):
            return True
    return False


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string", int: "integer", float: "number"}.get(type(value), "null")


def _is_valid(root: _Node, data) -> bool:
    """Whether ``data`` has no problem at all: the walk of ``validate`` that
    stops at the first problem, builds no key paths and checks scalar leaves
    in their parent's loop.  Most objects are valid, so ``validate`` only
    collects problems (in its own order, up to its limit) when this says so."""
    stack = [(root, data)]
    pop, push = stack.pop, stack.append
    while stack:
        node, value = pop()
        if node.pytypes is not None and value.__class__ not in node.pytypes and not _type_ok(node.types, value):
            return False
        if node.enum is not None and value is not None and value not in node.enum:
            return False
        if isinstance(value, dict):
            props, extra = node.props, node.extra
            for key in node.required:
                if key not in value:
                    return False
            for key, child in value.items():
                sub = props.get(key)
                if sub is None:
                    if extra is False:
                        return False
                    if extra is True:
                        continue
                    sub = extra
                if sub.leaf:
                    if child.__class__ not in sub.pytypes and not _type_ok(sub.types, child):
                        return False
                    continue
                push((sub, child))
        elif isinstance(value, list) and node.items is not None:
            items = node.items
            if items.leaf:  # args, command, names: checked here like a mapping's scalar values
                for child in value:
                    if child.__class__ not in items.pytypes and not _type_ok(items.types, child):
                        return False
                continue
            for child in value:
                push((items, child))
    return True


def validate(data: dict, version: str = K8S_VERSION) -> list[SchemaError] | None:
    """Problems in one object, or None when no schema covers its kind (CRDs)."""
    root = _root(version, str(data.get("apiVersion", "")), str(data.get("kind", "")))
    if root is None:
        return None
    if _is_valid(root, data):
        return []
    errors: list[SchemaError] = []
    stack = [(root, data, ())]
    while stack and len(errors) < MAX_ERRORS_PER_OBJECT:
        node, value, path = stack.pop()
        if node.pytypes is not None and value.__class__ not in node.pytypes and not _type_ok(node.types, value):
            want = " or ".join(sorted(t for t in node.types if t != "null"))
            errors.append(SchemaError(path, f"expected {want}, got {_type_name(value)}"))
            continue
        if node.enum is not None and value is not None and value not in node.enum:
            errors.append(SchemaError(path, f"{value!r} is not one of {', '.join(map(str, node.enum))}"))
            continue
        if isinstance(value, dict):
            props = node.props
            for key in node.required:
                if key not in value:
                    errors.append(SchemaError(path, f"missing required field '{key}'"))
            for key, child in value.items():
                sub = props.get(key)
                if sub is None:
                    if node.extra is False:
                        hint = difflib.get_close_matches(str(key), list(props), n=1, cutoff=0.75)
                        if not hint:
                            lower = {p.lower(): p for p in props}
                            hint = [lower[str(key).lower()]] if str(key).lower() in lower else []
                        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                        errors.append(SchemaError(path + (key,), f"unknown field '{key}'{suffix}"))
                        continue
                    if node.extra is True:
                        continue
                    sub = node.extra
                stack.append((sub, child, path + (key,)))
        elif isinstance(value, list) and node.items is not None:
            for i, child in enumerate(value):
                stack.append((node.items, child, path + (i,)))
    errors.sort(key=lambda e: tuple(str(p) for p in e.path))
    return errors


def field_path(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out
