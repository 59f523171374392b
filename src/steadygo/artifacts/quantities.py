"""Kubernetes resource quantities and Go's GOMEMLIMIT syntax, in bytes."""

from __future__ import annotations

import re

_K8S = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?\s*(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?\s*$")
_K8S_UNITS = {None: 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
              "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18, "m": 1e-3}
# runtime/debug: "a number with an optional unit suffix B, KiB, MiB, GiB or TiB"
_GOMEMLIMIT = re.compile(r"^\s*([0-9]+)\s*(B|KiB|MiB|GiB|TiB)?\s*$")
_GO_UNITS = {None: 1, "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def k8s_bytes(value) -> float | None:
    """``128Mi`` -> 134217728; None when not a quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = _K8S.match(str(value))
    if m is None:
        return None
    number = float(m.group(1)) * (10 ** int(m.group(2)) if m.group(2) else 1)
    return number * _K8S_UNITS[m.group(3)]


def gomemlimit_bytes(value: str) -> float | None:
    """``900MiB`` -> bytes; None for 'off' or a value Go would reject."""
    m = _GOMEMLIMIT.match(value or "")
    if m is None:
        return None
    return float(m.group(1)) * _GO_UNITS[m.group(2)]


def human_bytes(n: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n:.0f} B"
