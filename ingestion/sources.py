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
import pyarrow as pa
from dlt.extract.resource import DltResource

from ingestion.access_logs import ACCESS_LOG_FILES, ACCESS_LOG_SCHEMA, access_log_parser, load_log_format
from ingestion.audiences import AUDIENCE, AUDIENCE_SCHEMA, audience_mapping
from ingestion.csv_reader import read_csv
from ingestion.entities import CRM_ENTITIES, EMAIL_ENTITIES, Entity
from ingestion.file_loop import file_resource
from ingestion.json_reader import read_json_records
from ingestion.mapping import ExportMapping, load_mapping
from ingestion.outcomes import FileResult
from ingestion.superseded import drop_superseded
from ingestion.typed_rows import type_records
from ingestion.web_events import parse_events

EMAIL_MAPPED = (*EMAIL_ENTITIES, AUDIENCE)  # entities an email tool's mapping file may describe
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
# Segment's storage destinations write segment-logs/<source-id>/<received-day>/<epoch-ms>.<id>.gz
# (https://segment.com/docs/connections/storage/catalog/aws-s3/), gzipped JSON lines without a suffix
SEGMENT_ARCHIVE = "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*.*.gz"
EVENT_FILES = ("*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz", "*.json", "*.json.gz", SEGMENT_ARCHIVE)


@dlt.source(name="crm", section="crm")
def crm_source(landing_dir: str = dlt.config.value, mapping: str = "hubspot") -> list[DltResource]:
    """CRM exports (contacts, companies, deals, activities) read through a column mapping flavour."""
    return _mapped_resources(landing_dir, load_mapping(mapping, CRM_ENTITIES), CRM_ENTITIES)


@dlt.source(name="email", section="email")
def email_source(
    landing_dir: str = dlt.config.value, mapping: str = "mailchimp", audiences: str = "mailchimp,klaviyo"
) -> list[DltResource]:
    """Email-tool campaign list and campaign activity (sent/open/click/bounce/unsubscribe/spam), and the
    audience (subscribers and their status) of `mapping` and every email tool in `audiences`
    (config/sources/<name>.yml)."""
    resources = _mapped_resources(landing_dir, load_mapping(mapping, EMAIL_MAPPED), EMAIL_ENTITIES)
    audience = audience_mapping(list(dict.fromkeys([mapping, *audiences.split(",")])), EMAIL_MAPPED)
    return [*resources, _mapped_resource(landing_dir, audience, AUDIENCE, schema=AUDIENCE_SCHEMA)]


@dlt.source(name="web", section="web")
def web_source(landing_dir: str = dlt.config.value, log_format: str = "combined") -> list[DltResource]:
    """Segment tracking events and web-server access logs in `log_format` (config/sources/access_logs.yml)."""
    access_log = load_log_format(log_format)
    return [
        file_resource("events", landing_dir, EVENT_FILES, parse_events, ["message_id"], immutable=True),
        file_resource(
            "access_log", landing_dir, ACCESS_LOG_FILES, access_log_parser(access_log), ["_file_hash", "_source_line"],
            immutable=True, schema=ACCESS_LOG_SCHEMA, config_digest=access_log.pattern,
        ),
    ]


def _mapped_resources(landing_dir: str, export: ExportMapping, entities: Sequence[Entity]) -> list[DltResource]:
    return [_mapped_resource(landing_dir, export, e) for e in entities if e.table in export.entities]


def _mapped_resource(
    landing_dir: str, export: ExportMapping, entity: Entity, schema: pa.Schema | None = None
) -> DltResource:
    def parse(con: duckdb.DuckDBPyConnection, path: Path, text: str, source_file: str, file_hash: str) -> FileResult:
        if path.name.lower().endswith(JSON_SUFFIXES):
            records = read_json_records(con, path, text)
        else:
            records = read_csv(con, path, text, export.delimiter)
        if not records.headers and not records.rejects:
            return FileResult(data=None)
        kind = export.for_file(entity.table, path.name)
        records.table, columns = kind.with_values(records.table)
        result = type_records(con, records, entity, columns, source_file, file_hash)
        if result.data is not None:
            result.data, result.superseded = drop_superseded(result.data, entity)
        return result

    return file_resource(
        entity.table,
        landing_dir,
        export.files(entity.table),
        parse,
        primary_key=[entity.primary_key],
        latest_by=entity.updated_at,
        config_digest=export.digest,
        immutable=bool(entity.key_of) and entity.updated_at is None,  # a hash key with versions keeps the latest
        schema=schema,
    )
