"""The per-file loop every resource runs: skip loaded content, parse, yield rows, quarantine and report.

Every file in the landing folder ends in the load report: loaded, partial, empty, failed (with
the reason; one file's failure never stops the others) or unmatched (no pattern claims it).
Per file, rows read = loaded + quarantined + suppressed + failed + already read (lines of a
grown or rotated log that an earlier file delivered, ingestion.access_logs).

Which files were loaded lives in dlt source state keyed by content hash, so it is committed in
the same load package as the rows: after a crash the file is simply read again, and merge keys
on every table (data, quarantine, load_report) make the re-read idempotent.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.extract.resource import DltResource

from ingestion.landing import (
    Decoded,
    Landing,
    LandingFile,
    UnreadableFile,
    content_hash,
    decode,
    decompress,
)
from ingestion.outcomes import FileResult
from ingestion.settings import IngestionConfig, load_ingestion_config
from ingestion.typed_rows import ident
from privacy.suppressions import Suppressions, current_suppressions

log = logging.getLogger(__name__)
ROW = "__c360_row"

# (connection, path, decoded text, source file name, file hash) -> what the file produced
Parser = Callable[[duckdb.DuckDBPyConnection, Path, str, str, str], FileResult]

# rows arrive unique per key (see file_resource), so dlt's merge need not de-duplicate them again
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert", "deduplicated": True}
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string()),
        pa.field("line_number", pa.int64(), nullable=False),
        pa.field("raw_text", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("entity", pa.string()),
        pa.field("file_hash", pa.string(), nullable=False),
    ]
)
QUARANTINE_HINTS = dlt.mark.make_hints(
    table_name="quarantine", write_disposition="merge", primary_key=["file_hash", "line_number"]
)
# a load-report row: the file, its counts (read = loaded + quarantined + suppressed + failed + already read), its notes
REPORT_COUNTS = (
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_suppressed",
    "rows_failed",
    "rows_already_read",
    "lines_skipped",
)
REPORT_NOTES = ("error", "new_columns", "renamed_columns", "encoding")  # nullable text
LOAD_REPORT_SCHEMA = pa.schema(
    [
        pa.field("file_hash", pa.string(), nullable=False),
        pa.field("source_file", pa.string()),
        pa.field("entity", pa.string()),
    ]
    + [pa.field(name, pa.int64()) for name in REPORT_COUNTS]
    + [pa.field(name, pa.string()) for name in ("status", *REPORT_NOTES)]
    # written as the empty first-run table's column too: a Parquet lake (ingestion.lake) has no other declaration
    + [pa.field("_dlt_load_id", pa.string(), nullable=False)]
)
LOAD_REPORT_HINTS = dlt.mark.make_hints(
    table_name="load_report",
    write_disposition="merge",
    primary_key="file_hash",
    columns=[
        {"name": "file_hash", "data_type": "text", "nullable": False},
        {"name": "source_file", "data_type": "text"},
        {"name": "entity", "data_type": "text"},
        *({"name": name, "data_type": "bigint"} for name in REPORT_COUNTS),
        {"name": "status", "data_type": "text"},
        *({"name": name, "data_type": "text", "nullable": True} for name in REPORT_NOTES),
        # report rows are dicts, which dlt gives a load id; the empty first-run table needs it declared,
        # since readers (checks, run summary) pick each file's latest row by it
        {"name": "_dlt_load_id", "data_type": "text", "nullable": False},
    ],
)


def connect() -> duckdb.DuckDBPyConnection:
    """The in-memory DuckDB used for parsing: UTC so zone-less export timestamps are read as UTC."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def file_resource(
    name: str,
    landing: Landing,
    parse: Parser,
    primary_key: Sequence[str],
    latest_by: str | None = None,
    config_digest: str = "",
    immutable: bool = False,
    schema: pa.Schema | None = None,
    encoding_for: Callable[[str], str | None] | None = None,
    header_lines: Callable[[str], int | None] | None = None,
) -> DltResource:
    """A merge resource for one raw table, fed by the landing files `landing` assigns to `name`.

    Rows are de-duplicated by key while reading, so dlt's merge can skip its dedup window
    over the whole load (the slowest step of a merge). `immutable` tables (a key always means
    the same row: event ids, content-hash ids) stream file by file and drop repeated keys;
    the others hold a run's rows and keep, per key, the latest `latest_by`, then the last read.
    Unique keys also let a load into an empty table append (ingestion.pipelines). A `schema`
    creates the table before its first file lands, for tables that models read. `encoding_for`
    gives a file's declared encoding and `header_lines` its number of header lines (both by base
    name; None: not one record per line), so a file failing as a whole counts its data rows as failed.
    """
    keys = list(primary_key)
    reading = Reading(parse, keys, encoding_for, header_lines)

    def rows() -> Iterator[object]:
        yield from ingest_files(name, landing, reading, config_digest, latest_by, immutable, schema)

    return dlt.resource(rows, name=name, write_disposition=MERGE, primary_key=keys)


