"""config/identity.yml is validated on load: a mistake names the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from identity.config import DEFAULT_CONFIG, IdentityConfigError, load_identity_config


def write_config(
    tmp_path: Path, change: dict | None = None, drop: str | None = None, training: dict | None = None
) -> Path:
    document = yaml.safe_load(DEFAULT_CONFIG.read_text())
    document.update(change or {})
    document["training"].update(training or {})
    if drop:
        del document[drop]
    path = tmp_path / "identity.yml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_the_shipped_configuration_is_valid():
    config = load_identity_config()
    assert 0 < config.match_threshold <= 1 and config.phone_default_region == "US"
    assert config.em_blocking_rules == (("email",), ("last_name", "dob"))


@pytest.mark.parametrize(
    ("edit", "key", "problem"),
    [
        ({"change": {"match_threshold": 1.5}}, "match_threshold", "must be a number in (0, 1], got 1.5"),
        ({"change": {"match_threshold": "high"}}, "match_threshold", "must be a number"),
        ({"change": {"phone_default_region": "USA"}}, "phone_default_region", "two-letter region code"),
        ({"change": {"require_first_name_agreement": "yes"}}, "require_first_name_agreement", "must be true or false"),
        ({"change": {"max_cluster_size": 0}}, "max_cluster_size", "whole number >= 1"),
        ({"change": {"match_treshold": 0.9}}, "match_treshold", "unknown key"),
        ({"drop": "model_path"}, "model_path", "missing"),
        ({"training": {"u_max_pairs": -5}}, "training.u_max_pairs", "whole number >= 1"),
        (
            {"training": {"em_blocking_rules": [["email"], ["surname"]]}},
            "training.em_blocking_rules[1]",
            "unknown column 'surname'",
        ),
        ({"training": {"em_blocking_rules": "email"}}, "training.em_blocking_rules", "non-empty list"),
        (
            {"training": {"em_record_sample_proportion": 0}},
            "training.em_record_sample_proportion",
            "must be a number in (0, 1]",
        ),
    ],
)
def test_an_invalid_value_names_file_key_and_problem(tmp_path, edit, key, problem):
    path = write_config(tmp_path, **edit)
    with pytest.raises(IdentityConfigError) as error:
        load_identity_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}: ") and problem in message


def test_unreadable_or_missing_files_are_reported_by_path(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("match_threshold: [0.9\n")
    with pytest.raises(IdentityConfigError, match=f"{broken}: not valid YAML"):
        load_identity_config(broken)
    with pytest.raises(IdentityConfigError, match="identity configuration file not found"):
        load_identity_config(tmp_path / "absent.yml")
    listed = tmp_path / "list.yml"
    listed.write_text("- 1\n")
    with pytest.raises(IdentityConfigError, match="top level must be a mapping"):
        load_identity_config(listed)
