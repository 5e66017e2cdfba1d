"""Every dbt invocation of c360 (the Dagster assets, identity's person-record models, the tests) runs
here: in this process, with one parsed manifest reused for as long as the project is unchanged.

Why not a `dbt` subprocess per command: each one pays dbt's imports (~4 s CPU) and parses the project
again. dbt hashes the profile, warehouse path included, into its partial-parse state, so a parse
for one warehouse is thrown away for the next; dbt's work folder is therefore kept per warehouse
(`<warehouse>.dbt/`), and a manifest parsed in this process is reused for every warehouse whose
file has the same name (the name is dbt-duckdb's database name, the only thing in the manifest
that comes from the profile). The engine (c360.engine) chooses the profile's target: on Spark the
SparkSession is created first (dbt-spark's session method finds it), the manifest comes from the
target alone, whatever the warehouse path, and is parsed into its own folder.

dbt keeps global state (flags, adapters, the event manager), so invocations take turns.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest
from dbt.version import __version__ as DBT_VERSION
from dbt_common.events.base_types import EventMsg

from c360.engine import load_engine_config, spark_session
from c360.errors import UserError
from c360.settings import DBT_PROJECT_DIR, Settings
from registry import dbt_vars

logger = logging.getLogger(__name__)

_turn = threading.RLock()
_PROJECT_FILE_PARTS = ("models", "macros", "tests")
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml")
STORED_PARSE = "manifest.pickle"


@dataclass(frozen=True)
class ParsedProject:
    manifest: Manifest
    manifest_path: Path  # manifest.json as this parse wrote it (what dagster-dbt reads), with
    # partial_parse.msgpack beside it: a warehouse's next parse is partial


_parsed: dict[tuple, ParsedProject] = {}


class DbtParseError(UserError):
    """The dbt project (its models, YAML or vars) does not parse; dbt's own result is kept."""

    def __init__(self, result: dbtRunnerResult) -> None:
        super().__init__(f"dbt could not parse the project: {result.exception or 'see the dbt log'}")
        self.result = result


def work_dir(warehouse: Path) -> Path:
    """dbt's target and logs for one warehouse, beside it."""
    return warehouse.parent / f"{warehouse.name}.dbt"


def _project_args() -> list[str]:
    """The arguments every invocation shares (besides `--vars`: `_vars_args`): the engine's target."""
    target = load_engine_config().dbt_target
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target", target]


def _on_spark() -> bool:
    return load_engine_config().name == "spark"


def _work_args(warehouse: Path, target: Path | None) -> list[str]:
    work = work_dir(warehouse)
    return ["--target-path", str(target or work / "target"), "--log-path", str(work / "logs")]


def _project_state() -> tuple:
    """Every project file's size and modification time: a changed model means a new parse."""
    files = [DBT_PROJECT_DIR / name for name in _PROJECT_FILES]
    for part in _PROJECT_FILE_PARTS:
        files.extend(sorted((DBT_PROJECT_DIR / part).rglob("*")))
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files if path.is_file())


def _vars_args(args: Sequence[str]) -> tuple[str, str]:
    """The `--vars` of a command: what dbt learns from the source registry (registry.dbt_vars) plus
    the command's own `--vars`. Vars shape the parse (refs, configs), so they are part of it."""
    own = yaml.safe_load(args[args.index("--vars") + 1]) if "--vars" in args else None
    return ("--vars", json.dumps({**dbt_vars(), **(own or {})}))


def _without_vars(args: Sequence[str]) -> list[str]:
    at = args.index("--vars") if "--vars" in args else len(args)
    return [*args[:at], *args[at + 2 :]]


