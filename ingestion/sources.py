"""dlt sources for the three landing folders, one small resource per raw table.

Everything a load needs (discovery, skip-by-hash, parsing, quarantine, load report) happens
inside the resources, so `pipeline.run(source)` alone is a complete load; that is all
dagster-dlt does with them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import dlt
import duckdb
from dlt.extract.resource import DltResource

from ingestion.access_logs import ACCESS_LOG_SCHEMA, parse_access_log
from ingestion.csv_reader import read_csv
from ingestion.entities import CRM_ENTITIES, EMAIL_ENTITIES, Entity
from ingestion.file_loop import file_resource
from ingestion.headers import export_headers
from ingestion.json_reader import read_json_records
from ingestion.landing import Landing, LandingFile, Tiebreak, base_name
from ingestion.mapping import ExportMapping, load_mapping
from ingestion.outcomes import FileResult
from ingestion.settings import load_ingestion_config
from ingestion.superseded import drop_superseded
from ingestion.typed_rows import Limits, contract_schema, type_records
from ingestion.web_events import parse_events
from ingestion.xlsx_reader import read_xlsx

JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
EVENT_FILES = ("*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz")
ACCESS_LOG_FILES = ("*.log", "*.log.gz", "*.log.[0-9]*")


@dlt.source(name="crm", section="crm")
def crm_source(landing_dir: str = dlt.config.value, mapping: str = "hubspot") -> list[DltResource]:
    """CRM exports (contacts, companies, deals, activities) read through a column mapping flavour."""
    return _mapped_resources(landing_dir, load_mapping(mapping, CRM_ENTITIES), CRM_ENTITIES)


@dlt.source(name="email", section="email")
def email_source(landing_dir: str = dlt.config.value, mapping: str = "mailchimp") -> list[DltResource]:
    """Email-tool campaign list and campaign activity (sent/open/click/bounce/unsubscribe/spam)."""
    return _mapped_resources(landing_dir, load_mapping(mapping, EMAIL_ENTITIES), EMAIL_ENTITIES)


@dlt.source(name="web", section="web")
def web_source(landing_dir: str = dlt.config.value) -> list[DltResource]:
    """Segment tracking events (JSON lines) and web-server access logs (combined format)."""
    landing = Landing(Path(landing_dir), {"events": EVENT_FILES, "access_log": ACCESS_LOG_FILES})
    return [
        file_resource("events", landing, parse_events, ["message_id"], immutable=True),
        file_resource(
            "access_log", landing, parse_access_log, ["_file_hash", "_source_line"],
            immutable=True, schema=ACCESS_LOG_SCHEMA,
        ),
    ]


def _header_lines(file_name: str) -> int | None:
    """Header lines of a one-record-per-line file; None for a JSON document, whose records are not lines."""
    name = file_name.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return 0
    return None if name.endswith(JSON_SUFFIXES) else 1


def _mapped_resources(landing_dir: str, export: ExportMapping, entities: Sequence[Entity]) -> list[DltResource]:
    """One resource per mapped entity; entities claim files in the mapping file's order."""
    mapped = [e for e in entities if e.table in export.entities]
    landing = Landing(Path(landing_dir), {e.table: export.files(e.table) for e in mapped}, _by_header(export, mapped))
    return [_mapped_resource(landing, export, e) for e in mapped]


def _by_header(export: ExportMapping, entities: Sequence[Entity]) -> Tiebreak:
    """A file several entities' patterns match goes to one whose mapped required columns its header has."""
    required = {e.table: [f.name for f in e.fields if f.required] for e in entities}

    def has_required_columns(table: str, file: LandingFile) -> bool:
        headers = export_headers(file, export.delimiter)
        return any(
            all(kind.columns[name] in headers for name in required[table])
            for kind in export.entities[table] if kind.matches(file.base_name)
        )

    return has_required_columns


def _mapped_resource(landing: Landing, export: ExportMapping, entity: Entity) -> DltResource:
    def parse(con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str) -> FileResult:
        limits = Limits.of(load_ingestion_config())  # per file: a long-lived source object must not keep an old "now"
        kind = export.for_file(entity.table, source_file)
        name = base_name(source_file).lower()
        if name.endswith(JSON_SUFFIXES):
            records = read_json_records(con, path, text)
        elif name.endswith(".xlsx"):
            records = read_xlsx(path, source_file, kind.footer_lines)
        else:
            records = read_csv(con, path, text, export.delimiter, kind.footer_lines)
        if not records.headers and not records.rejects:
            return FileResult(data=None, lines_skipped=records.lines_skipped)
        result = type_records(con, records, entity, kind, source_file, file_hash, limits)
        result.lines_skipped = records.lines_skipped
        if result.data is not None:
            result.data, result.superseded = drop_superseded(result.data, entity, limits.latest_timestamp)
        return result

    return file_resource(
        entity.table,
        landing,
        parse,
        primary_key=[entity.primary_key],
        latest_by=entity.updated_at,
        config_digest=export.digest,
        immutable=bool(entity.key_of),
        schema=contract_schema(entity),
        encoding_for=lambda file_name: export.for_file(entity.table, file_name).encoding,
        header_lines=_header_lines,
    )
