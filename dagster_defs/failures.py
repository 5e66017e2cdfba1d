"""Retries only for failures that can heal on their own.

The jobs' retry policy tries a failed step twice more. That helps with a warehouse held by another
process or a flaky disk or network, and only wastes minutes (and buries the cause under three copies
of the same traceback) for a configuration error, a missing table or a schema error. Steps run inside
`retry_only_transient()`: any other error becomes a Dagster `Failure` that is not retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import Failure

# TimeoutError covers the warehouse lock's WarehouseBusyError; duckdb.IOException a file lock
# held by a process outside c360's lock, or a disk error.
TRANSIENT = (TimeoutError, ConnectionError, InterruptedError, BlockingIOError, duckdb.IOException)


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` or any exception it wraps (dlt wraps a step's cause) is transient."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, TRANSIENT):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def retry_only_transient() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if is_transient(exc) or (isinstance(exc, Failure) and not exc.allow_retries):
            raise
        # dagster-dbt's errors are Failures too, retryable by default: a failing dbt test is not transient
        description = exc.description if isinstance(exc, Failure) else f"{type(exc).__name__}: {exc}"
        raise Failure(description=description, allow_retries=False) from exc