def parsed_project(warehouse: Path, args: Sequence[str] = ()) -> ParsedProject:
    """The project's manifest for this warehouse and a command's `args` (their vars): from this
    process's cache when the project files and the vars are unchanged, else parsed by dbt
    (partially, when the warehouse's own manifest/partial_parse.msgpack is still valid)."""
    vars_args = _vars_args(args)
    spark = _on_spark()
    # dbt-duckdb names the database after the file; dbt-spark's relations carry no database
    key = (DBT_VERSION, None if spark else warehouse.name, tuple(_project_args()), vars_args, _project_state())
    # builds write target/: this stays the parse's (one per target: a parse for the other engine's
    # target would overwrite it)
    parsed_into = work_dir(warehouse) / ("manifest.spark" if spark else "manifest")
    with _turn:
        cached = _parsed.get(key) or _stored_parse(parsed_into, key)
        if cached is None or not cached.manifest_path.exists():
            result = invoke(warehouse, ["parse", *vars_args], manifest=None, target=parsed_into)
            if not result.success:
                raise DbtParseError(result)
            cached = ParsedProject(result.result, parsed_into / "manifest.json")
            _store_parse(parsed_into, key, cached.manifest)
        _parsed[key] = cached
        return cached


def _stored_parse(parsed_into: Path, key: tuple) -> ParsedProject | None:
    """The manifest an earlier process parsed with the same key (project files, vars, target, dbt
    version), pickled beside its manifest.json: loading it takes ~0.03 s of CPU where dbt's partial
    parse of an unchanged project takes ~1.6 s (it reads its own msgpack and hashes every file)."""
    try:
        with (parsed_into / STORED_PARSE).open("rb") as stored:
            stored_key, fields = pickle.load(stored)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None  # none yet, or written by another dbt: parse again
    return ParsedProject(Manifest(**fields), parsed_into / "manifest.json") if stored_key == key else None


def _store_parse(parsed_into: Path, key: tuple, manifest: Manifest) -> None:
    # The manifest's fields, not the manifest: dbt's own `Manifest.__reduce_ex__` lists them in an
    # order the class no longer has (dbt 1.11), and the private ones (lookups, a lock) are caches.
    fields = {field.name: getattr(manifest, field.name) for field in dataclasses.fields(manifest)}
    public = {name: value for name, value in fields.items() if not name.startswith("_")}
    partial = parsed_into / f"{STORED_PARSE}.partial"
    with partial.open("wb") as stored:
        pickle.dump((key, public), stored, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(parsed_into / STORED_PARSE)  # whole or not at all, for a run starting meanwhile


def invoke(
    warehouse: Path,
    args: Sequence[str],
    *,
    manifest: Manifest | None | bool = True,
    callbacks: Sequence[Callable[[EventMsg], None]] = (),
    target: Path | None = None,
    console: Sequence[str] = ("--quiet",),
) -> dbtRunnerResult:
    """`dbt <args>` against `warehouse`, in this process; `manifest=True` reuses the parsed project.
    `console` are dbt's flags for its own terminal output (default: errors only)."""
    with _turn:
        if manifest is True:
            try:
                manifest = parsed_project(warehouse, args).manifest
            except DbtParseError as failed:
                return failed.result  # the command fails where dbt's own would: while parsing
        spark = _on_spark()
        if spark:
            from c360.dbt_spark import use_session_python_models  # dbt-spark: the Spark extra

            spark_session(dataclasses.replace(Settings.from_env(), warehouse=warehouse))
            use_session_python_models()
        previous = os.environ.get("C360_WAREHOUSE")
        os.environ["C360_WAREHOUSE"] = str(warehouse)  # dbt_project/profiles.yml reads it
        try:
            runner = dbtRunner(manifest=manifest or None, callbacks=list(callbacks))
            command = [*_without_vars(args), *_vars_args(args)]
            return runner.invoke([*command, *_project_args(), *_work_args(warehouse, target), *console])
        finally:
            if not spark:
                _close_dbt_connection()
            if previous is None:
                os.environ.pop("C360_WAREHOUSE", None)
            else:
                os.environ["C360_WAREHOUSE"] = previous


def _close_dbt_connection() -> None:
    """dbt-duckdb keeps the warehouse open in this process after a run; a later connection with
    another configuration (read-only: the run summary, a check) would be refused."""
    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()