@dataclass(frozen=True)
class Reading:
    """How one resource reads its files."""

    parse: Parser
    primary_key: list[str]
    encoding_for: Callable[[str], str | None] | None = None
    header_lines: Callable[[str], int | None] | None = None


def ingest_files(
    entity: str,
    landing: Landing,
    reading: Reading,
    config_digest: str = "",
    latest_by: str | None = None,
    immutable: bool = False,
    schema: pa.Schema | None = None,
) -> Iterator[object]:
    """Yield data, quarantine and load-report items for every landed file not loaded before.

    Files are known by content hash (read every run: a file corrected in place is new content
    even with the same size and mtime). A failed file is retried only when the configuration
    (e.g. the column mapping) changed, since the same bytes under the same configuration fail
    the same way. Any exception while reading one file fails that file alone. Rows of erased
    people (privacy.suppressions) are dropped before anything is yielded and counted as suppressed.
    """
    state = dlt.current.source_state()
    loaded: dict = state.setdefault("files", {})
    primary_key = reading.primary_key
    if not landing.root.is_dir():
        log.warning("%s: landing folder %s does not exist; nothing to load", entity, landing.root)
    if not state.get("quarantine_created"):  # the contract promises the table even before a first refusal
        yield dlt.mark.with_hints(QUARANTINE_SCHEMA.empty_table(), QUARANTINE_HINTS, create_table_variant=True)
        state["quarantine_created"] = True
    if not state.get("load_report_created"):  # and the report even before a first file (checks read it)
        yield dlt.mark.with_hints(LOAD_REPORT_SCHEMA.empty_table(), LOAD_REPORT_HINTS, create_table_variant=True)
        state["load_report_created"] = True
    created: list = state.setdefault("tables_created", [])
    if schema is not None and entity not in created:  # a table with a fixed schema exists before its first file
        yield _not_null(schema.empty_table(), primary_key)
        created.append(entity)
    claimed = landing.files()
    if landing.reports_unmatched(entity):
        yield from _unmatched_items(state, claimed[None])
    files = claimed[entity]
    started, rows_so_far = time.monotonic(), 0
    held: list[pa.Table] = []
    run = _ReadingRun()
    try:
        with tempfile.TemporaryDirectory(prefix="c360-read-") as scratch:
            for number, file in enumerate(files, 1):
                raw, file_hash, unreadable = _stored_bytes(file)
                seen = loaded.get(file_hash)
                if seen and (seen["status"] != "failed" or seen.get("config") == config_digest):
                    log.debug("%s: %s already loaded (same content as %s), skipped", entity, file.name, seen["file"])
                    continue
                if raw is None:
                    result = FileResult(data=None, error=unreadable)
                else:
                    log.info(
                        "%s: file %d/%d %s: parsing %.1f MB", entity, number, len(files), file.name, len(raw) / 1e6
                    )
                    result = _read_one(run.con, file, raw, file_hash, reading, run.settings, Path(scratch))
                    del raw
                    _suppress(result, run.suppressions)
                    if immutable and result.data is not None and result.data.num_rows:
                        result.data, repeats = _drop_repeated_keys(run.con, result.data, primary_key)
                        result.superseded += repeats
                if result.data is not None and result.data.num_rows:
                    if immutable:
                        yield _not_null(result.data, primary_key)
                    else:
                        held.append(result.data)
                yield from _report_items(entity, file.name, file_hash, result)
                loaded[file_hash] = {"file": file.name, "status": result.status, "config": config_digest}
                rows_so_far += result.rows_read
                _log_file(entity, number, len(files), file.name, result, rows_so_far, started)
            if held:
                yield _not_null(_keep_last(run.con, held, primary_key, latest_by), primary_key)
    finally:
        run.close()


class _ReadingRun:
    """What reading files needs, made on first use: a resource with no new file (most of a
    source's resources on most runs) opens no connection and reads no suppression list."""

    @cached_property
    def con(self) -> duckdb.DuckDBPyConnection:
        return connect()

    @cached_property
    def settings(self) -> IngestionConfig:
        return load_ingestion_config()

    @cached_property
    def suppressions(self) -> Suppressions:
        return current_suppressions()

    def close(self) -> None:
        if "con" in self.__dict__:
            self.con.close()


