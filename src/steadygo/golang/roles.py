"""What a package is for: service, library, cli, example or test-support.

Judged from the package's folder inside its module (example, test support)
or inside its repository (command and tool folders), never from the scan
root, so a module gives the same findings whatever directory a scan starts
from; and from its imports: a non-test file that imports "testing" is test
support (helpers taking testing.TB).  Rules that judge production code only
ask ``not_a_service``; logging rules ask ``is_cli``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from steadygo.golang.facts import programs_linking
from steadygo.golang.names import words
from steadygo.golang.parse import ancestors, text

if TYPE_CHECKING:  # annotations only: importing at run time would close a circle
    from steadygo.golang.rules.base import FileContext


TEST_SUPPORT_DIR = re.compile(r"(^|/)(testutils?|testhelpers?|testing|mocks?|fakes?|testdata|integration|e2e|examples?|_examples?)(/|$)")


_FIXTURE_FILE = re.compile(r"(^|[_-])(fixtures?|testdata|mock|mocks|fakes?)(_[a-z0-9]+)?\.go$")


def fixture_file(relpath: str) -> bool:
    """``entity/auth_session_fixtures.go``, ``mock_store.go``: test data kept
    beside production code (compiled in, but only tests read it)."""
    base = relpath.replace("\\", "/").rsplit("/", 1)[-1]
    return _FIXTURE_FILE.search(base) is not None or base.startswith(("fixtures", "mock_", "fake_"))


def under_cmd(repo_dir: str) -> bool:
    """The package folder (inside its repository) is under a ``cmd`` folder."""
    return "cmd" in repo_dir.replace("\\", "/").split("/")

# Directories of command-line tools: cmd/..., etcdctl/..., kubectl/...
CLI_DIR = re.compile(r"/(?:cmd|cli|tools?|hack|scripts?|examples?|_examples|demos?|\w*demo|\w+ctl|\w+-cli|runner)/")


def is_cli(ctx: FileContext) -> bool:
    """A main package, or a file under a command-line/example directory."""
    if ctx.file.package_name == "main":
        return True
    return CLI_DIR.search("/" + ctx.repo_dir + "/") is not None


# Programs that are not deployed services: examples and demos, and test
# harnesses (end-to-end, integration and functional-test servers and proxies).
# ``mock*`` folders: mocks/, carbonapi's cmd/mockbackend, mockserver/.
_NOT_A_SERVICE_DIR = re.compile(r"/(?:examples?|_examples|demos?|\w*demo|samples?"
                                r"|tests?|testutils?|testhelpers?|testing|e2e|integration|functional|mock[\w-]*|fakes?|dummy)/")
# Go's naming convention for test-support packages: httptest, iotest, fstest,
# acmetest ("package footest provides utilities for testing foo").  English
# words that happen to end in "test" are not that.
_TEST_SUFFIX = re.compile(r"(?<=/)[a-z0-9_-]+test(?=/)")  # loadtest, e2e_test, ziti-traffic-test
_TEST_SUFFIX_WORDS = frozenset({"latest", "contest", "attest", "protest", "detest", "fastest", "greatest",
                                "shortest", "hottest", "softest", "smartest"})


# contrib/ holds example programs and community extras around a project
# (etcd contrib/lock, contrib/raftexample), not the deployed service;
# raftexample, grpcexample: a folder named for the example it is;
# quickstart/: the sample app a product ships to show its integration
# (hanko's quickstart, a module of its own).
# cmd/dendrite-demo-pinecone: a demo named with hyphens is a demo too.
_EXAMPLE_DIR = re.compile(r"/(?:examples?|_examples|\w*examples?|demos?|\w*demo|[\w-]+-demo(?:-[\w-]+)?|samples?|quickstarts?"
                          r"|documentation|docs|contrib)/")
# ... and programs that generate code, corpora or docs, fuzz and benchmark
# drivers, debugging aids: run by developers, never deployed.
# A main under build/ is build tooling (flipt's build/ module runs its CI
# pipeline and the mock servers its tests need).
# kubectl-<name>: a kubectl plugin is a CLI by its name; devbox, debug-<x>,
# <x>-debug: a developer's environment or debugging aid.
_TOOL_DIR = re.compile(r"/(?:cli|tools?|hack|scripts?|\w+ctl|\w+-cli|runner"
                       r"|_?\w*gen|generators?|fuzz\w*|bench(?:marks?)?|debugging|build"
                       r"|kubectl-[\w-]+|devbox[\w-]*|debug-[\w-]+|[\w-]+-debug)/")


# Folders that put a nested module in a test harness whatever it is called
# inside (narrower than _NOT_A_SERVICE_DIR: a linter's own tests/fixtures/
# modules are what they pretend to be).
# tests/apps/, tests/perf/: the programs an end-to-end or performance suite
# deploys and drives (dapr keeps dozens, each a module of its own).
# acceptance/: consul-k8s's acceptance suite keeps the apps a failover case
# deploys as modules under acceptance/tests/fixtures/cases/.
_HARNESS_MODULE_DIR = re.compile(r"/(?:e2e|dummy|mocks?|fakes?|testutils?|testhelpers?|integration|acceptance|testapps?"
                                 r"|tests?/(?:apps?|images?|perf\w*|load\w*))/")


# ``h2c_test_server``, ``e2e-test-backend``, ``test-backend``: "test" as a
# word of its own inside a folder's name.  At the start of the name only
# before a hyphen: a folder named "test_<x>" is as often a scratch
# directory (pytest's test_<name>0) as a harness.
_TEST_WORD = re.compile(r"(?<=/)(?:(?:[a-z0-9]+[-_])+tests?(?:[-_][a-z0-9]+)+|tests?(?:-[a-z0-9]+)+)(?=/)")


def _names_tests(path: str) -> bool:
    """A folder of ``path`` ends in "test" as a word of its own or a suffix
    (``loadtest``, ``ziti-traffic-test``), not as "latest" or "contest", or
    has "test" as a word inside (``h2c_test_server``)."""
    return _TEST_WORD.search(path) is not None or any(
        re.split(r"[-_]", m.group(0))[-1] not in _TEST_SUFFIX_WORDS for m in _TEST_SUFFIX.finditer(path))


def not_a_service(ctx: FileContext) -> bool:
    """The file's package is an example, demo or test support."""
    return package_role(ctx.pkg, ctx.module_dir) in ("example", "test-support")


