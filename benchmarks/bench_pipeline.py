"""How the whole pipeline scales: `c360 run` on generated universes of growing size.

For each size, a universe is generated once (cached in --workdir, not timed), then `c360 run` runs
in a child process on a fresh warehouse and Dagster instance, exactly as a user starts it
(`bench_run.run_once`). Reported per size: wall time, CPU time (the run and every process it waited
for), peak resident memory (the largest process of that tree), each stage's seconds from the run
summary, and the rest of the wall time (imports, dbt parse, Dagster start-up, the summary).

This table has no baseline of its own: each stage's fair baseline is in its own benchmark
(bench_ingestion, bench_identity, bench_dbt, bench_activation). It shows how those add up and
whether anything grows faster than the data.

    ./dev python benchmarks/bench_pipeline.py --people 20000 100000 235000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from benchmarks.bench_run import run_once
from c360.settings import PROJECT_ROOT


def generate(workdir: Path, people: int, seed: int) -> Path:
    """The universe's landing folder, generated on first use."""
    landing = workdir / f"people_{people}_seed_{seed}" / "landing"
    if not landing.exists():
        partial = landing.with_name("landing.partial")
        shutil.rmtree(partial, ignore_errors=True)
        truth = landing.parent / "truth.csv"
        c360 = [sys.executable, "-m", "c360.cli"]
        args = ["generate", "--people", str(people), "--seed", str(seed), "--out", str(partial), "--truth", str(truth)]
        subprocess.run([*c360, *args], check=True, stdout=subprocess.DEVNULL)
        partial.rename(landing)
    return landing


def person_records(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM identity.customer_map").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[20_000, 100_000, 235_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/c360_bench_pipeline"))
    args = parser.parse_args()
    rows = []
    for people in args.people:
        landing = generate(args.workdir, people, args.seed)
        work = landing.parent / "run"
        shutil.rmtree(work, ignore_errors=True)
        load = os.getloadavg()[0]
        result = run_once(PROJECT_ROOT, work, landing)
        result.update(people=people, person_records=person_records(work / "c360.duckdb"), load_before=round(load, 1))
        print(json.dumps(result), flush=True)
        rows.append(result)
    stage_names = list(dict.fromkeys(name for row in rows for name in row["stages"]))
    print(
        "\n| people | person records | wall s | CPU s | peak MiB | " + " | ".join(stage_names) + " | outside stages |"
    )
    print("|---" * (6 + len(stage_names)) + "|")
    for row in rows:
        stages = " | ".join(f"{row['stages'].get(name, 0):.1f}" for name in stage_names)
        print(
            f"| {row['people']:,} | {row['person_records']:,} | {row['wall']:.1f} | {row['cpu']:.1f} | "
            f"{row['peak_mb']:,} | {stages} | {row['outside_stages']:.1f} |"
        )


if __name__ == "__main__":
    main()
