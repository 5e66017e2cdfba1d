"""Estimating the person model on records: the pipeline's `c360 identity train` and `c360 resolve`
both fit the prior from exact rules, u by random sampling and m by EM, then order the levels."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import duckdb
from splink import Linker, block_on
from splink.internals.splink_dataframe import SplinkDataFrame

from c360.engine import connect
from c360.settings import Settings
from identity.config import IdentityConfig, load_identity_config
from identity.model import (
    PIPELINE_FIELDS,
    definition_settings,
    id_column,
    model_definition,
    model_parameters,
    order_levels,
    register_table,
    splink_session,
)
from identity.person_models import build_person_models
from identity.records import RECORD_EMAILS, RECORDS, build_records, stage_raw_records

logger = logging.getLogger(__name__)


def exact_rules(fields: set[str], ids: tuple[str, ...]) -> list:
    """Rules that almost only ever join one person's records: they count matches for the prior."""
    names = {"first_name", "last_name"} <= fields
    return [
        *([block_on("first_name", "last_name", "dob")] if names and "dob" in fields else []),
        *([block_on("first_name", "last_name", "postcode")] if names and "postcode" in fields else []),
        *[block_on(column) for column in ("email", "phone") if column in fields],
        *[block_on(id_column(name)) for name in ids],
    ]


def em_rules(fields: set[str], ids: tuple[str, ...]) -> list:
    """Two EM passes that between them leave every comparison free at least once."""
    preferred = [rule for rule in (("dob",), ("first_name", "last_name")) if set(rule) <= fields]
    fallbacks = [(id_column(name),) for name in ids] + [(c,) for c in ("postcode", "email", "phone") if c in fields]
    return [block_on(*rule) for rule in (preferred + fallbacks)[:2]]


def estimate_model(
    records: SplinkDataFrame,
    config: IdentityConfig,
    fields: tuple[str, ...] = PIPELINE_FIELDS,
    ids: tuple[str, ...] = (),
    link_type: str = "dedupe_only",
    em_blocking_rules: list | None = None,
    u_max_pairs: int | None = None,
) -> tuple[dict, list[str]]:
    """The estimated model's parameters (identity.model.model_parameters), and the level-order fixes
    applied to it.

    Raises splink's EMTrainingException (or ValueError) when the records cannot support EM.
    """
    available = set(fields)
    definition = model_definition(fields, ids, link_type)
    linker = Linker(records, definition_settings(definition), log_level=logging.WARNING)
    rules = exact_rules(available, ids)
    if not rules:
        raise ValueError(
            "no exact rule (names with birth date or postcode, email, phone, an id) to estimate the prior from"
        )
    linker.training.estimate_probability_two_random_records_match(rules, recall=config.prior_recall)
    u_pairs = u_max_pairs or config.u_max_pairs
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=config.seed)
    for rule in em_blocking_rules or em_rules(available, ids):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=config.em_record_sample_proportion
        )
    model = linker.misc.save_model_to_json()
    changes = order_levels(model, u_pairs)
    for change in changes:
        logger.info("model level order: %s", change)
    return model_parameters(model, definition), changes


def train_on_table(
    con: duckdb.DuckDBPyConnection, records_table: str, config: IdentityConfig, model_path: Path
) -> Path:
    """Estimate the pipeline model on a table with identity.records' columns and save its parameters as JSON."""
    started = time.perf_counter()
    with splink_session(con) as db_api:
        model, _ = estimate_model(
            register_table(db_api, records_table, "records"),
            config,
            em_blocking_rules=[block_on(*rule) for rule in config.em_blocking_rules],
        )
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_text(json.dumps(model, indent=4))
    logger.info("trained identity model in %.1fs -> %s", time.perf_counter() - started, model_path)
    return model_path


def train_model(settings: Settings, config: IdentityConfig | None = None) -> Path:
    """Train on the warehouse's current raw records; writes the model path from config."""
    config = config or load_identity_config()
    build_person_models(settings)
    with connect(settings) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS identity")
        stage_raw_records(con, "c360_staged_records")
        build_records(con, "c360_staged_records", RECORDS, RECORD_EMAILS, config.phone_default_region)
        return train_on_table(con, RECORDS, config, config.model_path)