def _stored_bytes(file: LandingFile) -> tuple[bytes | None, str, str | None]:
    """The file's bytes and content hash, or (None, a hash of its name, the reason) when it cannot be read."""
    try:
        raw = file.read_bytes()
    except UnreadableFile as exc:
        return None, content_hash(f"unreadable:{file.name}".encode()), str(exc)
    except OSError as exc:
        return None, content_hash(f"unreadable:{file.name}".encode()), f"{file.name}: cannot be read ({exc})"
    return raw, content_hash(raw), None


def _read_one(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    raw: bytes,
    file_hash: str,
    reading: Reading,
    settings: IngestionConfig,
    scratch: Path,
) -> FileResult:
    """Decompress, decode and parse one file; any failure fails this file only, with its reason."""
    decoded = None
    try:
        data = decompress(file, raw)
        if file.is_binary:
            readable = _local_copy(file, scratch, data)
            result = reading.parse(con, readable, "", file.name, file_hash)
        else:
            declared = reading.encoding_for(file.name) if reading.encoding_for else None
            decoded = decode(file.name, data, declared, settings.legacy_encodings)
            del data
            result = reading.parse(con, _readable(file, decoded, scratch), decoded.text, file.name, file_hash)
            if decoded.rejects:
                result.rejects = sorted(result.rejects + decoded.rejects, key=lambda r: r.line_number)
    except UnreadableFile as exc:
        result = FileResult(data=None, error=str(exc))
    except Exception as exc:  # one bad file must never stop the others: fail it with the reason, go on
        log.debug("%s: reading failed", file.name, exc_info=True)
        result = FileResult(data=None, error=f"{file.name}: could not be read ({type(exc).__name__}: {exc})")
    if decoded is not None:
        result.encoding = decoded.encoding
    header = reading.header_lines(file.base_name) if reading.header_lines else 0
    if result.error and result.rows_read == 0 and decoded is not None and header is not None:
        result.failed = max(_non_blank_lines(decoded.text) - header, 0)
    return result


def _readable(file: LandingFile, decoded: Decoded, scratch: Path) -> Path:
    """A path DuckDB can read with the decoded text: the landed file itself when its bytes are
    that text (UTF-8, plain or gzip), otherwise a UTF-8 copy in the run's scratch folder."""
    if file.member is None and decoded.encoding == "utf-8" and not decoded.rejects:
        return file.path
    copy = scratch / file.base_name
    copy.write_text(decoded.text, encoding="utf-8")
    return copy


def _local_copy(file: LandingFile, scratch: Path, data: bytes) -> Path:
    """A binary file (XLSX) as a plain file on disk: itself, or its decompressed bytes in the scratch folder."""
    if file.member is None and file.base_name == file.path.name:
        return file.path
    copy = scratch / file.base_name
    copy.write_bytes(data)
    return copy


def _non_blank_lines(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.strip())


def _unmatched_items(state: dict, files: list[LandingFile]) -> Iterator[object]:
    """A load-report row (status `unmatched`) for each file no resource claims, once per name and content.

    The row's key hashes the name with the content, so a stray copy of a loaded file (`contacts.csv.bak`)
    never replaces that file's own report row. A warning is logged every run the file is still there.
    """
    reported: dict = state.setdefault("unmatched", {})
    for file in files:
        log.warning("%s: matches no file pattern of this source; not loaded (see config/sources/)", file.name)
        _, content, _ = _stored_bytes(file)
        key = content_hash(f"unmatched:{file.name}:{content}".encode())
        if key in reported:
            continue
        reported[key] = file.name
        error = (
            f"{file.name}: matches no file pattern of this source (nor the header a header-claimed pattern needs);"
            " rename it or add a pattern in config/sources/"
        )
        yield dlt.mark.with_hints(
            _report_row(None, file.name, key, FileResult(data=None, error=error), status="unmatched"),
            LOAD_REPORT_HINTS,
            create_table_variant=True,
        )


def _log_file(
    entity: str, number: int, total: int, name: str, result: FileResult, rows_so_far: int, started: float
) -> None:
    if result.error:
        log.error("%s: %s", entity, result.error)
    log.info(
        "%s: file %d/%d %s: %d read, %d loaded, %d quarantined (%d rows so far, %.1fs)",
        entity,
        number,
        total,
        name,
        result.rows_read,
        result.rows_loaded,
        len(result.rejects),
        rows_so_far,
        time.monotonic() - started,
    )
    if result.suppressed:
        log.info("%s: %s: %d row(s) of erased people dropped", entity, name, result.suppressed)
    if result.lines_skipped:
        log.info("%s: %s: %d footer/total/blank trailing line(s) skipped", entity, name, result.lines_skipped)
    if result.new_columns:
        log.warning("%s: %s has new column(s) %s, added to the raw table", entity, name, result.new_columns)
    if result.renamed_columns:
        log.warning(
            "%s: %s: column names colliding after normalisation renamed: %s", entity, name, result.renamed_columns
        )


