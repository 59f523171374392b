"""SG713: a go.mod ``toolchain`` line older than its ``go`` line."""

from __future__ import annotations

from steadygo.artifacts.rules.base import ArtifactContext, ArtifactRule, build_meta
from steadygo.findings import Severity
from steadygo.golang import gomod


class ToolchainOlderThanGo(ArtifactRule):
    meta = build_meta(
        "SG713", "toolchain-older-than-go", Severity.INFO,
        "stale toolchain pin",
        "The go.mod `toolchain` line names an older Go than the `go` line: it has no effect and is stale.")

    def check(self, ctx: ArtifactContext) -> None:
        for mod in ctx.facts.go_mods:
            if not (mod.toolchain and mod.go_version and mod.toolchain_line):
                continue
            if mod.toolchain == "default":
                continue  # 'toolchain default' (go1.21+): no pin, nothing to compare
            # A custom toolchain name ('go1.22.1-custom') still starts with its release.
            pinned = gomod.go_release(mod.toolchain.split("-", 1)[0])
            minimum = gomod.go_release(mod.go_version)
            if pinned is None or minimum is None or not mod.toolchain.startswith("go"):
                continue
            if pinned < minimum:
                ctx.report(mod.path, mod.toolchain_line,
                           f"toolchain {mod.toolchain} is older than go {mod.go_version}: the go command ignores "
                           f"it (the go line already requires go{mod.go_version} or newer), so anything that "
                           "reads the toolchain line to pick a builder image or CI Go version builds with a "
                           "Go the module refuses; raise it or drop it (`go get toolchain@none`)")
