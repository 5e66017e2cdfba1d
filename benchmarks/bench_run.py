"""The fixed cost of `c360 run`: wall time outside the stages, and dbt's overhead per dbt step.

    ./dev python benchmarks/bench_run.py --rounds 2
    ./dev python benchmarks/bench_run.py --rounds 2 --baseline main   # the same against a git ref
    ./dev python benchmarks/bench_run.py --rounds 1 --baseline main --baseline HEAD~1   # several refs

Runs `c360 run` on the bundled sample in a child process (as a user does: imports, Dagster
instance with run storage, dbt parse, the stages, the run summary) into a fresh warehouse, once to
warm it up, then `--rounds` more times on the same warehouse (warm: nothing new to load, dbt's
partial parse valid). From each run's own output:
- stage seconds: the run summary's `stages:` line (Dagster's step durations, summed per stage);
- fixed cost: wall time minus the stages, i.e. start-up, imports, parsing the dbt project, building
  the Dagster definitions and instance, the summary;
- dbt overhead: the dbt stage's seconds minus dbt's own elapsed time (the `Finished running ... (Ns)`
  line dbt prints, the `elapsed_time` of its run_results.json), per dbt step: dbt's start-up
  (imports, parse, adapter) and turning its results into Dagster events.
CPU is the child's user+system time (dbt subprocesses included), which moves less than the wall
time on a shared machine; peak memory is the largest process of that tree (`wait4`'s `ru_maxrss`). `--baseline REF` runs `git archive REF` of this repository the same way,
in turns with this checkout (this, baseline, this, baseline; with several refs, each in turn), each
with its own warehouse and its own Dagster instance (the dagster.yaml of its own tree).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from c360.settings import PROJECT_ROOT

STAGES_LINE = re.compile(r"^stages:\s+(.*)$", re.MULTILINE)
STAGE = re.compile(r"(\w+) ([\d.]+)s")
DBT_ELAPSED = re.compile(r"^Finished running .* \(([\d.]+)s\)\.$", re.MULTILINE)


def run_once(checkout: Path, work: Path, landing: Path | None = None, engine: str = "duckdb") -> dict:
    """One `c360 run` of `checkout`'s code on `landing` (default: its bundled sample) into `work`, on
    `engine`; its wall time, CPU and peak memory (the run and every process it waited for) and their split."""
    env = {
        **os.environ,
        "C360_ENGINE": engine,
        "PYTHONPATH": str(checkout),
        "DAGSTER_HOME": str(work / "dagster_home"),
        "C360_WAREHOUSE": str(work / "c360.duckdb"),
        "C360_EXPORTS": str(work / "exports"),
        "C360_REPORTS": str(work / "reports"),
        "C360_LANDING": str(landing or checkout / "data" / "sample"),
    }
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    (work / "dagster_home" / "dagster.yaml").write_text((checkout / "dagster_home" / "dagster.yaml").read_text())
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "c360.cli", "run"], cwd=checkout, env=env, stdout=subprocess.PIPE, text=True
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"c360 run failed in {checkout}:\n{output[-3000:]}")
    stages = {name: float(s) for name, s in STAGE.findall(STAGES_LINE.search(output).group(1))}
    dbt_elapsed = [float(s) for s in DBT_ELAPSED.findall(output)]
    return {
        "wall": round(wall, 1),
        "cpu": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "stages": stages,
        "outside_stages": round(wall - sum(stages.values()), 1),
        "dbt_steps": len(dbt_elapsed),
        "dbt_elapsed": dbt_elapsed,
        "dbt_overhead_per_step": round((stages.get("dbt", 0) - sum(dbt_elapsed)) / max(len(dbt_elapsed), 1), 1),
    }


def _export(ref: str, into: Path) -> Path:
    """`ref`'s tree (code, dbt project, sample data), outside any worktree."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="warm runs per side (default: 2)")
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="a git ref to measure the same way, in turns with this checkout (repeat it for several)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="c360_bench_run_") as tmp:
        sides = {"c360": PROJECT_ROOT}
        for number, ref in enumerate(args.baseline):
            sides[ref] = _export(ref, Path(tmp, f"baseline_tree_{number}"))
        runs: dict[str, dict[str, list[dict]]] = {side: {"first": [], "warm": []} for side in sides}
        for round_ in range(args.rounds + 1):
            for side, checkout in sides.items():
                result = run_once(checkout, Path(tmp, side.replace("/", "_")))
                runs[side]["first" if round_ == 0 else "warm"].append(result)
                print(f"{side} {'first' if round_ == 0 else 'warm'}: {json.dumps(result)}", file=sys.stderr)
    load = os.getloadavg()
    print(json.dumps({"load_average_1_5_15": [round(x, 1) for x in load], "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
