"""The source registry: each source of c360 declared once, in `config/registry/<source>.yml`.

An entry names the source's raw schema, tables and keys, the dlt source that loads it, the
records in it that are people (with how each maps into the one person-record shape identity
reads, and the columns carrying its ids, emails and phones), and its deterministic identity
rules. Ingestion, identity, checks, privacy and Dagster read this instead of naming sources, so
adding a source is its entry plus its mapping and staging files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from c360.settings import CONFIG_DIR

REGISTRY_DIR = CONFIG_DIR / "registry"


class RegistryError(ValueError):
    """A registry entry that cannot be used, named with its file."""


@dataclass(frozen=True)
class PersonRecord:
    """One kind of person-bearing record: `source` is its name in the identity vocabulary."""

    source: str
    table: str  # schema-qualified raw table
    record_id: str  # the raw column holding the record's id
    id_columns: tuple[str, ...]  # raw columns (of any table) holding this record kind's ids
    emails: tuple[str, ...]  # normalised email columns
    email_lists: tuple[str, ...]  # semicolon-separated address lists
    phones: tuple[str, ...]
    model: str  # its dbt person-record model (macros/person_record.sql): identity's input, a golden-record part


@dataclass(frozen=True)
class IdentityRule:
    model: str  # the dbt staging model the rule reads (identity runs after dbt staging)
    sql: str  # SELECT unique_id_l, unique_id_r, kind; `{model}` stands for the model's relation


@dataclass(frozen=True)
class Source:
    name: str  # landing folder, dlt source and Dagster prefix: raw tables are `raw_<name>.*`
    raw_schema: str
    ingestion: str  # "module:function" of the dlt source factory
    tables: dict[str, tuple[str, ...]]  # raw table -> key columns
    person_records: tuple[PersonRecord, ...]
    identity_rules: tuple[IdentityRule, ...]
    landing_required: bool  # False: a missing landing folder means "no exports of this tool"
    mapping: str | None  # default column-mapping flavour (config/sources/<mapping>.yml) of declared entities
    entities: dict  # raw tables declared here (fields, keys), for ingestion.registered

    def dlt_source(self) -> Callable:
        """The dlt source reading this source's landing folder (a factory of one, for declared entities)."""
        module, _, function = self.ingestion.partition(":")
        factory = getattr(importlib.import_module(module), function)
        return factory(self) if self.entities else factory


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (str(value),)


def _person_record(schema: str, entry: dict) -> PersonRecord:
    return PersonRecord(
        source=entry["source"],
        table=f"{schema}.{entry['table']}",
        record_id=entry["record_id"],
        id_columns=_tuple(entry.get("id_columns")),
        emails=_tuple(entry.get("emails")),
        email_lists=_tuple(entry.get("email_lists")),
        phones=_tuple(entry.get("phones")),
        model=entry["model"],
    )


def load_source(path: Path) -> Source:
    try:
        entry = yaml.safe_load(path.read_text())
        schema = entry["raw_schema"]
        return Source(
            name=path.stem,
            raw_schema=schema,
            ingestion=entry["ingestion"],
            tables={table: _tuple(key) for table, key in entry["tables"].items()},
            person_records=tuple(_person_record(schema, p) for p in entry.get("person_records") or ()),
            identity_rules=tuple(IdentityRule(r["model"], r["sql"]) for r in entry.get("identity_rules") or ()),
            landing_required=entry.get("landing_required", True),
            mapping=entry.get("mapping"),
            entities=entry.get("entities") or {},
        )
    except (KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: not a source registry entry ({exc!r})") from exc


@cache
def sources(directory: Path = REGISTRY_DIR) -> tuple[Source, ...]:
    """Every registered source; `order:` in the directory's `_order.yml` lists them first, in that order."""
    order_file = directory / "_order.yml"
    order = yaml.safe_load(order_file.read_text()) if order_file.exists() else []
    found = {p.stem: p for p in sorted(directory.glob("*.yml")) if not p.name.startswith("_")}
    names = [n for n in order if n in found] + [n for n in found if n not in order]
    return tuple(load_source(found[name]) for name in names)


def source_names() -> tuple[str, ...]:
    return tuple(source.name for source in sources())


def person_records() -> tuple[PersonRecord, ...]:
    return tuple(record for source in sources() for record in source.person_records)


def person_sources() -> tuple[str, ...]:
    """The identity source vocabulary: `customer_map.source` values."""
    return tuple(record.source for record in person_records())


def identity_rules() -> tuple[IdentityRule, ...]:
    return tuple(rule for source in sources() for rule in source.identity_rules)


def identity_models() -> tuple[str, ...]:
    """The dbt staging models identity reads: every person-record model and every rule's model."""
    models = [record.model for record in person_records()] + [rule.model for rule in identity_rules()]
    return tuple(dict.fromkeys(models))


def record_id_columns() -> dict[str, str]:
    """Raw column name -> the person source whose ids it holds."""
    return {column: record.source for record in person_records() for column in record.id_columns}


def email_columns() -> tuple[str, ...]:
    """Raw columns holding a person's normalised email, in any registered source."""
    return tuple(dict.fromkeys(column for record in person_records() for column in record.emails))


def phone_columns() -> tuple[str, ...]:
    """Raw columns holding a person's phone as written, in any registered source."""
    return tuple(dict.fromkeys(column for record in person_records() for column in record.phones))


def dbt_vars() -> dict[str, object]:
    """What dbt learns from the registry (its Jinja reads no files, and `ref` is fixed at parse
    time): the person-record model of every person source, in registry order. Every dbt
    invocation of c360 passes these (c360/dbt_runner.py), parse and build alike, so partial parsing
    keeps working; dbt_project.yml holds the same default for a plain `dbt build`."""
    return {"person_record_models": {record.source: record.model for record in person_records()}}
