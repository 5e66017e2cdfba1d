"""`c360 ui`: the Dagster UI for this project, stopped cleanly by Ctrl-C or SIGTERM.

`dagster dev` starts a webserver and a daemon as children; killed in the background with a plain
SIGTERM to its own pid, the children lived on. Here it runs in its own process group, and a
Ctrl-C or SIGTERM to `c360 ui` is passed to the whole group, with a SIGKILL for whatever is still
running after a grace period.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from c360.settings import PROJECT_ROOT

GRACE_S = 20


def serve_ui(host: str, port: int) -> int:
    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster) if dagster.exists() else "dagster", "dev", "--host", host, "--port", str(port)]
    group = subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)
    print(f"c360 ui: Dagster UI on http://{host}:{port} (Ctrl-C to stop)", file=sys.stderr)

    def stop(signum: int, _frame) -> None:
        _stop_group(group)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return group.wait()


def _stop_group(group: subprocess.Popen) -> None:
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group.pid, signum)
        except ProcessLookupError:
            return
        try:
            group.wait(timeout=GRACE_S)
            _reap(group.pid)
            return
        except subprocess.TimeoutExpired:
            continue


def _reap(pgid: int) -> None:
    """Children of the group that outlived its leader get the SIGKILL too."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
