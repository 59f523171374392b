"""Build and deploy facts: what each Dockerfile and Kubernetes object says,
as plain JSON-serialisable data with the file and line of every fact.

They sit in the engine's fact store beside the Go service facts
(``steadygo.golang.facts``); the SG7xx/SG8xx rules and, later, the
cross-artifact checks read only these.  Values the file leaves open (an
``ARG`` with no default, a probe port named in no container) are ``None``,
never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steadygo.artifacts.modgraph import ModuleGraph
from steadygo.artifacts.serial import Serialisable

# --------------------------------------------------------------------------
# Dockerfiles


@dataclass
class ImageRef(Serialisable):
    raw: str  # as written, with ARG defaults substituted
    name: str = ""  # repository without tag or digest: golang, gcr.io/distroless/static
    tag: str | None = None
    digest: str | None = None
    stage: int | None = None  # index of the earlier stage this FROM names
    unresolved: bool = False  # an ARG without a default is left in it
    from_arg: bool = False  # the whole reference is one ARG (FROM $BASE_IMAGE): the build passes the image

    @property
    def is_scratch(self) -> bool:
        return self.name == "scratch" and self.stage is None


@dataclass
class ContainerCommand(Serialisable):
    """ENTRYPOINT or CMD, or a pod's command/args."""

    line: int
    form: str  # exec | shell
    argv: list[str]  # exec form as written; shell form: ['/bin/sh', '-c', text] or the SHELL in force
    text: str  # the instruction's value as written


@dataclass
class GoBuild(Serialisable):
    line: int
    command: str  # build | install
    flags: list[str]
    targets: list[str]
    output: str | None
    trimpath: bool  # -trimpath on the command line or in GOFLAGS
    cgo_enabled: str | None  # '0' | '1' | None when the Dockerfile does not say
    static_link: bool  # -extldflags -static in -ldflags
    tags: list[str] = field(default_factory=list)


@dataclass
class CopyStep(Serialisable):
    line: int
    instruction: str  # COPY | ADD
    sources: list[str]
    dest: str
    from_stage: int | None = None  # index of the stage copied from
    from_image: str | None = None  # --from=<image> naming no stage
    whole_context: bool = False  # '.', './' or '*' copied from the build context


@dataclass
class Stage(Serialisable):
    index: int
    line: int
    base: ImageRef
    name: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # ENV and ARG values in force at the end of the stage
    env_lines: dict[str, int] = field(default_factory=dict)
    user: str | None = None  # last USER of the stage
    user_line: int | None = None
    entrypoint: ContainerCommand | None = None
    cmd: ContainerCommand | None = None
    shell: list[str] | None = None  # SHELL instruction in force
    go_builds: list[GoBuild] = field(default_factory=list)
    go_run_lines: list[int] = field(default_factory=list)  # RUN go run ...
    mod_download_lines: list[int] = field(default_factory=list)  # go mod download / go mod vendor-free fetch
    copies: list[CopyStep] = field(default_factory=list)
    c_toolchain_line: int | None = None  # apk/apt installs gcc, build-base, musl-dev, build-essential
    privilege_drop_line: int | None = None  # installs or starts gosu/su-exec/setpriv: the entrypoint drops root
    go_version: str | None = None  # of a golang:<version> base image, through the stages it builds on


@dataclass
class DockerfileFacts(Serialisable):
    path: str
    stages: list[Stage]
    global_args: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None


# --------------------------------------------------------------------------
# Kubernetes


@dataclass
class Probe(Serialisable):
    line: int
    handler: str  # httpGet | tcpSocket | grpc | exec | none
    path: str | None = None
    port: int | str | None = None  # as written
    port_number: int | None = None  # named ports resolved against the container's ports
    command: list[str] = field(default_factory=list)
    initial_delay_seconds: int = 0
    period_seconds: int = 10  # Kubernetes defaults, so arithmetic needs no None checks
    timeout_seconds: int = 1
    failure_threshold: int = 3
    success_threshold: int = 1

    def same_check_as(self, other: "Probe") -> bool:
        return (self.handler, self.path, self.port_number or self.port, self.command) == (
            other.handler, other.path, other.port_number or other.port, other.command)


@dataclass
class EnvVar(Serialisable):
    name: str
    line: int
    value: str | None = None  # None when it comes from valueFrom
    value_from: str | None = None  # fieldRef | resourceFieldRef | secretKeyRef | configMapKeyRef


@dataclass
class Resources(Serialisable):
    line: int | None = None  # the resources: key
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str] = field(default_factory=dict)
    limits_line: dict[str, int] = field(default_factory=dict)


