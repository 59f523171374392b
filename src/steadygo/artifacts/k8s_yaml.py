"""Kubernetes YAML into plain data plus the line of every key.

PyPI PyYAML's libyaml parser (safe tags only) reads the text; ``yaml_data``
turns its events into dicts/lists/scalars with a line record beside them, so
each mapping key keeps its line: ``lines.get(('spec', 'replicas')) == 12``.
A document is a Kubernetes object when it is a mapping with ``apiVersion``
and ``kind``; other documents are skipped silently.  Unrendered Helm
templates are recognised before parsing and reported once, never parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from steadygo.artifacts.yaml_data import MAYBE_TYPED, TYPED_WORDS, KeyLines, YamlDataError, load_documents

try:  # libyaml is ~10x faster; the pure-Python loader gives the same events
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader

_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):
    """Asked for the tag of the plain scalars that may not be strings; the
    resolver's regex scan is skipped for words that can only be strings
    (also when PyYAML composes with this loader)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in MAYBE_TYPED \
                and value not in TYPED_WORDS:
            return _STR_TAG
        return super().resolve(kind, value, implicit)

_HELM_ACTION = re.compile(r"^\s*\{\{-?\s*(?:if|else|end|range|with|define|include|template|toYaml|\$|/\*)", re.M)
_HELM_VALUE = re.compile(r"\{\{-?\s*\.(?:Values|Release|Chart|Capabilities|Files|Template)\b")


class YamlError(Exception):
    """The file cannot be read as YAML; the message names no path."""


@dataclass
class K8sObject:
    data: dict
    path: str
    line: int  # the document's first key
    lines: KeyLines | dict = field(default_factory=dict)  # .get(key path) -> 1-based line
    end_line: int = 0  # last line of the document

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion", ""))

    def line_of(self, *path, default: int | None = None) -> int:
        """Line of the deepest key of ``path`` the document has."""
        if self.lines.__class__ is KeyLines:
            line = self.lines.deepest(path)
            return line if line is not None else (self.line if default is None else default)
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
        docs = load_documents(text, _Loader)
    except YamlDataError as exc:
        where = f" (line {exc.line})" if exc.line is not None else ""
        raise YamlError(f"invalid YAML{where}: {exc.problem}") from None
    out = YamlFile()
    for doc in docs:
        if not doc.has_kind_key:
            continue  # not a Kubernetes object
        if doc.error is not None:  # what the data would be cannot be built
            raise YamlError(doc.error if doc.error_line is None else f"invalid YAML (line {doc.error_line}): {doc.error}")
        data = doc.data
        if "apiVersion" in data and "kind" in data:
            out.objects.append(K8sObject(data=data, path=path, line=doc.start_line, lines=doc.lines,
                                         end_line=doc.end_line))
    return out
