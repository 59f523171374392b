"""Kubernetes objects (``k8s_yaml.K8sObject``) into deploy facts."""

from __future__ import annotations

from steadygo.artifacts.facts import (
    HPA, PDB, Container, ContainerCommand, EnvVar, K8sService, ManifestFacts, ObjectSpan, Probe, Resources, Workload,
)

IGNORE_ANNOTATION = "steadygo.dev/ignore"
from steadygo.artifacts.k8s_yaml import K8sObject

# Where each workload kind keeps its pod spec.
POD_SPEC_PATH = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}


def _get(data, path):
    for p in path:
        if isinstance(data, dict):
            data = data.get(p)
        elif isinstance(data, list) and isinstance(p, int) and p < len(data):
            data = data[p]
        else:
            return None
    return data


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_map(value) -> dict[str, str]:
    return {str(k): str(v) for k, v in _dict(value).items()}


def extract(objects: list[K8sObject]) -> ManifestFacts:
    out = ManifestFacts()
    for obj in objects:
        kind = obj.kind
        name, _ = _meta(obj)
        ignore = _get(obj.data, ("metadata", "annotations", IGNORE_ANNOTATION))
        out.objects.append(ObjectSpan(kind=kind, name=name, path=obj.path, line=obj.line, end_line=obj.end_line or obj.line,
                                      ignore=str(ignore) if ignore is not None else None,
                                      ignore_line=obj.lines.get(("metadata", "annotations", IGNORE_ANNOTATION))))
        if kind in POD_SPEC_PATH:
            out.workloads.append(workload(obj))
        elif kind == "Service" and obj.api_version == "v1":
            out.services.append(service(obj))
        elif kind == "HorizontalPodAutoscaler":
            out.hpas.append(hpa(obj))
        elif kind == "PodDisruptionBudget":
            out.pdbs.append(pdb(obj))
    return out


def _kind_line(obj: K8sObject) -> int:
    """Findings about a whole object point at its ``kind:`` line."""
    return obj.lines.get(("kind",), obj.line)


def _meta(obj: K8sObject) -> tuple[str, str | None]:
    meta = _dict(obj.data.get("metadata"))
    ns = meta.get("namespace")
    return str(meta.get("name", "")), (str(ns) if ns is not None else None)


def workload(obj: K8sObject) -> Workload:
    name, ns = _meta(obj)
    d = obj.data
    spec = _dict(d.get("spec"))
    w = Workload(kind=obj.kind, name=name, namespace=ns, path=obj.path, line=_kind_line(obj), api_version=obj.api_version,
                 annotations=_str_map(_get(d, ("metadata", "annotations"))))
    if obj.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        w.replicas = _int(spec.get("replicas"))
        w.replicas_line = obj.lines.get(("spec", "replicas"))
    strategy_key = "updateStrategy" if obj.kind in ("StatefulSet", "DaemonSet") else "strategy"
    strategy = _dict(spec.get(strategy_key))
    if strategy or obj.kind == "Deployment":
        w.strategy = str(strategy.get("type", "RollingUpdate"))
        rolling = _dict(strategy.get("rollingUpdate"))
        w.max_unavailable = rolling.get("maxUnavailable")
        w.max_surge = rolling.get("maxSurge")
        w.strategy_line = obj.line_of("spec", strategy_key, "rollingUpdate", "maxUnavailable", default=0) or None
    w.selector = _str_map(_get(spec, ("selector", "matchLabels")))
    pod_path = POD_SPEC_PATH[obj.kind]
    template_meta = pod_path[:-1] + ("metadata",) if obj.kind != "Pod" else ("metadata",)
    w.labels = _str_map(_get(d, template_meta + ("labels",)))
    pod = _dict(_get(d, pod_path))
    w.termination_grace_seconds = _int(pod.get("terminationGracePeriodSeconds"))
    w.termination_grace_line = obj.lines.get(pod_path + ("terminationGracePeriodSeconds",))
    pod_sc = _dict(pod.get("securityContext"))
    w.pod_run_as_non_root = pod_sc.get("runAsNonRoot") if isinstance(pod_sc.get("runAsNonRoot"), bool) else None
    w.pod_run_as_user = _int(pod_sc.get("runAsUser"))
    w.pod_run_as_non_root_line = obj.lines.get(pod_path + ("securityContext", "runAsNonRoot"))
    for key, init in (("initContainers", True), ("containers", False)):
        for i, c in enumerate(_list(pod.get(key))):
            if isinstance(c, dict):
                w.containers.append(container(obj, c, pod_path + (key, i), init))
    return w


