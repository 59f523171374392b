"""Kubernetes YAML into plain data plus the line of every key.

PyPI PyYAML composes the node graph (libyaml's C parser when present, safe
tags only); this module turns nodes into dicts/lists/scalars itself so each
mapping key keeps its line: ``lines[('spec', 'replicas')] == 12``.  A
document is a Kubernetes object when it is a mapping with ``apiVersion`` and
``kind``; other documents are skipped silently.  Unrendered Helm templates
are recognised before parsing and reported once, never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

try:  # libyaml is ~10x faster; the pure-Python loader gives the same nodes
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader

# Plain scalars YAML 1.1 may resolve to something other than a string: those
# starting with a digit, sign, dot, '~', '<' (merge) or '=' (value), and the
# bool/null words.  Any other word (``name``, ``nginx``, ``timeoutSeconds``)
# can only be a string.
_MAYBE_TYPED = frozenset("-+.0123456789~<=")
_TYPED_WORDS = frozenset(
    w for base in ("yes", "no", "true", "false", "on", "off", "null") for w in (base, base.capitalize(), base.upper())
) | {"y", "Y", "n", "N"}
_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):
    """libyaml asks the Python resolver for the tag of every scalar (a
    regex scan each); most Kubernetes scalars are names and paths that can
    only be strings, so those skip it."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in _MAYBE_TYPED \
                and value not in _TYPED_WORDS:
            return _STR_TAG
        return super().resolve(kind, value, implicit)

_HELM_ACTION = re.compile(r"^\s*\{\{-?\s*(?:if|else|end|range|with|define|include|template|toYaml|\$|/\*)", re.M)
_HELM_VALUE = re.compile(r"\{\{-?\s*\.(?:Values|Release|Chart|Capabilities|Files|Template)\b")
MAX_NODES = 500_000  # an alias bomb stops here instead of eating the machine
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR = {
    "tag:yaml.org,2002:int": _CONSTRUCTOR.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCTOR.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCTOR.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCTOR.construct_yaml_null,
}


class YamlError(Exception):
    """The file cannot be read as YAML; the message names no path."""


class NodeLines:
    """Line of a key path, looked up in the composed node tree on demand:
    the facts ask for a few dozen paths per object, so recording the line of
    every node up front would cost more than the lookups."""

    __slots__ = ("_seen",)

    def __init__(self, root):
        self._seen = {(): (root, None)}  # path -> (node, line); lookups share prefixes

    def _step(self, path: tuple):
        hit = self._seen.get(path)
        if hit is not None or not path:
            return hit
        parent = self._step(path[:-1]) if len(path) < 64 else None
        if parent is None:
            return None
        node, key, found = parent[0], path[-1], None
        if isinstance(node, yaml.MappingNode):
            for knode, vnode in node.value:
                if knode.__class__ is yaml.ScalarNode and (knode.value == key or (
                        not isinstance(key, str) and _scalar(knode) == key)):
                    found = (vnode, knode.start_mark.line + 1)
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            item = node.value[key]
            found = (item, item.start_mark.line + 1)
        if found is not None:
            self._seen[path] = found
        return found

    def get(self, path, default=None):
        hit = self._step(tuple(path))
        return hit[1] if hit is not None and hit[1] is not None else default


@dataclass
class K8sObject:
    data: dict
    path: str
    line: int  # the document's first key
    lines: NodeLines | dict = field(default_factory=dict)  # .get(key path) -> 1-based line
    end_line: int = 0  # last line of the document

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", ""))

    def line_of(self, *path, default: int | None = None) -> int:
        """Line of the deepest key of ``path`` the document has."""
        for n in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:n]))
            if line is not None:
                return line
        return self.line if default is None else default


@dataclass
class YamlFile:
    objects: list[K8sObject] = field(default_factory=list)
    helm_template: bool = False  # unrendered {{ ... }}: not parsed


def looks_like_helm_template(text: str) -> bool:
    return bool(_HELM_ACTION.search(text) or _HELM_VALUE.search(text))


def load_k8s_yaml(path: str, text: str) -> YamlFile:
    if "{{" in text and looks_like_helm_template(text):
        return YamlFile(helm_template=True)
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"invalid YAML{where}: {problem}") from None
    out = YamlFile()
    for node in nodes:
        if not isinstance(node, yaml.MappingNode):
            continue
        if not any(isinstance(k, yaml.ScalarNode) and k.value == "kind" for k, _ in node.value):
            continue  # not a Kubernetes object: skip before building anything
        data = to_data(node)
        if isinstance(data, dict) and "apiVersion" in data and "kind" in data:
            out.objects.append(K8sObject(data=data, path=path, line=node.start_mark.line + 1, lines=NodeLines(node),
                                       end_line=node.end_mark.line + (1 if node.end_mark.column else 0)))
    return out


_STR = "tag:yaml.org,2002:str"


def _scalar(node):
    if node.tag == _STR:
        return node.value
    fn = _SCALAR.get(node.tag)
    if fn is None:
        return node.value
    try:
        return fn(node)
    except (ValueError, yaml.constructor.ConstructorError):
        return node.value


def to_data(root: yaml.Node):
    """Plain data, built iteratively (deep YAML cannot blow the stack)."""
    Mapping, Sequence, Scalar = yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode
    count = 0

    def make(node):
        if node.__class__ is Scalar:
            return node.value if node.tag == _STR else _scalar(node)
        return {} if isinstance(node, Mapping) else []

    result = make(root)
    stack = [(root, result)]
    while stack:
        node, container = stack.pop()
        count += len(node.value)
        if count > MAX_NODES:
            raise YamlError(f"more than {MAX_NODES} YAML nodes (alias expansion?), not read")
        if isinstance(node, Mapping):
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in node.value):
                _CONSTRUCTOR.flatten_mapping(node)
            for knode, vnode in node.value:
                key = _scalar(knode) if knode.__class__ is Scalar else str(knode.start_mark)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    key = str(key)
                child = make(vnode)
                container[key] = child
                if vnode.__class__ is not Scalar:
                    stack.append((vnode, child))
        else:
            for item in node.value:
                child = make(item)
                container.append(child)
                if item.__class__ is not Scalar:
                    stack.append((item, child))
    return result
