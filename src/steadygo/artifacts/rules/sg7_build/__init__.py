"""Build-layer rules (SG7xx): Dockerfiles and go.mod."""

from steadygo.artifacts.rules.sg7_build.sg701_shell_entrypoint_swallows_sigterm import ShellEntrypointSwallowsSigterm
from steadygo.artifacts.rules.sg7_build.sg702_final_image_runs_as_root import FinalImageRunsAsRoot
from steadygo.artifacts.rules.sg7_build.sg703_unpinned_base_image import UnpinnedBaseImage
from steadygo.artifacts.rules.sg7_build.sg704_source_copied_before_module_download import SourceCopiedBeforeModuleDownload
from steadygo.artifacts.rules.sg7_build.sg705_go_build_without_trimpath import GoBuildWithoutTrimpath
from steadygo.artifacts.rules.sg7_build.sg706_go_run_in_final_image import GoRunInFinalImage
from steadygo.artifacts.rules.sg7_build.sg707_cgo_binary_without_libc import CgoBinaryWithoutLibc
from steadygo.artifacts.rules.sg7_build.sg708_shell_form_in_image_without_shell import ShellFormWithoutShell
from steadygo.artifacts.rules.sg7_build.sg710_go_directive_unsupported_release import GoDirectiveUnsupportedRelease
from steadygo.artifacts.rules.sg7_build.sg711_module_sums_missing import ModuleSumsMissing
from steadygo.artifacts.rules.sg7_build.sg712_local_replace_in_image_build import LocalReplaceInImageBuild
from steadygo.artifacts.rules.sg7_build.sg713_toolchain_older_than_go import ToolchainOlderThanGo
from steadygo.artifacts.rules.sg7_build.sg714_direct_requirement_pseudo_version import DirectRequirementPseudoVersion
from steadygo.artifacts.rules.sg7_build.sg715_module_cache_verify_failed import ModuleCacheVerifyFailed
from steadygo.artifacts.rules.sg7_build.sg716_vulnerable_dependency import VulnerableDependency
from steadygo.artifacts.rules.sg7_build.sg719_local_module_cycle import LocalModuleCycle

RULES = [
    ShellEntrypointSwallowsSigterm(),
    FinalImageRunsAsRoot(),
    UnpinnedBaseImage(),
    SourceCopiedBeforeModuleDownload(),
    GoBuildWithoutTrimpath(),
    GoRunInFinalImage(),
    CgoBinaryWithoutLibc(),
    ShellFormWithoutShell(),
    GoDirectiveUnsupportedRelease(),
    ModuleSumsMissing(),
    LocalReplaceInImageBuild(),
    ToolchainOlderThanGo(),
    DirectRequirementPseudoVersion(),
    ModuleCacheVerifyFailed(),
    VulnerableDependency(),
    LocalModuleCycle(),
]
