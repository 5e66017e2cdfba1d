"""Explicit training: estimate the person model on the warehouse records and save it as JSON."""
from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb
from splink import Linker, block_on

from c360.settings import Settings
from identity.config import IdentityConfig, load_identity_config
from identity.model import drop_splink_scratch, person_settings, register_table, splink_api
from identity.records import RECORD_EMAILS, RECORDS, build_records, stage_raw_records

logger = logging.getLogger(__name__)


def train_on_table(con: duckdb.DuckDBPyConnection, records_table: str, config: IdentityConfig,
                   model_path: Path) -> Path:
    """u from random sampling, m from EM; the table must have identity.records' columns."""
    started = time.perf_counter()
    db_api = splink_api(con)
    try:
        linker = Linker(register_table(db_api, records_table, "records"), person_settings(),
                        log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("email"), block_on("first_name", "last_name", "dob")], recall=0.8)
        linker.training.estimate_u_using_random_sampling(
            max_pairs=config.u_max_pairs, seed=config.seed)
        for rule in config.em_blocking_rules:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), record_sample_proportion=config.em_record_sample_proportion)
        model_path.parent.mkdir(parents=True, exist_ok=True)
        linker.misc.save_model_to_json(str(model_path), overwrite=True)
    finally:
        drop_splink_scratch(con)
    logger.info("trained identity model in %.1fs -> %s", time.perf_counter() - started, model_path)
    return model_path


def train_model(settings: Settings, config: IdentityConfig | None = None) -> Path:
    """Train on the warehouse's current raw records; writes the model path from config."""
    config = config or load_identity_config()
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS identity")
        stage_raw_records(con, "c360_staged_records")
        build_records(con, "c360_staged_records", RECORDS, RECORD_EMAILS, config.phone_default_region)
        return train_on_table(con, RECORDS, config, config.model_path)