def _suppress(result: FileResult, suppressions: Suppressions) -> None:
    if not suppressions:
        return
    dropped = 0
    if result.data is not None:
        result.data, dropped = suppressions.drop_rows(result.data)
    result.rejects, dropped_rejects = suppressions.drop_rejects(result.rejects)
    result.suppressed += dropped + dropped_rejects


def _keep_last(
    con: duckdb.DuckDBPyConnection, tables: list[pa.Table], key: list[str], latest_by: str | None
) -> pa.Table:
    """One row per key from a run's files: the latest `latest_by`, ties going to the last row read."""
    data = pa.concat_tables(tables, promote_options="default")  # files may differ in extra columns
    columns = ", ".join(ident(k) for k in key)
    con.register("held", data.append_column(ROW, pa.array(range(data.num_rows), pa.int64())))
    try:
        if con.sql(f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM held)").fetchall()[0][0] == data.num_rows:
            return data
        order = f"{ident(latest_by)} DESC NULLS LAST, " if latest_by else ""
        return con.sql(
            f"SELECT * EXCLUDE ({ROW}) FROM held"
            f" QUALIFY row_number() OVER (PARTITION BY {columns} ORDER BY {order}{ROW} DESC) = 1"
        ).to_arrow_table()
    finally:
        con.unregister("held")


def _drop_repeated_keys(con: duckdb.DuckDBPyConnection, data: pa.Table, key: list[str]) -> tuple[pa.Table, int]:
    """`data` without rows whose key was already read in this run (in this file or an earlier one).

    The keys read so far live in the parsing connection's `run_keys` table for the whole run. In
    the common case (a first file, unique keys) one aggregate both counts and records the keys.
    """
    columns = ", ".join(ident(k) for k in key)
    con.register("batch", data)
    try:
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS run_keys AS SELECT {columns} FROM batch LIMIT 0")
        seen_before = con.sql("SELECT count(*) FROM run_keys").fetchall()[0][0] > 0
        record_keys = f"INSERT INTO run_keys SELECT DISTINCT {columns} FROM batch"
        distinct = None if seen_before else con.execute(record_keys).fetchall()[0][0]
        if distinct is None:
            distinct = con.sql(f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM batch)").fetchall()[0][0]
        kept = data
        if seen_before or distinct < data.num_rows:
            query = "SELECT * FROM batch" + (f" ANTI JOIN run_keys USING ({columns})" if seen_before else "")
            if distinct < data.num_rows:
                query += f" QUALIFY row_number() OVER (PARTITION BY {columns}) = 1"
            kept = con.sql(query).to_arrow_table()
        if seen_before:
            con.execute(record_keys)
    finally:
        con.unregister("batch")
    return kept, data.num_rows - kept.num_rows


def _not_null(table: pa.Table, columns: list[str]) -> pa.Table:
    """Declare key columns non-nullable (they are validated) so Arrow agrees with dlt's key hints."""
    schema = table.schema
    for column in columns:
        index = schema.get_field_index(column)
        schema = schema.set(index, schema.field(index).with_nullable(False))
    return table.cast(schema)


def _report_items(entity: str, source_file: str, file_hash: str, result: FileResult) -> Iterator[object]:
    if result.rejects:
        quarantine = pa.table(
            {
                "source_file": [source_file] * len(result.rejects),
                "line_number": [r.line_number for r in result.rejects],
                "raw_text": [r.raw_text for r in result.rejects],
                "reason": [r.reason for r in result.rejects],
                "entity": [entity] * len(result.rejects),
                "file_hash": [file_hash] * len(result.rejects),
            },
            schema=QUARANTINE_SCHEMA,
        )
        yield dlt.mark.with_hints(quarantine, QUARANTINE_HINTS, create_table_variant=True)
    yield dlt.mark.with_hints(
        _report_row(entity, source_file, file_hash, result), LOAD_REPORT_HINTS, create_table_variant=True
    )


def _report_row(
    entity: str | None, source_file: str, file_hash: str, result: FileResult, status: str | None = None
) -> dict:
    return {
        "file_hash": file_hash,
        "source_file": source_file,
        "entity": entity,
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": len(result.rejects),
        "rows_suppressed": result.suppressed,
        "rows_failed": result.failed,
        "rows_already_read": result.already_read,
        "lines_skipped": result.lines_skipped,
        "status": status or result.status,
        "error": result.error,
        "new_columns": ", ".join(result.new_columns) or None,
        "renamed_columns": "; ".join(result.renamed_columns) or None,
        "encoding": result.encoding,
    }
