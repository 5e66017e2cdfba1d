"""The engine that holds the warehouse: DuckDB (embedded, default) or Apache Spark, chosen by
configuration (`config/engine.yml`, env `C360_ENGINE`).

Every stage opens the warehouse through `connect` and gets an object with DuckDB's connection
surface (`execute(sql, params)`, `fetchall`, `fetchone`, `arrow`, `register`), so stage code does
not know which engine it talks to: on DuckDB it is the DuckDB connection itself (nothing in
between), on Spark a thin adapter over one SparkSession per process. What differs between the
engines is declared here once: the dbt target, the Splink database API, the writer lock.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR, Settings
from c360.warehouse_lock import exclusive_warehouse

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")
ENGINE_CONFIG = CONFIG_DIR / "engine.yml"


@dataclass(frozen=True)
class EngineConfig:
    name: str  # one of ENGINES
    spark_master: str = "local[2]"
    spark_conf: dict[str, str] = field(default_factory=dict)

    @property
    def dbt_target(self) -> str:
        """The output of dbt_project/profiles.yml that builds on this engine."""
        return self.name


def load_engine_config(path: Path = ENGINE_CONFIG) -> EngineConfig:
    raw = yaml.safe_load(path.read_text()) if path.exists() else {}
    name = os.environ.get("C360_ENGINE") or raw.get("engine", "duckdb")
    if name not in ENGINES:
        source = "C360_ENGINE" if os.environ.get("C360_ENGINE") else str(path)
        raise UserError(f"unknown engine {name!r} in {source}: choose one of {', '.join(ENGINES)}")
    spark = raw.get("spark") or {}
    conf = {
        str(key): str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in (spark.get("conf") or {}).items()
    }
    return EngineConfig(name=name, spark_master=str(spark.get("master", "local[2]")), spark_conf=conf)


def _warehouse(where: Settings | Path) -> Path:
    """The warehouse path, from Settings or given as such (the profile snapshot knows only the path)."""
    return where.warehouse if isinstance(where, Settings) else where


def spark_home(settings: Settings | Path) -> Path:
    """The local Spark catalog's folder beside the warehouse path: tables and the embedded metastore."""
    warehouse = _warehouse(settings)
    return warehouse.parent / f"{warehouse.name}.spark"


_spark_lock = threading.Lock()


