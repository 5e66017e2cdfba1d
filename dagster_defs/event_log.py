"""Dagster's SQLite event log (same files, same tables, same UI), with its connections kept open.

Dagster's `SqliteEventLogStorage` opens a new SQLite connection for every read and write and closes
it right after. Closing the last connection to a WAL database checkpoints the log into the file and
deletes it (fsyncs included), and a c360 run writes ~750 events, most of them into two files (the
run's own and the cross-run index): the ~250 planned materializations and checks before the run
starts, then every step output, materialization and check result. That bookkeeping took as long as
the stages themselves on a loaded machine. Here a few engines stay open per process (the run being
written and the index; reading history in the UI opens more, least recently used closed first), and
commits use `synchronous=NORMAL`, which SQLite documents as safe from corruption in WAL mode: a
power cut may lose the last events written, never the database.

Configured in dagster_home/dagster.yaml as `event_log_storage`; `base_dir` defaults to where Dagster
keeps event logs of its default instance, `$DAGSTER_HOME/history/runs/`, so the history stays.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

OPEN_SHARDS = 4  # the index, the run being written, and a little room for reads of other runs


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # before Dagster's init, which may connect
        home = os.environ.get("DAGSTER_HOME", "")
        super().__init__(base_dir or os.path.join(home, "history", "runs", ""), inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            event.listen(engine, "connect", _commit_without_fsync)
            while len(self._engines) >= OPEN_SHARDS:
                self._engines.popitem(last=False)[1].dispose()
        self._engines[shard] = engine  # most recently used last
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


def _commit_without_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")
