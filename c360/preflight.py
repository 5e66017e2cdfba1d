"""Checks that take seconds, before a run that takes minutes: folders, configuration, mappings.

Every problem is one line that names what to fix; the CLI prints them all and exits 2 before any
stage starts, so a mistyped C360_LANDING or mapping flavour never runs a pipeline for a minute and
then retries steps that can only fail again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import dlt

from activation.destinations import DestinationConfigError, load_destinations
from c360.errors import UserError
from c360.pipeline_config import load_pipeline_config
from c360.settings import Settings
from identity.config import IdentityConfigError, load_identity_config
from ingestion.mapping import MappingError, load_mapping, resolve
from ingestion.registered import declared_entities
from ingestion.sources import DEFAULT_AUDIENCES, Mapped, crm_entities, email_entities, mapped_landing
from registry import Source, sources


def _declared(source: Source):
    def mapped(flavour: str) -> list[Mapped]:
        entities = declared_entities(source)
        return [(load_mapping(flavour, entities), entity) for entity in entities]

    return mapped


# the mapped sources' entities, read from the same configuration the sources read
MAPPED_SOURCES = {
    "crm": crm_entities,
    "email": lambda flavour: email_entities(
        flavour, dlt.config.get("sources.email.audiences", str) or DEFAULT_AUDIENCES
    ),
    **{source.name: _declared(source) for source in sources() if source.entities},
}
DEFAULT_MAPPINGS = {source.name: source.mapping for source in sources() if source.mapping}


@dataclass
class Preflight:
    notes: list[str] = field(default_factory=list)  # what the run will read, and entities with no files
    problems: list[str] = field(default_factory=list)  # each stops the run


def preflight(settings: Settings) -> Preflight:
    result = Preflight()
    _landing(settings, result)
    _warehouse(settings, result)
    for load, error in (
        (load_identity_config, IdentityConfigError),
        (load_destinations, DestinationConfigError),
        (load_pipeline_config, UserError),
    ):
        try:
            load()
        except error as exc:
            result.problems.append(str(exc))
    return result


def _landing(settings: Settings, result: Preflight) -> None:
    if not settings.landing.is_dir():
        result.problems.append(f"landing folder {settings.landing} does not exist (set C360_LANDING or pass --landing)")
        return
    for registered in sources():
        source, folder = registered.name, settings.landing / registered.name
        if not folder.is_dir() and not registered.landing_required:
            result.notes.append(f"{source}: no landing folder {folder} (nothing to load)")
            continue
        if not folder.is_dir():
            result.problems.append(
                f"landing folder {folder} does not exist (create it, empty, if you have no {source} exports)"
            )
            continue
        files = [path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*")) if path.is_file()]
        result.notes.append(f"{source}: {folder} ({len(files)} files)")
        if source in MAPPED_SOURCES and files:
            _mapping(source, folder, files, result)


def _mapping(source: str, folder: Path, files: list[str], result: Preflight) -> None:
    """Which entities get no file, by the claims ingestion itself makes (ingestion.landing.claim)."""
    flavour = dlt.config.get(f"sources.{source}.mapping", str) or DEFAULT_MAPPINGS.get(source, source)
    try:
        mapped = MAPPED_SOURCES[source](flavour)
    except MappingError as exc:
        result.problems.append(f"{source}: {exc}")
        return
    landing = mapped_landing(folder, mapped)
    claimed = landing.files()
    unmatched = [table for table in landing.claims if not claimed[table]]
    if len(unmatched) == len(landing.claims):
        result.problems.append(
            f"{source}: mapping {resolve(flavour).name} matches none of the {len(files)} files in the folder "
            f"(choose another with SOURCES__{source.upper()}__MAPPING; flavours are in config/sources/)"
        )
    for table in unmatched if len(unmatched) < len(landing.claims) else ():
        result.notes.append(f"{source}: no file for {table} (patterns {', '.join(landing.claims[table])})")


def _warehouse(settings: Settings, result: Preflight) -> None:
    try:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=settings.warehouse.parent):
            pass
    except OSError as exc:
        result.problems.append(
            f"warehouse folder {settings.warehouse.parent} is not writable "
            f"({exc.strerror}; set C360_WAREHOUSE or pass --warehouse)"
        )
