"""Identity thresholds and model location live in config/identity.yml so tuning needs no code change.

The file is validated on load: a wrong value fails the run at once with the file, the key and
what is wrong, instead of surfacing later as an odd Splink error or a silently different model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

from c360.errors import UserError
from c360.settings import CONFIG_DIR, PROJECT_ROOT

DEFAULT_CONFIG = CONFIG_DIR / "identity.yml"
TOP_KEYS = {
    "match_threshold",
    "phone_default_region",
    "require_first_name_agreement",
    "max_cluster_size",
    "model_path",
    "training",
}
OPTIONAL_TOP_KEYS = {"overrides_path"}
DEFAULT_OVERRIDES = CONFIG_DIR / "identity_overrides.yml"
TRAINING_KEYS = {
    "seed",
    "u_max_pairs",
    "em_blocking_rules",
    "em_record_sample_proportion",
    "min_records_to_train",
    "prior_recall",
    "input_u_max_pairs",
}
BLOCKING_COLUMNS = {"first_name", "last_name", "email", "phone", "street", "city", "postcode", "dob"}


class IdentityConfigError(UserError, ValueError):
    """config/identity.yml is invalid; the message names the file and the offending key."""


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
    min_records_to_train: int
    prior_recall: float
    input_u_max_pairs: int
    overrides_path: Path = DEFAULT_OVERRIDES  # must-link / cannot-link pairs, identity/overrides.py


def load_identity_config(path: Path = DEFAULT_CONFIG) -> IdentityConfig:
    if not path.is_file():
        raise IdentityConfigError(f"{path}: identity configuration file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise IdentityConfigError(f"{path}: not valid YAML: {exc}") from exc
    check = _Checker(path)
    raw = check.section(raw, "", TOP_KEYS, optional=OPTIONAL_TOP_KEYS)
    training = check.section(raw["training"], "training", TRAINING_KEYS)
    model_path = Path(check.text(raw, "model_path"))
    return IdentityConfig(
        match_threshold=check.fraction(raw, "match_threshold"),
        phone_default_region=check.region(raw, "phone_default_region"),
        require_first_name_agreement=check.boolean(raw, "require_first_name_agreement"),
        max_cluster_size=check.integer(raw, "max_cluster_size", minimum=1),
        model_path=model_path if model_path.is_absolute() else PROJECT_ROOT / model_path,
        seed=check.integer(training, "seed", minimum=0, where="training."),
        u_max_pairs=check.integer(training, "u_max_pairs", minimum=1, where="training."),
        em_blocking_rules=check.blocking_rules(training, "em_blocking_rules", where="training."),
        em_record_sample_proportion=check.fraction(training, "em_record_sample_proportion", where="training."),
        min_records_to_train=check.integer(training, "min_records_to_train", minimum=2, where="training."),
        prior_recall=check.fraction(training, "prior_recall", where="training."),
        input_u_max_pairs=check.integer(training, "input_u_max_pairs", minimum=1, where="training."),
        overrides_path=check.project_path(raw, "overrides_path") if "overrides_path" in raw else DEFAULT_OVERRIDES,
    )


class _Checker:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str) -> IdentityConfigError:
        return IdentityConfigError(f"{self.path}: {key}: {problem}")

    def section(
        self, value: Any, name: str, keys: set[str], optional: frozenset[str] | set[str] = frozenset()
    ) -> dict[str, Any]:
        where = f"{name}." if name else ""
        if not isinstance(value, dict):
            if name:
                raise self.fail(name, f"must be a mapping with keys {sorted(keys)}")
            raise IdentityConfigError(f"{self.path}: top level must be a mapping with keys {sorted(keys)}")
        unknown = sorted(set(value) - keys - optional)
        if unknown:
            raise self.fail(f"{where}{unknown[0]}", f"unknown key; expected one of {sorted(keys | optional)}")
        missing = sorted(keys - set(value))
        if missing:
            raise self.fail(f"{where}{missing[0]}", "missing")
        return value

    def fraction(self, raw: dict, key: str, where: str = "") -> float:
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise self.fail(where + key, f"must be a number in (0, 1], got {value!r}")
        return float(value)

    def integer(self, raw: dict, key: str, minimum: int, where: str = "") -> int:
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where + key, f"must be a whole number >= {minimum}, got {value!r}")
        return value

    def boolean(self, raw: dict, key: str) -> bool:
        if not isinstance(raw[key], bool):
            raise self.fail(key, f"must be true or false, got {raw[key]!r}")
        return raw[key]

    def text(self, raw: dict, key: str) -> str:
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise self.fail(key, f"must be a non-empty path, got {raw[key]!r}")
        return raw[key]

    def project_path(self, raw: dict, key: str) -> Path:
        path = Path(self.text(raw, key))
        return path if path.is_absolute() else PROJECT_ROOT / path

    def region(self, raw: dict, key: str) -> str:
        value = raw[key]
        if not isinstance(value, str) or value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise self.fail(key, f"must be a two-letter region code such as US or GB, got {value!r}")
        return value.upper()

    def blocking_rules(self, raw: dict, key: str, where: str = "") -> tuple[tuple[str, ...], ...]:
        rules = raw[key]
        if not isinstance(rules, list) or not rules:
            raise self.fail(where + key, "must be a non-empty list of rules, each a list of record columns")
        for number, rule in enumerate(rules):
            if not isinstance(rule, list) or not rule or not all(isinstance(c, str) for c in rule):
                raise self.fail(f"{where}{key}[{number}]", f"must be a non-empty list of column names, got {rule!r}")
            unknown = sorted(set(rule) - BLOCKING_COLUMNS)
            if unknown:
                raise self.fail(
                    f"{where}{key}[{number}]",
                    f"unknown column {unknown[0]!r}; expected some of {sorted(BLOCKING_COLUMNS)}",
                )
        return tuple(tuple(rule) for rule in rules)
