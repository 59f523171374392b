"""Settings the project's own deployment files bind to every interface.

A Go default of ``127.0.0.1:8080`` keeps a listener local only until the
shipped configuration says otherwise: crowdsec's ``build/docker/config.yaml``
sets ``listen_uri: 0.0.0.0:8080``, easegress's Helm ConfigMap
``api-addr: 0.0.0.0:2381``, hoverfly's Dockerfile runs
``-listen-on-host=0.0.0.0``.  This reads the module's configuration,
Dockerfiles, charts and scripts as text (never runs or renders them) and
returns the keys and flags given a public address (``0.0.0.0``, ``[::]`` or a
bare ``:port``), normalised (``listen_uri`` -> ``listenuri``).  Files that are
tests, examples or development set-ups (``artifacts.roles``) do not count.
"""

from __future__ import annotations

import os
import re

from steadygo.artifacts.roles import artifact_role
from steadygo.discovery import SKIP_DIRS

_SUFFIXES = (".yaml", ".yml", ".toml", ".json", ".env", ".conf", ".ini", ".cfg", ".properties", ".tpl", ".sh",
             ".service", ".hcl")
_NAMES = re.compile(r"(?i)^(dockerfile|containerfile)([.-].*)?$|.*\.dockerfile$|^\.env(\..*)?$")
_PUBLIC = r"(?:0\.0\.0\.0(?::\d{1,5})?|\[::\](?::\d{1,5})?|:\d{2,5})(?![\w.])"
# ``listen_uri: 0.0.0.0:8080``, ``"api-addr": ":2381"``, ``BIND_ADDR=0.0.0.0``
_KEY_VALUE = re.compile(r"""["']?([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?""" + _PUBLIC)
# ``-listen-on-host=0.0.0.0``, ``--http 0.0.0.0:8080``
_FLAG = re.compile(r"""(?<![\w-])--?([A-Za-z][A-Za-z0-9_.-]*)(?:=|\s+)["']?""" + _PUBLIC)
_MAX_FILES = 5000
_MAX_BYTES = 512 * 1024


def normalise(key: str) -> str:
    """``server.listen_uri`` -> ``listenuri``: the last dotted part, letters
    and digits only, lower case."""
    return re.sub(r"[^a-z0-9]", "", key.rsplit(".", 1)[-1].lower())


def public_address_keys(root: str) -> list[str]:
    """Normalised keys and flags the deployment files under ``root`` set to a
    public address."""
    keys: set[str] = set()
    seen = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not (name.endswith(_SUFFIXES) or _NAMES.match(name)):
                continue
            path = os.path.join(directory, name)
            if artifact_role(os.path.relpath(path, root)) != "service":
                continue
            seen += 1
            if seen > _MAX_FILES:
                return sorted(keys)
            body = _read(path)
            if body is None:
                continue
            for m in _KEY_VALUE.finditer(body):
                keys.add(normalise(m.group(1)))
            for m in _FLAG.finditer(body):
                keys.add(normalise(m.group(1)))
    keys.discard("")
    return sorted(keys)


def _read(path: str) -> str | None:
    try:
        if not os.path.isfile(path) or os.path.islink(path) or os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, "rb") as fh:
            data = fh.read(_MAX_BYTES)
    except OSError:
        return None  # unreadable: it simply says nothing
    if b"\0" in data:
        return None
    return data.decode("utf-8", "replace")