def spark_session(settings: Settings | Path, config: EngineConfig | None = None) -> SparkSession:
    """This process's SparkSession (one JVM per process; dbt-spark's `session` method finds it).

    Unless the configuration names its own, the catalog is a Hive metastore in embedded Derby under
    `spark_home`, so tables outlive the process like a DuckDB file does. Splink's similarity
    functions (Jaro-Winkler) come from the jar Splink ships; nothing is downloaded.
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as missing:
        raise UserError(f"engine spark needs the Spark extra: pip install 'c360[spark]' ({missing})") from None
    config = config or load_engine_config()
    home = spark_home(settings)
    local = {
        "spark.sql.warehouse.dir": str(home / "warehouse"),
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={home / 'metastore_db'};create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={home}",
        "spark.jars": similarity_jar_location(),
        "spark.sql.legacy.createHiveTableByDefault": "false",
    }
    with _spark_lock:
        active = SparkSession.getActiveSession()
        if active is not None:
            serving = active.conf.get("spark.sql.warehouse.dir", "")
            if (
                serving.removeprefix("file:") != local["spark.sql.warehouse.dir"]
                and "spark.sql.warehouse.dir" not in config.spark_conf
            ):
                # The embedded metastore is bound to the JVM that opened it: one catalog per process.
                raise RuntimeError(f"this process's Spark session serves {serving}, not {home}")
            return active
        home.mkdir(parents=True, exist_ok=True)
        builder = SparkSession.builder.master(config.spark_master).appName("c360")
        for key, value in {**local, **config.spark_conf}.items():
            builder = builder.config(key, value)
        session = builder.enableHiveSupport().getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return session


class SparkConnection:
    """DuckDB's connection surface over a SparkSession, for the SQL stages run on either engine.

    `execute` binds `?` parameters positionally (Spark 3.5+ `args`); results come back as Arrow.
    """

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self._frame: DataFrame | None = None

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> SparkConnection:
        self._frame = self.session.sql(sql, args=list(params)) if params else self.session.sql(sql)
        return self

    sql = execute  # DuckDB's relation API; the result answers to_arrow_table like a relation

    def _result(self) -> DataFrame:
        if self._frame is None:
            raise RuntimeError("no statement executed on this Spark connection")
        return self._frame

    def arrow(self) -> pa.Table:
        return self._result().toArrow()

    fetch_arrow_table = to_arrow_table = arrow  # DuckDB 2 names it to_arrow_table

    def fetchall(self) -> list[tuple]:
        return [tuple(row) for row in self._result().collect()]

    def fetchone(self) -> tuple | None:
        rows = self._result().take(1)
        return tuple(rows[0]) if rows else None

    def register(self, name: str, data: pa.Table) -> SparkConnection:
        """An Arrow table as a temporary view (DuckDB's `register`). An empty table gets one empty
        chunk per column: pyspark cannot read a column of no chunks holding timestamps."""
        if data.num_rows == 0:
            data = data.schema.empty_table()
        self.session.createDataFrame(data).createOrReplaceTempView(name)
        return self

    def cursor(self) -> SparkConnection:
        return SparkConnection(self.session)

    def close(self) -> None:
        """The session outlives a connection: other stages of the run reuse the JVM."""


def existing_tables(con: Any) -> set[str]:
    """`schema.table` of every table and view on either engine (Spark has no information_schema)."""
    if isinstance(con, SparkConnection):
        catalog = con.session.catalog
        return {
            f"{database.name}.{table.name}"
            for database in catalog.listDatabases()
            for table in catalog.listTables(database.name)
            if not table.isTemporary
        }
    rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{schema}.{name}" for schema, name in rows}


@contextmanager
def connect(settings: Settings | Path, read_only: bool = False, config: EngineConfig | None = None) -> Iterator[Any]:
    """The warehouse for one step, its writer's turn taken first.

    DuckDB: a file lock (`c360.warehouse_lock`), because one process at a time may open the file;
    a read-only step opens it read-only. Spark: a lock per process (Spark serves concurrent
    readers; the Dagster pool `warehouse` serialises writers across runs).
    """
    config = config or load_engine_config()
    if config.name == "spark":
        session = spark_session(settings, config)
        with exclusive_warehouse(spark_home(settings) / "writer"):
            yield SparkConnection(session)
        return
    import duckdb

    warehouse = _warehouse(settings)
    with exclusive_warehouse(warehouse), duckdb.connect(str(warehouse), read_only=read_only) as con:
        yield con


STATE_STORE = "state.duckdb"


def state_store_path(settings: Settings) -> Path:
    """Activation's and privacy's own state on Spark: a DuckDB file beside the Spark catalog."""
    return spark_home(settings) / STATE_STORE


def parquet_location(session: SparkSession, name: str) -> Path | None:
    """The folder of Parquet files holding Spark table `name`, or None (a view, another format)."""
    details = dict(session.sql(f"DESCRIBE TABLE EXTENDED {name}").select("col_name", "data_type").collect())
    parquet = str(details.get("Provider", "")).lower() == "parquet" and "Location" in details
    return Path(str(details["Location"]).removeprefix("file:")) if parquet else None


def parquet_selects(
    session: SparkSession, con: Any, databases: Sequence[str], as_stored: bool = False
) -> Iterator[tuple[str, str, str]]:
    """(database, table, DuckDB SELECT) for each Spark table and view of `databases`, so a stage runs
    the same SQL on either engine: a Parquet table is read in place from the files Spark wrote;
    anything else (a view, dlt's JSON `_dlt_loads`, a table without files yet) comes through Spark
    as Arrow, registered on `con`. `as_stored`: tables only, with the types their files hold (as the
    DuckDB warehouse does: dlt's raw timestamps keep their time zone, Spark's INT96 ones are naive)."""
    for database in databases:
        if not session.catalog.databaseExists(database):
            continue
        for table in session.catalog.listTables(database):
            if table.isTemporary or (as_stored and table.tableType == "VIEW"):
                continue
            name = f"{database}.{table.name}"
            location = parquet_location(session, name)
            if location is not None and any(location.rglob("*.parquet")):
                source = f"read_parquet('{location}/**/*.parquet', hive_partitioning = true, union_by_name = true)"
            else:
                source = f"spark__{database}__{table.name}"
                con.register(source, session.table(name).toArrow())
            # Spark's TIMESTAMP is an instant (Parquet: adjusted to UTC); the DuckDB warehouse keeps
            # naive UTC timestamps, so they come back as such (the session zone is UTC).
            columns = [
                f'"{column}"::TIMESTAMP AS "{column}"'
                if kind == "TIMESTAMP WITH TIME ZONE" and not as_stored
                else f'"{column}"'
                for column, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            ]
            yield database, table.name, f"SELECT {', '.join(columns)} FROM {source}"


def _parquet_views(session: SparkSession, con: Any, databases: Sequence[str], as_stored: bool) -> None:
    for database in databases:
        con.execute(f"DROP SCHEMA IF EXISTS {database} CASCADE")  # a table Spark dropped leaves no view
        con.execute(f"CREATE SCHEMA {database}")
    for database, table, select in parquet_selects(session, con, databases, as_stored):
        con.execute(f"CREATE VIEW {database}.{table} AS {select}")


def warehouse_exists(settings: Settings | Path) -> bool:
    """Whether a run has written the warehouse yet: the DuckDB file, or the local Spark catalog."""
    warehouse = _warehouse(settings)
    return (spark_home(warehouse) if load_engine_config().name == "spark" else warehouse).exists()


@contextmanager
def operational_store(
    settings: Settings | Path,
    reads: Sequence[str],
    read_only: bool = False,
    config: EngineConfig | None = None,
    as_stored: bool = False,
) -> Iterator[Any]:
    """Where activation keeps what needs transactions and upserts (sync state, deliveries, run
    reports, erasure forwarding), with the warehouse databases it `reads` visible beside it.

    DuckDB: the warehouse itself. Spark: plain Parquet tables give Spark neither transactions nor
    upserts (Delta or Iceberg would; their jars are not available here), so the state is a DuckDB
    file beside the Spark catalog, as a sync tool keeps its state in its own store, and the Spark
    tables it reads (`reads`: e.g. marts) are views over the Parquet files Spark wrote (see
    `parquet_selects` for `as_stored`).
    """
    config = config or load_engine_config()
    if config.name != "spark":
        with connect(settings, read_only=read_only, config=config) as con:
            yield con
        return
    import duckdb

    session = spark_session(settings, config)
    path = state_store_path(settings)
    with exclusive_warehouse(path), duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        _parquet_views(session, con, reads, as_stored)
        yield con


@contextmanager
def duckdb_analysis(settings: Settings, reads: Sequence[str], config: EngineConfig | None = None) -> Iterator[Any]:
    """A DuckDB connection for the tools written against DuckDB relations (Splink's charts, waterfalls
    and evaluation): the warehouse itself on DuckDB; on Spark an in-memory DuckDB in which the Spark
    databases it `reads` are views over the Parquet files Spark wrote. Their scratch tables then stay
    in memory and the Spark catalog is only read."""
    config = config or load_engine_config()
    if config.name != "spark":
        with connect(settings, config=config) as con:
            yield con
        return
    import duckdb

    session = spark_session(settings, config)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        _parquet_views(session, con, reads, as_stored=False)
        yield con
