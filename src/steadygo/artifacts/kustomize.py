"""Manifests that kustomize completes before they reach a cluster.

A strategic-merge patch (``manager_auth_proxy_patch.yaml``, ``patches/``)
holds only the fields it changes, and a base next to a ``Kustomization`` may
leave out what the kustomization adds (``labels`` with selectors, the
namespace).  Measured on gatekeeper's ``config/``, metrics-server's and
argo-cd's ``manifests/`` (benchmarks/PRECISION-SG7-SG8.md): "missing required
field" and "no probe" findings there were all about fields the patch or the
kustomization supplies.
"""

from __future__ import annotations

import posixpath
import re

from steadygo.artifacts.facts import ManifestFacts

_KUSTOMIZE_KINDS = {"Kustomization", "Component"}


def is_patch_file(path: str) -> bool:
    """A YAML file named or filed as a patch: ``*patch*.yaml``, ``patches/``."""
    p = path.replace("\\", "/")
    if not p.lower().endswith((".yaml", ".yml")):
        return False
    *dirs, name = p.split("/")
    words = set(re.split(r"[._-]+", name.lower()))
    return bool(words & {"patch", "patches"}) or any(d.lower() in ("patch", "patches") for d in dirs)


def kustomize_dirs(m: ManifestFacts) -> frozenset[str]:
    dirs = m.__dict__.get("_kustomize_dirs")
    if dirs is None:
        dirs = frozenset(posixpath.dirname(o.path.replace("\\", "/")) for o in m.objects if o.kind in _KUSTOMIZE_KINDS)
        m.__dict__["_kustomize_dirs"] = dirs  # not a dataclass field: to_dict() leaves it out
    return dirs


def kustomize_input(m: ManifestFacts, path: str) -> bool:
    """The file is a patch, or sits in (or one folder below) a folder with a
    Kustomization or Component."""
    if is_patch_file(path):
        return True
    folder = posixpath.dirname(path.replace("\\", "/"))
    dirs = kustomize_dirs(m)
    return folder in dirs or posixpath.dirname(folder) in dirs