def package_role(pkg, module_dir: str) -> str:
    """One of rulemeta.ALL_ROLES for the package whose folder inside its module is
    ``module_dir`` (memoised on the package)."""
    return pkg.memo("roles.role", lambda: _role(pkg, module_dir))


def _role(pkg, module_dir: str) -> str:
    if pkg.role_override:
        return pkg.role_override
    by_path = _role_by_path(module_dir, pkg.module_in_repo())
    if by_path is not None:
        return by_path
    if any(f.imports.imports("testing") and not f.path.endswith("_test.go") for f in pkg.files):
        return "test-support"  # helpers that take testing.TB: only tests run them
    is_main = any(f.package_name == "main" for f in pkg.files)
    if is_main:
        return program_role_by_path(module_dir, pkg.module_in_repo())
    return "library"


def program_role_by_path(module_dir: str, in_repo: str) -> str:
    """The role of a ``main`` package from its folders alone: example,
    test-support, cli (a tool folder with its own go.mod, tools/, hack/, is
    judged on its path from the repository too, as examples are) or
    service."""
    by_path = _role_by_path(module_dir, in_repo)
    if by_path is not None:
        return by_path
    path, repo_path = "/" + module_dir + "/", "/" + in_repo + "/"
    return "cli" if _TOOL_DIR.search(path) or _TOOL_DIR.search(repo_path) else "service"


def _role_by_path(module_dir: str, in_repo: str) -> str | None:
    """example or test-support when the folders say so, else None."""
    path = "/" + module_dir + "/"
    if _EXAMPLE_DIR.search(path) is not None:
        return "example"
    # A module nested under documentation/examples/ of a repository is an
    # example however its own folders are named (judged on the path from the
    # repository root to the module, for example folders only: tools keep
    # their test fixtures in folders named "tests").
    if _EXAMPLE_DIR.search("/" + in_repo + "/") is not None:
        return "example"
    if _NOT_A_SERVICE_DIR.search(path) is not None:
        return "test-support"
    # A module of its own under test/e2e/ (a mock webhook, a login-consent
    # app the end-to-end suite starts) is a test harness, not a service.
    if in_repo and _HARNESS_MODULE_DIR.search("/" + in_repo + "/") is not None:
        return "test-support"
    if _names_tests(path):
        return "test-support"
    # A module of its own whose folder is named for tests (ziti's zititest/)
    if in_repo and _names_tests("/" + in_repo + "/"):
        return "test-support"
    return None


