"""Raw tables on Spark: dlt lands Parquet in a lake folder, c360 merges keys and registers the tables.

dlt's filesystem destination only appends plain Parquet (its merge needs Delta or Iceberg, whose
Spark jars cannot be had here). So after each load, per table, the rows of every earlier load whose
primary key the new load brings are removed (copy-on-write of the older files that hold such keys),
which is exactly the delete-insert merge DuckDB's raw tables get. The last merged load id of each
table is kept outside the lake (dlt and Spark read every file in a table's folder), so a crash
between dlt's load and the merge is repaired by the next run. Then each table is (re)registered in
the Spark catalog under DuckDB's names (`raw_crm.contacts` ...), so the dbt sources resolve on
either engine. The copy-on-write works on a local or mounted lake folder; a cluster's object store
would take a table format with its own merge (Delta or Iceberg through their Spark jars).
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from pathlib import Path

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dlt.common.schema.utils import get_columns_names_with_prop

from c360.engine import STATE_STORE, SparkConnection, connect, spark_home
from c360.settings import Settings
from privacy.spark_rewrite import finish_pending_erasures

log = logging.getLogger(__name__)
ROW = "__c360_row"


def lake_dir(settings: Settings) -> Path:
    """Where dlt lands the raw tables for Spark: `<warehouse>.spark/lake/<dataset>/<table>/`."""
    return spark_home(settings) / "lake"


def merged_dir(settings: Settings) -> Path:
    """Per table, the last load id whose keys were merged into the earlier loads; and rewrite scratch."""
    return spark_home(settings) / "lake_merged"


def lake_destination(settings: Settings) -> dlt.destinations.filesystem:
    return dlt.destinations.filesystem(bucket_url=str(lake_dir(settings)))


def lands_in_lake(pipeline: dlt.Pipeline) -> bool:
    return pipeline.destination.destination_type == "dlt.destinations.filesystem"


def lake_state_store(pipeline: dlt.Pipeline) -> Path:
    """The operational store (c360.engine.state_store_path) beside the lake this pipeline lands in:
    where privacy's suppressions are kept on Spark."""
    return Path(pipeline.destination.config_params["bucket_url"]).parent / STATE_STORE


class _MergedByC360(logging.Filter):
    """dlt warns at every merge table that the filesystem falls back to append; `settle` merges them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to `append`" not in record.getMessage()


logging.getLogger("dlt").addFilter(_MergedByC360())


def settle(pipeline: dlt.Pipeline, settings: Settings) -> None:
    """After a load into the lake: merge each table's keys, then register it in the Spark catalog
    (again when a load changed it, so Spark lists its files afresh). An erasure a killed `forget`
    left unfinished is finished first, before any stage reads the tables again."""
    finish_pending_erasures(settings)
    tables, dataset = merge_loads(pipeline, settings), pipeline.dataset_name
    with connect(settings) as con:
        con.execute(f"CREATE DATABASE IF NOT EXISTS {dataset}")
        registered = {name for _, name, _ in con.execute(f"SHOW TABLES IN {dataset}").fetchall()}
        for table, (folder, loaded) in tables.items():
            if loaded or table not in registered:
                register(con, f"{dataset}.{table}", folder)
        register_loads(con, dataset, lake_dir(settings) / dataset / "_dlt_loads")


def merge_loads(pipeline: dlt.Pipeline, settings: Settings) -> dict[str, tuple[Path, int]]:
    """Merge the new loads of each of the pipeline's lake tables; per table its folder and the
    number of loads merged now."""
    # The schema as the load stored it: after dagster-dlt's run the pipeline object's own schema
    # still lacks the tables the load created (seen with dagster-dlt 0.29), run_ingestion's does not.
    stored = dlt.attach(pipeline_name=pipeline.pipeline_name, pipelines_dir=pipeline.pipelines_dir)
    schema, dataset = stored.default_schema, pipeline.dataset_name
    tables = {}
    for table in schema.data_table_names():
        folder = lake_dir(settings) / dataset / table
        if not any(folder.glob("*.parquet")):
            continue  # dlt created no table (no rows, no declared schema): DuckDB has none either
        keys = get_columns_names_with_prop(schema.tables[table], "primary_key")
        loads, removed = merge_keys(folder, keys, merged_dir(settings) / dataset / table)
        if removed:
            log.info("%s.%s: %d row(s) replaced by a later load's version", dataset, table, removed)
        tables[table] = (folder, loads)
    return tables


def _load_id(file: Path) -> str:
    """dlt's file names are `<load_id>.<file_id>.parquet`, the load id a `seconds.fraction` timestamp."""
    return file.name.rsplit(".", 2)[0]


def merge_keys(folder: Path, keys: list[str], marker: Path) -> tuple[int, int]:
    """Remove from earlier loads' files the rows whose key a later load brings; the loads merged
    now and the rows removed.

    Loads are merged oldest first, each once (`marker` holds the last), so rerunning after a crash
    is idempotent: a load's keys are already gone from the older files.
    """
    loads: dict[str, list[Path]] = defaultdict(list)
    for file in folder.glob("*.parquet"):
        loads[_load_id(file)].append(file)
    order = sorted(loads, key=float)
    marker.parent.mkdir(parents=True, exist_ok=True)
    done = marker.read_text().strip() if marker.exists() else None
    pending = [load for load in order if done is None or float(load) > float(done)]
    removed = 0
    for load in pending:
        if keys:
            incoming = pa.concat_tables([pq.read_table(file, columns=keys) for file in loads[load]])
            older = [file for earlier in order if float(earlier) < float(load) for file in loads[earlier]]
            removed += sum(_drop_keys(file, keys, incoming, marker.parent) for file in older)
        marker.write_text(load)
    return len(pending), removed


def _drop_keys(file: Path, keys: list[str], incoming: pa.Table, scratch_dir: Path) -> int:
    """Rewrite `file` without rows whose key is in `incoming` (atomically); the rows dropped."""
    stored = pq.read_table(file, columns=keys)
    if len(keys) == 1:
        stale = pc.is_in(stored.column(keys[0]), value_set=incoming.column(keys[0]))
    else:
        numbered = stored.append_column(ROW, pa.array(range(stored.num_rows), pa.int64()))
        matched = numbered.join(incoming, keys=keys, join_type="left semi").column(ROW)
        stale = pc.is_in(numbered.column(ROW), value_set=matched)
    dropped = pc.sum(stale).as_py() or 0
    if not dropped:
        return 0
    kept = pq.read_table(file).filter(pc.invert(stale))
    if kept.num_rows == 0:
        file.unlink()
        return dropped
    scratch = scratch_dir / file.name
    pq.write_table(kept, scratch)
    os.replace(scratch, file)
    return dropped


def register_loads(con: SparkConnection, dataset: str, folder: Path) -> None:
    """dlt's record of completed loads (JSON lines) as `<dataset>._dlt_loads`, as on DuckDB: the run
    summary finds a run's load-report rows by it."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {dataset}._dlt_loads (load_id string, schema_name string, status bigint,"
        f" inserted_at timestamp, schema_version_hash string) USING json LOCATION '{folder}'"
    )
    con.execute(f"REFRESH TABLE {dataset}._dlt_loads")  # Spark caches a table's file list


def register(con: SparkConnection, table: str, folder: Path) -> None:
    """The lake folder as a Spark table; registered afresh so columns a later file added appear
    (`mergeSchema`: older files read NULL there, as DuckDB's raw tables have). Dropping an
    external table leaves its files."""
    con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(f"CREATE TABLE {table} USING parquet OPTIONS (mergeSchema 'true') LOCATION '{folder}'")
