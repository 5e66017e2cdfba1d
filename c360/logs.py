"""One log line per event, quiet by default.

Dagster sends every step message both to its console logger and to the Python logger
`dagster.builtin`; printing both doubled every line. Quiet runs print Dagster's messages once,
through the root handler (INFO and up), and leave its DEBUG event stream (step start/output/
materialization, about 200 lines a run) in the run's event log, where the UI shows it.
`--verbose` brings the DEBUG detail back.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

# Libraries whose INFO lines describe their own plumbing (schema migrations of Dagster's SQLite
# storage, HTTP connection pools), not the pipeline.
CHATTY_LIBRARIES = ("alembic", "urllib3", "httpx", "filelock", "fsspec")


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a record is emitted, not the one it was created with:
    a process that calls the CLI several times (tests) swaps and closes stderr streams in between."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _DropNotices(logging.Filter):
    """Messages about the plumbing rather than the pipeline: dagster-dbt announces each subset of the
    dbt build (before and after identity) by listing every selected node, one line of thousands of characters."""

    NOTICES = ("A dbt subsetted execution is being performed",)

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(notice in record.getMessage() for notice in self.NOTICES)


def configure_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        handlers=[_CurrentStderr()],
        force=True,
    )
    # Records propagated from child loggers skip the root logger's level; only a handler's level stops them.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        if not verbose:
            handler.addFilter(_DropNotices())
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    # Verbose runs use Dagster's own console logger for everything, so the copy is not propagated.
    logging.getLogger("dagster.builtin").propagate = not verbose


def dagster_run_config(verbose: bool = False) -> dict[str, Any]:
    """Run config for `execute_in_process`: Dagster's console logger only when verbose (see module doc)."""
    level = "DEBUG" if verbose else "CRITICAL"
    return {"loggers": {"console": {"config": {"log_level": level}}}}
