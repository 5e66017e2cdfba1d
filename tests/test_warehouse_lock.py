"""Two processes writing the same DuckDB file take turns instead of failing on DuckDB's file lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest

from c360.warehouse_lock import WarehouseBusyError, exclusive_warehouse

WRITER = textwrap.dedent(
    """
    import sys, time, duckdb
    from pathlib import Path
    from c360.warehouse_lock import exclusive_warehouse
    warehouse = Path(sys.argv[1])
    with exclusive_warehouse(warehouse):
        con = duckdb.connect(str(warehouse))
        con.execute("create table if not exists writes(writer varchar, written_at double)")
        con.execute("insert into writes values (?, ?)", [sys.argv[2], time.time()])
        time.sleep(1.0)  # hold the file long enough for the other writer to collide without the lock
        con.close()
    """
)


def test_concurrent_writers_both_succeed(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(warehouse), name], stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert sorted(r[0] for r in con.execute("select writer from writes").fetchall()) == ["a", "b"]


def test_waiting_writer_gives_up_with_a_clear_error(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from c360.warehouse_lock import exclusive_warehouse\n"
            "with exclusive_warehouse(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(5)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(WarehouseBusyError, match="stayed locked"):
        with exclusive_warehouse(warehouse, timeout_s=0.5):
            pass
    holder.kill()
    holder.wait()
