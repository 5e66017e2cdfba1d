"""Per-export column mappings (config/sources/<flavour>.yml): point c360 at your own headers without code."""

from __future__ import annotations

import codecs
import hashlib
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR
from ingestion.entities import Entity
from ingestion.landing import matches

MAPPINGS_DIR = CONFIG_DIR / "sources"


class MappingError(UserError, ValueError):
    """A mapping file is invalid; the message names the file and the offending key."""


# keys of an entity mapping (or the file's top level, as the default for every entity) that say how
# its files are written; see config/sources/salesforce.yml for a report export using them all
READING_KEYS = ("encoding", "timestamp_formats", "date_formats", "timezone", "footer_lines")


@dataclass(frozen=True)
class EntityMapping:
    files: tuple[str, ...]  # glob patterns (case-insensitive) of this entity's files in the landing folder
    columns: dict[str, str]  # c360 column -> export header
    # c360 column -> fixed value for every row of these files (what the file itself means, e.g. a
    # Mailchimp `unsubscribed_members_export` file: status unsubscribed)
    values: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None  # None: detected (BOM, UTF-8, else a legacy encoding)
    timestamp_formats: tuple[str, ...] = ()  # strptime formats tried before ISO 8601
    date_formats: tuple[str, ...] = ()
    timezone: str | None = None  # zone of timestamps written without an offset (default UTC)
    footer_lines: tuple[str, ...] = ()  # regexes of trailing report lines (totals, copyright) to skip
    # claim a matching file only when its header has the mapped required columns, else leave it
    # `unmatched`: for patterns broader than the layout they describe (a folder of undocumented files)
    claim_by_header: bool = False

    def matches(self, file_name: str) -> bool:
        return matches(file_name, self.files)

    def with_values(self, table: pa.Table) -> tuple[pa.Table, EntityMapping]:
        """`table` with one column per fixed value, and the mapping that reads them as columns."""
        columns = dict(self.columns)
        for name, value in self.values.items():
            header = f"(value of {name})"
            table = table.append_column(header, pa.array([value] * table.num_rows, pa.string()))
            columns[name] = header
        return table, replace(self, columns=columns, values={})


@dataclass(frozen=True)
class ExportMapping:
    path: Path
    digest: str  # changes when the file changes, so files that failed under an old mapping are retried
    delimiter: str
    # per entity, one or more kinds of export file (e.g. Salesforce Task and Event both feed activities)
    entities: dict[str, tuple[EntityMapping, ...]]

    def files(self, table: str) -> list[str]:
        return [pattern for kind in self.entities[table] for pattern in kind.files]

    def for_file(self, table: str, file_name: str) -> EntityMapping:
        """The first kind of `table` export whose patterns match `file_name` (folders and `.gz` ignored)."""
        return next(kind for kind in self.entities[table] if kind.matches(file_name))


def resolve(mapping: str) -> Path:
    """A flavour name (`hubspot`) means config/sources/<name>.yml; anything else is a path."""
    candidate = Path(mapping).expanduser()
    return candidate if candidate.suffix in {".yml", ".yaml"} else MAPPINGS_DIR / f"{mapping}.yml"


def load_mapping(mapping: str, entities: Sequence[Entity]) -> ExportMapping:
    path = resolve(mapping)
    if not path.is_file():
        known = sorted(p.stem for p in MAPPINGS_DIR.glob("*.yml"))
        raise MappingError(f"{path}: mapping file not found (known flavours: {known})")
    raw = path.read_bytes()
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise MappingError(f"{path}: top level must be a mapping with an 'entities' key")
    delimiter = document.get("csv_delimiter", ",")
    if not isinstance(delimiter, str) or (len(delimiter) != 1 and delimiter != "auto"):
        raise MappingError(f"{path}: csv_delimiter: must be a single character or 'auto', got {delimiter!r}")
    sections = document.get("entities")
    if not isinstance(sections, dict) or not sections:
        raise MappingError(f"{path}: entities: must map entity names to their files and columns")
    by_table = {entity.table: entity for entity in entities}
    unknown = sorted(set(sections) - set(by_table))
    if unknown:
        raise MappingError(f"{path}: entities.{unknown[0]}: unknown entity; expected one of {sorted(by_table)}")
    defaults = {key: document[key] for key in READING_KEYS if key in document}
    return ExportMapping(
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        delimiter=delimiter,
        entities={
            name: _entity_mappings(path, by_table[name], section, defaults) for name, section in sections.items()
        },
    )


