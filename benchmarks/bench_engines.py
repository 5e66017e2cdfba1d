"""DuckDB against Apache Spark (local[2]): the same `c360 run` on the same generated universe, the
engine chosen by `C360_ENGINE`, one after the other in the same benchmark run.

    ./dev python benchmarks/bench_engines.py --people 100000

Each side runs in its own child process on a fresh warehouse and Dagster instance
(`bench_run.run_once`): wall time, each stage's seconds from the run summary, the rest (start-up,
dbt parse, Dagster; on Spark the JVM start too). CPU and peak memory are those of the processes the
run waited for: the Spark driver JVM is started by PySpark and not waited for, so on Spark they
leave the JVM out and only the wall times compare fairly. Spark on one 2-core machine is expected
to be slower: it is there for data that outgrows one machine, and this says by how much and where.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from benchmarks.bench_pipeline import generate
from benchmarks.bench_run import run_once
from c360.settings import PROJECT_ROOT

ENGINES = ("duckdb", "spark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/c360_bench_engines"))
    args = parser.parse_args()
    landing = generate(args.workdir, args.people, args.seed)
    runs = {}
    for engine in ENGINES:
        runs[engine] = run_once(PROJECT_ROOT, landing.parent / f"run_{engine}", landing, engine=engine)
        print(f"{engine}: {json.dumps(runs[engine])}", file=sys.stderr)
    duck, spark = runs["duckdb"], runs["spark"]
    ratios = {
        "wall": round(spark["wall"] / duck["wall"], 2),
        **{
            stage: round(seconds / duck["stages"][stage], 2)
            for stage, seconds in spark["stages"].items()
            if duck["stages"].get(stage)
        },
    }
    load = [round(x, 1) for x in os.getloadavg()]
    print(
        json.dumps(
            {"people": args.people, "load_average_1_5_15": load, "runs": runs, "spark_over_duckdb": ratios}, indent=2
        )
    )


if __name__ == "__main__":
    main()
