"""Runs a benchmark step in a child Python process, so its wall time and peak memory are its own."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path


def run_measured(args: list[str], cwd: Path | None = None) -> dict:
    """`python *args`; returns the JSON object on its last stdout line plus `wall` (seconds) and
    `peak_mb` (the child's max RSS)."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True, cwd=cwd)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"benchmark step {args} failed with status {status}")
    result = json.loads(output.strip().splitlines()[-1])
    return {**result, "wall": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024}
