"""Run-level policy from config/pipeline.yml (with an environment override for one run)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR

PIPELINE_FILE = CONFIG_DIR / "pipeline.yml"
ON_FILE_ERROR = ("fail", "warn")
# The pipeline's stages in order; each is the Dagster asset group of the same name (`c360 run --select`).
STAGES = ("ingestion", "identity", "dbt", "activation")


@dataclass(frozen=True)
class PipelineConfig:
    on_file_error: str  # "fail" or "warn": what a file that could not be loaded does to the run


def load_pipeline_config(path: Path = PIPELINE_FILE) -> PipelineConfig:
    document = yaml.safe_load(path.read_text()) or {}
    on_file_error = os.environ.get("C360_ON_FILE_ERROR") or document.get("on_file_error", "fail")
    if on_file_error not in ON_FILE_ERROR:
        raise UserError(
            f"{path}: on_file_error: {on_file_error!r} is not one of {', '.join(ON_FILE_ERROR)} "
            "(or set C360_ON_FILE_ERROR)"
        )
    return PipelineConfig(on_file_error=on_file_error)
