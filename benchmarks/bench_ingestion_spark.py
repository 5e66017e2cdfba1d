"""Ingestion of the bundled sample on Spark (local[2]) against DuckDB, same process, rounds interleaved.

    ./dev python benchmarks/bench_ingestion_spark.py --rounds 2

Both sides run the real `run_ingestion` into fresh raw tables: DuckDB into a new file; Spark into a
fresh lake (dlt's filesystem destination, Parquet), merged and registered in the Spark catalog
(ingestion.lake). The JVM is started once before the rounds and its start is reported apart: a
pipeline run pays it once per process. One JVM holds one catalog, so each Spark round reuses the
warehouse path and clears the lake and dlt's state first (as tests/test_ingestion_spark.py does).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import ingestion.pipelines
from c360.engine import connect, spark_home
from c360.settings import SAMPLE_DIR, Settings
from ingestion.pipelines import pipelines_dir, run_ingestion

SETTLING: list[float] = []  # seconds in ingestion.lake.settle (merge keys, register in the catalog), per source


def timed_after_load(pipeline, settings: Settings) -> None:
    started = time.monotonic()
    after_load(pipeline, settings)
    SETTLING.append(time.monotonic() - started)


after_load = ingestion.pipelines.after_load
ingestion.pipelines.after_load = timed_after_load  # run_ingestion calls it through the module


def settings_in(root: Path) -> Settings:
    return Settings(warehouse=root / "c360.duckdb", landing=SAMPLE_DIR, exports=root / "e", reports=root / "r")


def duckdb_round(base: Path, number: int) -> float:
    os.environ["C360_ENGINE"] = "duckdb"
    started = time.monotonic()
    run_ingestion(settings_in(base / f"duckdb_{number}"))
    return time.monotonic() - started


def spark_round(settings: Settings) -> tuple[float, float]:
    """Seconds of the whole ingestion and of its merging and registering."""
    os.environ["C360_ENGINE"] = "spark"
    for folder in (spark_home(settings) / "lake", spark_home(settings) / "lake_merged", pipelines_dir(settings)):
        shutil.rmtree(folder, ignore_errors=True)
    SETTLING.clear()
    started = time.monotonic()
    run_ingestion(settings)
    return time.monotonic() - started, sum(SETTLING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="c360-bench-spark-") as scratch:
        base = Path(scratch)
        spark = settings_in(base / "spark")
        os.environ["C360_ENGINE"] = "spark"
        started = time.monotonic()
        with connect(spark) as con:
            con.execute("SELECT 1").fetchall()
        jvm = time.monotonic() - started
        times: dict[str, list[float]] = {"duckdb": [], "spark": []}
        settling: list[float] = []
        for number in range(args.rounds):
            for name in ["duckdb", "spark"] if number % 2 == 0 else ["spark", "duckdb"]:
                if name == "duckdb":
                    times[name].append(duckdb_round(base, number))
                else:
                    whole, settled = spark_round(spark)
                    times[name].append(whole)
                    settling.append(settled)
    print(f"Spark session start (JVM, metastore): {jvm:.1f}s")
    for name, seconds in times.items():
        print(
            f"{name:7s} sample ingestion: median {statistics.median(seconds):.1f}s  rounds {[round(s, 1) for s in seconds]}"
        )
    print(f"of Spark's, merging keys and registering tables (ingestion.lake.settle): {[round(s, 1) for s in settling]}")
    print(f"Spark / DuckDB: {statistics.median(times['spark']) / statistics.median(times['duckdb']):.1f}x")


if __name__ == "__main__":
    main()