@dataclass
class Container(Serialisable):
    name: str
    line: int
    image: str | None = None
    image_line: int | None = None
    command: ContainerCommand | None = None  # command: (replaces ENTRYPOINT)
    args: list[str] | None = None  # args: (replaces CMD)
    ports: dict[str, int] = field(default_factory=dict)  # named container ports
    port_numbers: list[int] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    has_env_from: bool = False  # envFrom: values the manifest does not show
    resources: Resources = field(default_factory=Resources)
    readiness: Probe | None = None
    liveness: Probe | None = None
    startup: Probe | None = None
    pre_stop: list[str] | None = None  # exec command, or ['sleep', N] / ['httpGet', path]
    pre_stop_kind: str | None = None  # exec | httpGet | sleep
    pre_stop_line: int | None = None
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    run_as_non_root_line: int | None = None
    init: bool = False  # an initContainer (probes and limits are judged differently)

    def env_value(self, name: str) -> EnvVar | None:
        for e in self.env:
            if e.name == name:
                return e
        return None


@dataclass
class Workload(Serialisable):
    kind: str  # Deployment | StatefulSet | DaemonSet | ReplicaSet | Job | CronJob | Pod
    name: str
    path: str
    line: int  # the document's first line (its kind: key)
    namespace: str | None = None
    api_version: str = ""
    replicas: int | None = None  # None: not written (Kubernetes defaults to 1)
    replicas_line: int | None = None
    strategy: str | None = None  # RollingUpdate | Recreate | OnDelete
    max_unavailable: int | str | None = None
    max_surge: int | str | None = None
    strategy_line: int | None = None
    labels: dict[str, str] = field(default_factory=dict)  # pod template labels
    selector: dict[str, str] = field(default_factory=dict)  # spec.selector.matchLabels
    containers: list[Container] = field(default_factory=list)
    termination_grace_seconds: int | None = None
    termination_grace_line: int | None = None
    pod_run_as_non_root: bool | None = None
    pod_run_as_user: int | None = None
    pod_run_as_non_root_line: int | None = None
    annotations: dict[str, str] = field(default_factory=dict)  # the object's own (steadygo.dev/ignore)

    @property
    def batch(self) -> bool:
        return self.kind in ("Job", "CronJob")

    @property
    def key(self) -> tuple[str, str | None]:
        return self.name, self.namespace


@dataclass
class K8sService(Serialisable):
    name: str
    path: str
    line: int
    namespace: str | None = None
    selector: dict[str, str] = field(default_factory=dict)
    selector_line: int | None = None
    service_type: str = "ClusterIP"


@dataclass
class HPA(Serialisable):
    name: str
    path: str
    line: int
    namespace: str | None = None
    target_kind: str = ""
    target_name: str = ""
    target_line: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None


@dataclass
class PDB(Serialisable):
    name: str
    path: str
    line: int
    namespace: str | None = None
    selector: dict[str, str] = field(default_factory=dict)
    min_available: int | str | None = None
    max_unavailable: int | str | None = None


@dataclass
class SchemaProblem(Serialisable):
    """A key or value the Kubernetes schema does not allow (``livenessprobe:``)."""

    path: str
    line: int
    object_kind: str
    object_name: str
    field_path: str  # spec.template.spec.containers[0].livenessprobe
    message: str


@dataclass
class ObjectSpan(Serialisable):
    """Where one Kubernetes object sits, and its ``steadygo.dev/ignore`` annotation."""

    kind: str
    name: str
    path: str
    line: int  # first line of the document
    end_line: int
    ignore: str | None = None  # "SG812=reason,SG813=reason"
    ignore_line: int | None = None


@dataclass
class ManifestFacts(Serialisable):
    objects: list[ObjectSpan] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    services: list[K8sService] = field(default_factory=list)
    hpas: list[HPA] = field(default_factory=list)
    pdbs: list[PDB] = field(default_factory=list)
    schema_problems: list[SchemaProblem] = field(default_factory=list)

    def extend(self, other: "ManifestFacts") -> None:
        for name in ("objects", "workloads", "services", "hpas", "pdbs", "schema_problems"):
            getattr(self, name).extend(getattr(other, name))


# --------------------------------------------------------------------------
# go.mod and go.sum


@dataclass
class GoRequirementFact(Serialisable):
    path: str
    version: str
    line: int
    indirect: bool = False  # marked '// indirect'
    pseudo: bool = False  # a pseudo-version (v0.0.0-20240101000000-abcdef123456 and its two other forms)


@dataclass
class GoReplaceFact(Serialisable):
    old_path: str
    new_path: str  # a module path, or a directory ('../lib') when local
    line: int
    old_version: str | None = None  # None: every version of old_path
    new_version: str | None = None  # None for a local directory
    local: bool = False


