"""One process at a time per warehouse file.

DuckDB lets only one process open a database file for writing, and while it does, another
process cannot open it even read-only: it fails at once with "Could not set lock on file".
Dagster's run queue serialises runs it launches itself, but not a CLI run next to a scheduled
one, nor two `execute_in_process` calls. So every pipeline step that opens the warehouse first
takes an advisory lock on `<warehouse>.lock` and waits its turn.

The lock is re-entrant within a thread: a step that holds it may call a function that takes it
too (an activation asset around `sync_destination`). flock locks belong to an open file, so a
second open of the lock file in the same process would otherwise wait on itself forever.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

_held = threading.local()  # per thread: lock path -> how many nested holds


class WarehouseBusyError(TimeoutError):
    """Another process held the warehouse for longer than the timeout."""


@contextmanager
def exclusive_warehouse(warehouse: Path, timeout_s: float | None = None, poll_s: float = 0.2) -> Iterator[None]:
    timeout_s = float(os.environ.get("C360_LOCK_TIMEOUT", 3600)) if timeout_s is None else timeout_s
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    depths: dict[Path, int] = _held.__dict__.setdefault("depths", {})
    if depths.get(lock_path):
        depths[lock_path] += 1
        try:
            yield
        finally:
            depths[lock_path] -= 1
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        started = time.monotonic()
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    log.info("warehouse %s is busy in another process; waiting", warehouse.name)
                    waited = True
                if time.monotonic() - started > timeout_s:
                    raise WarehouseBusyError(
                        f"{warehouse} stayed locked by another process for {timeout_s:.0f}s (lock file {lock_path})"
                    ) from None
                time.sleep(poll_s)
        if waited:
            log.info("warehouse lock acquired after %.1fs", time.monotonic() - started)
        depths[lock_path] = 1
        try:
            yield
        finally:
            depths[lock_path] = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
