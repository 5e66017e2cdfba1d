"""dlt sources for registered sources that declare their raw tables in their registry entry.

A source whose exports are plain files with a column mapping (config/sources/<flavour>.yml) needs
no code: its entry in config/registry/ lists each raw table's fields and keys, and this module
reads its landing folder with the same mapped readers as the CRM and email tool.
"""

from __future__ import annotations

import dlt
from dlt.extract.resource import DltResource

from ingestion.entities import Entity, Field
from ingestion.mapping import load_mapping
from ingestion.sources import mapped_entities, mapped_resources
from registry import Source


def declared_entities(source: Source) -> tuple[Entity, ...]:
    """The raw tables a registry entry declares, as ingestion entities."""
    return tuple(
        Entity(
            table,
            tuple(
                Field(**{k: tuple(v) if isinstance(v, list) else v for k, v in field.items()})
                for field in spec["fields"]
            ),
            primary_key=spec["primary_key"],
            updated_at=spec.get("updated_at"),
        )
        for table, spec in source.entities.items()
    )


def mapped_source(source: Source):
    """A dlt source for `source`: one resource per declared table, read through its mapping flavour."""
    entities = declared_entities(source)

    @dlt.source(name=source.name, section=source.name)
    def _source(landing_dir: str = dlt.config.value, mapping: str = source.mapping) -> list[DltResource]:
        return mapped_resources(landing_dir, mapped_entities(load_mapping(mapping, entities), entities))

    _source.__doc__ = f"{source.name} exports read through a column mapping flavour (default {source.mapping})."
    return _source
