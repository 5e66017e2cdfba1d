"""Per-export column mappings (config/sources/<flavour>.yml): point c360 at your own headers without code."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pyarrow as pa
import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR
from ingestion.entities import Entity
from ingestion.landing import name_matches

MAPPINGS_DIR = CONFIG_DIR / "sources"


class MappingError(UserError, ValueError):
    """A mapping file is invalid; the message names the file and the offending key."""


@dataclass(frozen=True)
class EntityMapping:
    files: tuple[str, ...]  # glob patterns (case-insensitive) of this entity's files in the landing folder
    columns: dict[str, str]  # c360 column -> export header
    # c360 column -> fixed value for every row of these files (what the file itself means, e.g. a
    # Mailchimp `unsubscribed_members_export` file: status unsubscribed)
    values: dict[str, str] = field(default_factory=dict)

    def matches(self, file_name: str) -> bool:
        return name_matches(file_name, self.files)

    def with_values(self, table: pa.Table) -> tuple[pa.Table, dict[str, str]]:
        """`table` with one column per fixed value, and the column mapping that reads them."""
        columns = dict(self.columns)
        for name, value in self.values.items():
            header = f"(value of {name})"
            table = table.append_column(header, pa.array([value] * table.num_rows, pa.string()))
            columns[name] = header
        return table, columns


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
        """The first kind of `table` export whose patterns match `file_name`."""
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
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError(f"{path}: csv_delimiter: must be a single character, got {delimiter!r}")
    sections = document.get("entities")
    if not isinstance(sections, dict) or not sections:
        raise MappingError(f"{path}: entities: must map entity names to their files and columns")
    by_table = {entity.table: entity for entity in entities}
    unknown = sorted(set(sections) - set(by_table))
    if unknown:
        raise MappingError(f"{path}: entities.{unknown[0]}: unknown entity; expected one of {sorted(by_table)}")
    return ExportMapping(
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        delimiter=delimiter,
        entities={name: _entity_mappings(path, by_table[name], section) for name, section in sections.items()},
    )


def _entity_mappings(path: Path, entity: Entity, section: Any) -> tuple[EntityMapping, ...]:
    """An entity section is one {files, columns} mapping or a list of them, one per kind of export file."""
    where = f"{path}: entities.{entity.table}"
    if isinstance(section, list) and section:
        return tuple(_entity_mapping(f"{where}[{i}]", entity, kind) for i, kind in enumerate(section))
    return (_entity_mapping(where, entity, section),)


def _entity_mapping(where: str, entity: Entity, section: Any) -> EntityMapping:
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
    return EntityMapping(
        tuple(files), {name: header.strip() for name, header in columns.items()}, {k: str(v) for k, v in values.items()}
    )