@dataclass
class GoVerifyProblem(Serialisable):
    """A module whose copy in the module cache no longer matches its recorded hash."""

    module: str
    version: str
    message: str  # 'dir has been modified' | 'zip has been modified'


@dataclass
class GoVulnCall(Serialisable):
    """Where the module's own code calls toward a vulnerable symbol: the
    first frame of govulncheck's trace that is in this module."""

    path: str  # display path of the calling file
    line: int
    function: str  # the calling function: 'handle', 'Server.Serve'
    symbol: str  # the vulnerable symbol it reaches: 'vulnlib.Parse'


@dataclass
class GoVulnFact(Serialisable):
    """One vulnerability of the vulnerability database that govulncheck found
    in a module's build, at the deepest level it could see."""

    osv: str  # GO-2024-1234
    module: str  # module path, 'stdlib' for the standard library
    version: str  # the version in the build: 'v1.0.0' ('v1.27.3' for stdlib)
    fixed: str | None  # first fixed version, None when no release fixes it
    level: str  # 'symbol' (the code calls it) | 'package' (imported) | 'module' (only required)
    summary: str = ""
    # the vulnerable packages the code imports; at 'module' level the ones the entry lists
    packages: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)  # reached symbols ('symbol'), else the vulnerable ones listed
    calls: list[GoVulnCall] = field(default_factory=list)


@dataclass
class GoModFacts(Serialisable):
    path: str  # display path of the go.mod
    module: str = ""
    module_line: int = 0
    go_version: str | None = None  # the go line as written: '1.22', '1.22.3'
    go_line: int | None = None
    toolchain: str | None = None  # as written: 'go1.23.4', 'default'
    toolchain_line: int | None = None
    requires: list[GoRequirementFact] = field(default_factory=list)
    replaces: list[GoReplaceFact] = field(default_factory=list)
    # go.sum beside it: 'present', 'missing', 'unreadable', or 'unknown' (a
    # go.mod given as text, with no directory to look in).
    sum_state: str = "unknown"
    sum_path: str | None = None  # display path of that go.sum
    # 'path version' of every module go.sum holds a hash for (of its zip or
    # only of its go.mod: either shows go has resolved that version).
    summed: list[str] = field(default_factory=list)
    vendored: bool = False  # vendor/modules.txt beside it: go builds from vendor/ and needs no go.sum
    # `go mod verify` (offline, only when SG715 is enabled): 'not-asked', 'nothing'
    # (no module from the cache), 'verified', 'failed', 'not-run' (see verify_reason).
    verify_state: str = "not-asked"
    verify_problems: list[GoVerifyProblem] = field(default_factory=list)
    verify_reason: str | None = None  # why it did not run, or what it could not check
    verify_unchecked: list[str] = field(default_factory=list)  # module@version missing from the cache
    # govulncheck (offline, only when SG716 is enabled): 'not-asked', 'checked',
    # 'not-run' (see vuln_reason).
    vuln_state: str = "not-asked"
    vulns: list[GoVulnFact] = field(default_factory=list)
    vuln_reason: str | None = None

    def replacement_for(self, req: GoRequirementFact) -> GoReplaceFact | None:
        """The replace that applies to ``req``: a versioned one wins over a
        path-wide one, as in the go command."""
        exact = [r for r in self.replaces if r.old_path == req.path and r.old_version == req.version]
        wide = [r for r in self.replaces if r.old_path == req.path and r.old_version is None]
        return (exact or wide or [None])[-1]


@dataclass
class ImageBuild(Serialisable):
    """An image the repo's build files build from a Dockerfile: a ``docker
    build -t NAME -f PATH CONTEXT`` in a Makefile, script or CI file, a
    skaffold artifact, a goreleaser docker image (``artifacts.build_scripts``)."""

    repository: str  # image name without tag or digest, as written once variables are resolved
    dockerfiles: list[str]  # where the Dockerfile may be (display paths), most likely first
    path: str  # the build file
    line: int
    tool: str  # 'docker build', 'podman build', 'buildah bud', 'skaffold', 'goreleaser', ...


@dataclass
class ArtifactFacts(Serialisable):
    """Everything the build and deploy layers know about one scan."""

    dockerfiles: list[DockerfileFacts] = field(default_factory=list)
    manifests: ManifestFacts = field(default_factory=ManifestFacts)
    go_mods: list[GoModFacts] = field(default_factory=list)
    modules: ModuleGraph | None = None  # the repo's own modules, when a rule needs them
    image_builds: list[ImageBuild] = field(default_factory=list)  # from Makefiles, scripts, CI files