def linked_only_into_tools(pkg, file) -> bool:
    """In a module with programs, every ``main`` that links the file's
    package is a tool, a test harness or an example by its folders
    (open-match's ``tools/reaper/internal``, linked only into
    ``tools/reaper``): its servers are not the service's.  Needs the "debug"
    module facts (the import graph)."""
    facts = pkg.module_facts
    if pkg.role_override or not pkg.module.root or facts is None or not facts.mains:
        return False  # a [roles] table entry decides for the package
    own = pkg.module_dir(file) or "."
    programs = programs_linking(facts, own)
    in_repo = pkg.module_in_repo()
    if not programs:
        return False
    if all(_developer_program(m if m != "." else "", in_repo) for m in programs):
        return True
    # A package of the tool's own tree (porter's ``cli/cmd/login``), linked
    # only into programs that are tools: the CLI's code, not a library a
    # server binary in cli/ links (brook's root package).
    return _TOOL_DIR.search("/" + own + "/") is not None and all(
        program_role_by_path(m if m != "." else "", in_repo) != "service" for m in programs)


# Folders of programs only developers run.  Narrower than _TOOL_DIR: a
# ``cli/brook`` main is the product's server binary as often as a client
# (brook's proxies are served from the library it links).
_DEVELOPER_DIR = re.compile(r"/(?:tools?|hack|scripts?|build|fuzz\w*|bench(?:marks?)?)/")


def _developer_program(main_dir: str, in_repo: str) -> bool:
    if program_role_by_path(main_dir, in_repo) in ("example", "test-support"):
        return True
    return _DEVELOPER_DIR.search("/" + main_dir + "/") is not None or _DEVELOPER_DIR.search("/" + in_repo + "/") is not None


# Schema migrations: run once, by a migration tool, before or at start-up.
_MIGRATION_DIR = re.compile(r"(?:^|/)(?:\w+_)?(?:migrations?|migrate)/?$")
_GOOSE = "github.com/pressly/goose"
_GOOSE_REGISTER = ("AddMigration", "AddMigrationContext", "AddMigrationNoTx", "AddMigrationNoTxContext",
                   "AddNamedMigration", "AddNamedMigrationContext", "AddNamedMigrationNoTx",
                   "AddNamedMigrationNoTxContext")


def is_migration_package(pkg, module_dir: str) -> bool:
    """A package of one-shot schema migrations: its folder is named
    ``migrations`` (``migration``, ``migrate``, ``db_migrations``), or a
    non-test file of it registers Go migrations with goose
    (``goose.AddMigration...`` needs the import).  Their per-row loops run
    once per deployment inside the tool's transaction, not per request."""
    def compute() -> bool:
        if _MIGRATION_DIR.search(module_dir.replace("\\", "/")) is not None:
            return True
        for f in pkg.files:
            if f.path.endswith("_test.go") or not f.imports.imports_prefix(_GOOSE):
                continue
            for call in pkg.calls_in(f, *_GOOSE_REGISTER):
                t = f.call_target(call)
                if t is not None and t[0].startswith(_GOOSE):
                    return True
        return False
    return pkg.memo("roles.migrations", compute)


def _names_migration(name: str) -> bool:
    return any(w in ("migration", "migrations", "migrate") for w in words(name))


def in_migration_step(node) -> bool:
    """``node`` is inside a schema-migration step kept beside production
    code: a func literal handed to a constructor named for migrations
    (``newFuncMigration("0.2.0", "0.3.0", func(db *sql.DB) error {...})``)
    or held by a variable or function so named (``var postgresMigrations =
    []migration{...}``, ``func migrateV2(...)``); shiori's Postgres upgrade
    steps.  Like a migrations package, a failed step ends the start-up."""
    for n in ancestors(node):
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            name = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
            if name is not None and _names_migration(text(name)):
                return True
        elif n.type in ("var_spec", "function_declaration", "method_declaration"):
            name = n.child_by_field_name("name")
            if name is not None and _names_migration(text(name)):
                return True
    return False
