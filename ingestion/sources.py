"""dlt sources for the three landing folders, one small resource per raw table.

Everything a load needs (discovery, skip-by-hash, parsing, quarantine, load report) happens
inside the resources, so `pipeline.run(source)` alone is a complete load; that is all
dagster-dlt does with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dlt
import duckdb
from dlt.extract.resource import DltResource

from ingestion.access_logs import ACCESS_LOG_FILES, ACCESS_LOG_SCHEMA, access_log_parser, load_log_format
from ingestion.audiences import AUDIENCE, audience_mapping
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

EMAIL_MAPPED = (*EMAIL_ENTITIES, AUDIENCE)  # entities an email tool's mapping file may describe
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
# Segment's storage destinations write segment-logs/<source-id>/<received-day>/<epoch-ms>.<id>.gz
# (https://segment.com/docs/connections/storage/catalog/aws-s3/), gzipped JSON lines without a suffix
SEGMENT_ARCHIVE = "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*.*.gz"
EVENT_FILES = ("*.jsonl", "*.jsonl.gz", "*.ndjson", "*.ndjson.gz", "*.json", "*.json.gz", SEGMENT_ARCHIVE)


DEFAULT_AUDIENCES = "mailchimp,klaviyo"


@dlt.source(name="crm", section="crm")
def crm_source(landing_dir: str = dlt.config.value, mapping: str = "hubspot") -> list[DltResource]:
    """CRM exports (contacts, companies, deals, activities) read through a column mapping flavour."""
    return mapped_resources(landing_dir, crm_entities(mapping))


@dlt.source(name="email", section="email")
def email_source(
    landing_dir: str = dlt.config.value, mapping: str = "mailchimp", audiences: str = DEFAULT_AUDIENCES
) -> list[DltResource]:
    """Email-tool campaign list and campaign activity (sent/open/click/bounce/unsubscribe/spam), and the
    audience (subscribers and their status) of `mapping` and every email tool in `audiences`
    (config/sources/<name>.yml). All claim files from one landing folder, so each file goes to one of them."""
    return mapped_resources(landing_dir, email_entities(mapping, audiences))


@dlt.source(name="web", section="web")
def web_source(landing_dir: str = dlt.config.value, log_format: str = "combined") -> list[DltResource]:
    """Segment tracking events and web-server access logs in `log_format` (config/sources/access_logs.yml)."""
    access_log = load_log_format(log_format)
    landing = web_landing(Path(landing_dir))
    return [
        file_resource("events", landing, parse_events, ["message_id"], immutable=True),
        file_resource(
            "access_log",
            landing,
            access_log_parser(access_log),
            ["_file_hash", "_source_line"],
            immutable=True,
            schema=ACCESS_LOG_SCHEMA,
            config_digest=access_log.pattern,
        ),
    ]


def web_landing(landing_dir: Path) -> Landing:
    """Events first: a Segment archive object is never a log, and anything neither claims is `unmatched`."""
    return Landing(landing_dir, {"events": EVENT_FILES, "access_log": ACCESS_LOG_FILES})


def _header_lines(file_name: str) -> int | None:
    """Header lines of a one-record-per-line file; None for a JSON document, whose records are not lines."""
    name = file_name.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return 0
    return None if name.endswith(JSON_SUFFIXES) else 1


# an entity and the mapping its files are read with
Mapped = tuple[ExportMapping, Entity]


def crm_entities(mapping: str) -> list[Mapped]:
    return mapped_entities(load_mapping(mapping, CRM_ENTITIES), CRM_ENTITIES)


def email_entities(mapping: str, audiences: str = DEFAULT_AUDIENCES) -> list[Mapped]:
    """Campaigns and activity from `mapping`, the audience from it and every tool in `audiences`."""
    audience = audience_mapping(list(dict.fromkeys([mapping, *audiences.split(",")])), EMAIL_MAPPED)
    return [*mapped_entities(load_mapping(mapping, EMAIL_MAPPED), EMAIL_ENTITIES), (audience, AUDIENCE)]


def mapped_landing(landing_dir: Path, mapped: Sequence[Mapped]) -> Landing:
    """The landing folder with each entity's file patterns: entities claim files in the mapping file's order."""
    claims = {entity.table: export.files(entity.table) for export, entity in mapped}
    has_columns = _by_header(mapped)
    exports = {entity.table: export for export, entity in mapped}

    def takes(table: str, file: LandingFile) -> bool:
        kinds = [kind for kind in exports[table].entities[table] if kind.matches(file.name)]
        return not all(kind.claim_by_header for kind in kinds) or has_columns(table, file)

    return Landing(landing_dir, claims, has_columns, takes)


def mapped_entities(export: ExportMapping, entities: Sequence[Entity]) -> list[Mapped]:
    """The entities this export mapping maps (a vendor's export may carry only some of them)."""
    return [(export, e) for e in entities if e.table in export.entities]


def mapped_resources(landing_dir: str, mapped: Sequence[Mapped]) -> list[DltResource]:
    """One resource per mapped entity, all claiming files from one landing folder."""
    landing = mapped_landing(Path(landing_dir), mapped)
    return [_mapped_resource(landing, export, entity) for export, entity in mapped]


def _by_header(mapped: Sequence[Mapped]) -> Tiebreak:
    """A file several entities' patterns match goes to one whose mapped required columns its header has."""
    by_table = {entity.table: (export, [f.name for f in entity.fields if f.required]) for export, entity in mapped}

    def has_required_columns(table: str, file: LandingFile) -> bool:
        export, required = by_table[table]
        headers = export_headers(file, export.delimiter)
        return any(
            all(name in kind.values or kind.columns[name] in headers for name in required)
            for kind in export.entities[table]
            if kind.matches(file.name)
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
        records.table, kind = kind.with_values(records.table)
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
        immutable=bool(entity.key_of) and entity.updated_at is None,  # a hash key with versions keeps the latest
        schema=contract_schema(entity),
        encoding_for=lambda file_name: export.for_file(entity.table, file_name).encoding,
        header_lines=_header_lines,
    )
