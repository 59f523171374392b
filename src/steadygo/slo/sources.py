"""Load SLO specs from one or more files in any supported format, told
apart by ``version``/``apiVersion`` the way sloth tells its own apart:

- steadygo's own (``version: 1`` or no version), one document;
- sloth ``version: prometheus/v1``, one or several documents (sloth's
  ``multifile`` example puts a service per document);
- ``apiVersion: sloth.slok.dev/v1`` ``kind: PrometheusServiceLevel``, and
- ``apiVersion: openslo/v1alpha`` / ``openslo/v1`` ``kind: SLO``, both
  possibly among other objects of a multi-document Kubernetes file (the
  other objects are skipped).

Every file of a run shares one namespace of (service, SLO name): two SLOs
with the same pair would become two rule groups of the same name."""

from __future__ import annotations

from steadygo.errors import UserError
from steadygo.slo import openslo, sloth, spec, yamlsrc
from steadygo.slo.spec import Spec, Where

SLOTH_FILE_VERSION = "prometheus/v1"
SLOTH_CRD = ("sloth.slok.dev/v1", "PrometheusServiceLevel")
SUPPORTED = (
    "steadygo 'version: 1', sloth 'version: prometheus/v1', "
    "'apiVersion: sloth.slok.dev/v1' PrometheusServiceLevel, 'apiVersion: openslo/v1alpha' or 'openslo/v1' SLO"
)


def _where(doc, path: str) -> Where:
    return Where(path, getattr(doc, "line", 1) or 1, "")


def loads(text: str, path: str, seen: dict | None = None) -> list[Spec]:
    seen = {} if seen is None else seen
    docs = yamlsrc.loads_all(text, path)
    if not docs:
        raise UserError(f"{path}:1: the spec is empty")
    first = docs[0]
    if len(docs) == 1 and isinstance(first, dict) and "apiVersion" not in first:
        return [_single(first, path, seen)]
    placed = [(d, _where(d, path)) for d in docs]
    slis = openslo.sli_objects([(d, w) for d, w in placed if isinstance(d, dict)])
    out = []
    for doc, where in placed:
        if not isinstance(doc, dict):
            raise where.fail("expected a mapping (a Kubernetes object)")
        api = doc.get("apiVersion")
        kind = doc.get("kind")
        if (api, kind) == SLOTH_CRD:
            out.append(sloth.crd_to_spec(doc, where, path, seen))
        elif api in openslo.API_VERSIONS and kind == "SLO":
            out.append(openslo.to_spec(doc, where, path, seen, slis))
        elif isinstance(api, str) and api.startswith("openslo/") and api not in openslo.API_VERSIONS:
            raise where.key(doc, "apiVersion").fail(f"unsupported OpenSLO version {api!r} (expected openslo/v1alpha or openslo/v1)")
        elif api is None and doc.get("version") == SLOTH_FILE_VERSION:
            out.append(sloth.to_spec(doc, where, path, sloth.FILE_KEYS, seen))
        elif api is None and "version" in doc:
            raise where.fail("a file with several documents holds sloth prometheus/v1 specs, Kubernetes or OpenSLO "
                             "objects only; put this spec in its own file")
        # Anything else (a Deployment, an OpenSLO Service or SLI) is not an SLO.
    if not out:
        raise UserError(f"{path}: no SLO found (expected one of: {SUPPORTED})")
    return out


def _single(doc, path: str, seen: dict) -> Spec:
    where = _where(doc, path)
    version = doc.get("version", 1)
    if version == SLOTH_FILE_VERSION:
        return sloth.to_spec(doc, where, path, sloth.FILE_KEYS, seen)
    if version != 1:
        raise where.key(doc, "version").fail(f"unsupported version {version!r} (expected one of: {SUPPORTED})")
    s = spec.validate(doc, path)
    for slo in s.slos:
        if (s.service, slo.name) in seen:
            raise UserError(
                f"{path}:{slo.line}: duplicate SLO name {slo.name!r} in service {s.service!r} "
                f"(first defined at {seen[(s.service, slo.name)]})"
            )
        seen[(s.service, slo.name)] = f"{path}:{slo.line}"
    return s


def load_all(paths: list[str]) -> list[Spec]:
    """Every spec of every file; the first error stops the run (nothing is written)."""
    seen: dict = {}
    out: list[Spec] = []
    for path in paths:
        out.extend(loads(yamlsrc.read(path), path, seen))
    return out
