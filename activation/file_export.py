"""Writes a destination's records to a file atomically, so a reader never sees a half-written export."""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from activation.destinations import AD_AUDIENCE_TYPE, Destination
from activation.payloads import AD_AUDIENCE_COLUMNS

log = logging.getLogger(__name__)


def write_file(dest: Destination, records: list[dict[str, Any]], exports_dir: Path) -> Path:
    """Ad audiences and CSV files are CSV; parquet and jsonl as named. Returns the file written."""
    target = exports_dir / str(dest.path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    columns = list(AD_AUDIENCE_COLUMNS) if dest.type == AD_AUDIENCE_TYPE else list(dest.fields.values())
    if dest.type == "jsonl":
        with tmp.open("w") as f:
            f.writelines(json.dumps({c: r[c] for c in columns}) + "\n" for r in records)
    else:
        table = pa.table({c: [r[c] for r in records] for c in columns})
        if dest.type == "parquet":
            pq.write_table(table, tmp)
        else:
            pa_csv.write_csv(table, tmp, pa_csv.WriteOptions(quoting_style="needed"))
    os.replace(tmp, target)
    log.info("wrote %d records of destination %s to %s", len(records), dest.name, target)
    return target