def container(obj: K8sObject, c: dict, path: tuple, init: bool) -> Container:
    line = obj.line_of(*path)
    out = Container(name=str(c.get("name", "")), line=line, init=init)
    if "image" in c:
        out.image = str(c["image"])
        out.image_line = obj.lines.get(path + ("image",))
    for p in _list(c.get("ports")):
        if isinstance(p, dict) and _int(p.get("containerPort")) is not None:
            out.port_numbers.append(p["containerPort"])
            if p.get("name"):
                out.ports[str(p["name"])] = p["containerPort"]
    command = c.get("command")
    if isinstance(command, list):
        argv = [str(a) for a in command]
        out.command = ContainerCommand(line=obj.lines.get(path + ("command",), line), form="exec", argv=argv,
                                       text=" ".join(argv))
    if isinstance(c.get("args"), list):
        out.args = [str(a) for a in c["args"]]
    for i, e in enumerate(_list(c.get("env"))):
        if isinstance(e, dict) and "name" in e:
            vf = _dict(e.get("valueFrom"))
            out.env.append(EnvVar(name=str(e["name"]), line=obj.line_of(*path, "env", i),
                                  value=None if vf else (str(e["value"]) if e.get("value") is not None else ""),
                                  value_from=next(iter(vf), None)))
    out.has_env_from = bool(c.get("envFrom"))
    res = c.get("resources")
    if isinstance(res, dict):
        out.resources = Resources(line=obj.lines.get(path + ("resources",)),
                                  requests=_str_map(res.get("requests")), limits=_str_map(res.get("limits")),
                                  limits_line={k: obj.line_of(*path, "resources", "limits", k)
                                               for k in _dict(res.get("limits"))})
    out.readiness = probe(obj, c, path, "readinessProbe", out.ports)
    out.liveness = probe(obj, c, path, "livenessProbe", out.ports)
    out.startup = probe(obj, c, path, "startupProbe", out.ports)
    pre_stop = _dict(_get(c, ("lifecycle", "preStop")))
    if pre_stop:
        out.pre_stop_line = obj.lines.get(path + ("lifecycle", "preStop"))
        if "exec" in pre_stop:
            out.pre_stop_kind = "exec"
            out.pre_stop = [str(a) for a in _list(_get(pre_stop, ("exec", "command")))]
        elif "sleep" in pre_stop:
            out.pre_stop_kind = "sleep"
            out.pre_stop = ["sleep", str(_get(pre_stop, ("sleep", "seconds")))]
        elif "httpGet" in pre_stop:
            out.pre_stop_kind = "httpGet"
            out.pre_stop = ["httpGet", str(_get(pre_stop, ("httpGet", "path")) or "/")]
    sc = _dict(c.get("securityContext"))
    out.run_as_non_root = sc.get("runAsNonRoot") if isinstance(sc.get("runAsNonRoot"), bool) else None
    out.run_as_user = _int(sc.get("runAsUser"))
    out.run_as_non_root_line = obj.lines.get(path + ("securityContext", "runAsNonRoot"))
    return out


def probe(obj: K8sObject, c: dict, path: tuple, key: str, named_ports: dict[str, int]) -> Probe | None:
    p = c.get(key)
    if not isinstance(p, dict):
        return None
    out = Probe(line=obj.line_of(*path, key), handler="none")
    for handler in ("httpGet", "tcpSocket", "grpc", "exec"):
        h = p.get(handler)
        if isinstance(h, dict):
            out.handler = handler
            if handler == "exec":
                out.command = [str(a) for a in _list(h.get("command"))]
            else:
                out.port = h.get("port")
                out.path = str(h["path"]) if handler == "httpGet" and h.get("path") is not None else None
                if _int(out.port) is not None:
                    out.port_number = out.port
                elif isinstance(out.port, str):
                    out.port_number = int(out.port) if out.port.isdigit() else named_ports.get(out.port)
            break
    for field, attr in (("initialDelaySeconds", "initial_delay_seconds"), ("periodSeconds", "period_seconds"),
                        ("timeoutSeconds", "timeout_seconds"), ("failureThreshold", "failure_threshold"),
                        ("successThreshold", "success_threshold")):
        value = _int(p.get(field))
        if value is not None and value > 0:
            setattr(out, attr, value)
    return out


def service(obj: K8sObject) -> K8sService:
    name, ns = _meta(obj)
    spec = _dict(obj.data.get("spec"))
    return K8sService(name=name, namespace=ns, path=obj.path, line=_kind_line(obj), selector=_str_map(spec.get("selector")),
                      selector_line=obj.lines.get(("spec", "selector")), service_type=str(spec.get("type", "ClusterIP")))


def hpa(obj: K8sObject) -> HPA:
    name, ns = _meta(obj)
    spec = _dict(obj.data.get("spec"))
    ref = _dict(spec.get("scaleTargetRef"))
    return HPA(name=name, namespace=ns, path=obj.path, line=_kind_line(obj), target_kind=str(ref.get("kind", "")),
               target_name=str(ref.get("name", "")), target_line=obj.lines.get(("spec", "scaleTargetRef")),
               min_replicas=_int(spec.get("minReplicas")), max_replicas=_int(spec.get("maxReplicas")))


def pdb(obj: K8sObject) -> PDB:
    name, ns = _meta(obj)
    spec = _dict(obj.data.get("spec"))
    return PDB(name=name, namespace=ns, path=obj.path, line=_kind_line(obj),
               selector=_str_map(_get(spec, ("selector", "matchLabels"))),
               min_available=spec.get("minAvailable"), max_unavailable=spec.get("maxUnavailable"))