def _entity_mappings(path: Path, entity: Entity, section: Any, defaults: dict) -> tuple[EntityMapping, ...]:
    """An entity section is one {files, columns} mapping or a list of them, one per kind of export file."""
    where = f"{path}: entities.{entity.table}"
    if isinstance(section, list) and section:
        return tuple(_entity_mapping(f"{where}[{i}]", entity, kind, defaults) for i, kind in enumerate(section))
    return (_entity_mapping(where, entity, section, defaults),)


def _entity_mapping(where: str, entity: Entity, section: Any, defaults: dict) -> EntityMapping:
    if not isinstance(section, dict):
        raise MappingError(f"{where}: must have 'files' and 'columns' (or be a list of such mappings)")
    files = section.get("files")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and f for f in files):
        raise MappingError(f"{where}.files: must be a non-empty list of file name patterns")
    columns = section.get("columns")
    if not isinstance(columns, dict):
        raise MappingError(f"{where}.columns: must map c360 column names to export headers")
    values = section.get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, (str, int)) for v in values.values()):
        raise MappingError(f"{where}.values: must map c360 column names to fixed values")
    allowed = {f.name for f in entity.fields}
    for name in values:
        if name not in allowed or name in columns:
            raise MappingError(f"{where}.values.{name}: unknown c360 column or already mapped to a header")
    for name, header in columns.items():
        if name not in allowed:
            raise MappingError(f"{where}.columns.{name}: unknown c360 column; expected one of {sorted(allowed)}")
        if not isinstance(header, str) or not header.strip():
            raise MappingError(f"{where}.columns.{name}: must be the export's header text")
    for required in (f.name for f in entity.fields if f.required):
        if required not in columns and required not in values:
            raise MappingError(f"{where}.columns.{required}: required column is not mapped")
    claim_by_header = section.get("claim_by_header", False)
    if not isinstance(claim_by_header, bool):
        raise MappingError(f"{where}.claim_by_header: must be true or false")
    reading = {**defaults, **{key: section[key] for key in READING_KEYS if key in section}}
    return EntityMapping(
        tuple(files),
        {name: header.strip() for name, header in columns.items()},
        {name: str(value) for name, value in values.items()},
        claim_by_header=claim_by_header,
        **_reading(where, reading),
    )


def _reading(where: str, reading: dict) -> dict:
    """Validated reading keys: an encoding Python knows, format lists, an IANA zone, compilable footer regexes."""
    out: dict = {}
    encoding = reading.get("encoding")
    if encoding is not None:
        try:
            out["encoding"] = codecs.lookup(str(encoding)).name
        except LookupError as exc:
            raise MappingError(f"{where}.encoding: unknown encoding {encoding!r}") from exc
    for key in ("timestamp_formats", "date_formats", "footer_lines"):
        entries = reading.get(key, [])
        if not isinstance(entries, list) or not all(isinstance(entry, str) and entry for entry in entries):
            raise MappingError(f"{where}.{key}: must be a list of strings")
        out[key] = tuple(entries)
    for pattern in out["footer_lines"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise MappingError(f"{where}.footer_lines: {pattern!r} is not a valid regular expression ({exc})") from exc
    zone = reading.get("timezone")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise MappingError(
                f"{where}.timezone: unknown time zone {zone!r} (use an IANA name like Europe/Berlin)"
            ) from exc
        out["timezone"] = str(zone)
    return out
