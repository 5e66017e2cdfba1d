"""The identity stage on Spark (local[2]) against DuckDB, on the same inputs in one process.

    ./dev c360 run                                                      # a DuckDB warehouse first
    ./dev python benchmarks/bench_identity_spark.py --warehouse warehouse/c360.duckdb --rounds 2

Copies the DuckDB warehouse, drops its persistent-id tables so both engines start with a first run,
and copies the dbt models identity reads into a fresh local Spark catalog. Then `--rounds` runs of
`run_identity` per engine (the first on an empty customer map, later ones carrying ids forward),
DuckDB first, then Spark (its session started before, and timed apart: a JVM start is paid once per
process). Prints seconds, customers and records reassigned per run, the Spark session's start, and
the pairwise agreement of the two engines' first customer maps (identity.engine_comparison).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from c360.engine import connect
from c360.settings import Settings
from identity.engine_comparison import agreement, copy_identity_inputs
from identity.persistent_ids import CUSTOMER_MAP, HISTORY, REGISTRY, RUNS
from identity.resolve import run_identity


def _settings(warehouse: Path) -> Settings:
    return Settings(
        warehouse=warehouse, landing=warehouse.parent, exports=warehouse.parent / "x", reports=warehouse.parent / "r"
    )


def _rounds(engine: str, settings: Settings, rounds: int) -> tuple[list[dict], list[tuple]]:
    """`rounds` identity runs on `engine`; their figures and the first run's customer map."""
    os.environ["C360_ENGINE"] = engine
    runs, first_map = [], []
    for number in range(rounds):
        started = time.perf_counter()
        result = run_identity(settings, person_models=lambda settings: None)  # inputs copied in: no dbt
        runs.append(
            {
                "seconds": round(time.perf_counter() - started, 1),
                "customers": result["customers"],
                "records_reassigned": result["records_reassigned"],
            }
        )
        if number == 0:
            with connect(settings) as con:
                first_map = con.execute(f"SELECT * FROM {CUSTOMER_MAP}").fetchall()
    return runs, first_map


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a DuckDB warehouse after `c360 run`")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="c360_bench_identity_spark_"))
    try:
        duck = _settings(work / "duckdb" / "c360.duckdb")
        duck.warehouse.parent.mkdir()
        shutil.copy(args.warehouse, duck.warehouse)
        with duckdb.connect(str(duck.warehouse)) as con:
            for table in (CUSTOMER_MAP, HISTORY, REGISTRY, RUNS):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        duckdb_runs, duckdb_map = _rounds("duckdb", duck, args.rounds)
        spark = _settings(work / "spark" / "c360.duckdb")
        os.environ["C360_ENGINE"] = "spark"
        started = time.perf_counter()
        with connect(spark) as con:
            session_start = round(time.perf_counter() - started, 1)
            copy_identity_inputs(duck.warehouse, con)
        spark_runs, spark_map = _rounds("spark", spark, args.rounds)
        compared = agreement(duckdb_map, spark_map)
        compared.pop("differing_pairs")
        print(
            json.dumps(
                {
                    "duckdb": duckdb_runs,
                    "spark_session_start_seconds": session_start,
                    "spark_local_2": spark_runs,
                    "agreement": compared,
                    "load_average_1_5_15": [round(load, 1) for load in os.getloadavg()],
                }
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
