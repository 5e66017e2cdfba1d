"""The house's layout, read from the import graph (ast): stages sit on the ground floor, the CLI on top.

Stages may import each other and c360's shared ground floor (settings, errors, the warehouse lock,
pipeline configuration); none imports the CLI, anything of c360 that itself imports a stage (the
runner, preflight, run summary: the CLI's floor), the synthetic-data generator, the tests or the
benchmarks. The ground floor imports no stage, so any stage can use it without a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("ingestion", "identity", "activation", "privacy", "dagster_defs", "enrichment", "profiles")
NEVER_FROM_A_STAGE = ("c360.cli", "c360_generator", "tests", "benchmarks")


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules(package: str) -> dict[str, set[str]]:
    """module name -> what it imports, for every module of a top-level package."""
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): imports(path)
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def is_within(module: str, packages: tuple[str, ...] | set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def stage_imports_of(packages: tuple[str, ...] | set[str]) -> set[str]:
    """`<stage module> imports <module>` for every import of one of `packages` by a stage."""
    return {
        f"{module} imports {imported}"
        for stage in STAGES
        for module, imported_modules in modules(stage).items()
        for imported in imported_modules
        if is_within(imported, packages)
    }


def test_no_stage_imports_the_cli_the_generator_the_tests_or_the_benchmarks():
    assert stage_imports_of(NEVER_FROM_A_STAGE) == set()


def test_no_stage_imports_a_c360_module_that_imports_a_stage():
    c360 = modules("c360")
    upstairs = {module for module, imported in c360.items() if any(is_within(i, STAGES) for i in imported)}
    assert "c360.cli" in upstairs or "c360.runner" in upstairs  # the CLI's floor is found this way
    assert stage_imports_of(upstairs) == set()


def test_the_generator_is_its_own_package_importing_neither_c360_nor_a_stage():
    assert not (ROOT / "c360" / "generator").exists()
    imported = {i for found in modules("c360_generator").values() for i in found}
    assert "c360_generator.run" in imported  # the graph is read
    assert not any(is_within(i, ("c360", *STAGES)) for i in imported)
