"""Identity thresholds and model location live in config/identity.yml so tuning needs no code change."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from c360.settings import CONFIG_DIR, PROJECT_ROOT

DEFAULT_CONFIG = CONFIG_DIR / "identity.yml"


@dataclass(frozen=True)
class IdentityConfig:
    match_threshold: float
    phone_default_region: str
    require_first_name_agreement: bool
    max_cluster_size: int
    model_path: Path
    seed: int
    u_max_pairs: int
    em_blocking_rules: tuple[tuple[str, ...], ...]
    em_record_sample_proportion: float


def load_identity_config(path: Path = DEFAULT_CONFIG) -> IdentityConfig:
    raw = yaml.safe_load(path.read_text())
    training = raw["training"]
    model_path = Path(raw["model_path"])
    return IdentityConfig(
        match_threshold=float(raw["match_threshold"]),
        phone_default_region=str(raw["phone_default_region"]),
        require_first_name_agreement=bool(raw["require_first_name_agreement"]),
        max_cluster_size=int(raw["max_cluster_size"]),
        model_path=model_path if model_path.is_absolute() else PROJECT_ROOT / model_path,
        seed=int(training["seed"]),
        u_max_pairs=int(training["u_max_pairs"]),
        em_blocking_rules=tuple(tuple(rule) for rule in training["em_blocking_rules"]),
        em_record_sample_proportion=float(training["em_record_sample_proportion"]),
    )
