"""Runs a benchmark step in a child Python process, so its wall time and peak memory are its own.

The peak is the child's own VmHWM, read by the child as it finishes. `ru_maxrss` would not do:
Linux carries the pre-exec memory image's high-water mark into it, so a child of a parent that
had just generated or ingested a large universe reported the parent's peak.
"""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import time
from pathlib import Path


def run_measured(args: list[str], cwd: Path | None = None) -> dict:
    """`python *args` (a script or `-m module` and its arguments); returns the JSON object the step
    prints last, plus `wall` (seconds) and `peak_mb` (the child's peak resident memory)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.measured_child", *args], stdout=subprocess.PIPE, text=True, cwd=cwd
    )
    output = child.stdout.read()
    if child.wait() != 0:
        raise RuntimeError(f"benchmark step {args} failed with status {child.returncode}")
    *_, result, peak = output.strip().splitlines()
    return {**json.loads(result), "wall": time.perf_counter() - started, "peak_mb": json.loads(peak)["peak_mb"]}


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


def _main(argv: list[str]) -> None:
    """Run the step as `__main__`, then print this process's peak memory as the last line."""
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")
    sys.stdout.flush()
    print(json.dumps({"peak_mb": _peak_mb()}))


if __name__ == "__main__":
    _main(sys.argv[1:])
