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


def spark_home(settings: Settings) -> Path:
    """The local Spark catalog's folder beside the warehouse path: tables and the embedded metastore."""
    return settings.warehouse.parent / f"{settings.warehouse.name}.spark"


_spark_lock = threading.Lock()


def spark_session(settings: Settings, config: EngineConfig | None = None) -> SparkSession:
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


@contextmanager
def connect(settings: Settings, read_only: bool = False, config: EngineConfig | None = None) -> Iterator[Any]:
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

    with exclusive_warehouse(settings.warehouse), duckdb.connect(str(settings.warehouse), read_only=read_only) as con:
        yield con
