"""The committed person model is stored as trained numbers and rendered as each engine's SQL when
loaded; a model written for another engine, or whose levels are not the definitions', is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from c360.errors import UserError
from c360.settings import Settings
from identity.config import load_identity_config
from identity.model import MODEL_FORMAT, model_definition, model_settings
from identity.records import RECORDS
from identity.train import train_on_table


def _committed() -> dict:
    return json.loads(load_identity_config().model_path.read_text())


def test_the_committed_model_stores_numbers_and_no_sql() -> None:
    model = _committed()
    assert model["format"] == MODEL_FORMAT
    assert "sql_dialect" not in json.dumps(model) and "sql_condition" not in json.dumps(model)
    first_name = model["comparisons"][0]
    assert first_name["output_column_name"] == "first_name"
    assert first_name["comparison_levels"][1]["label_for_charts"] == "Exact match on first_name"
    assert first_name["comparison_levels"][1]["m_probability"] == pytest.approx(0.7697528905982484)


@pytest.mark.parametrize(
    ("dialect", "jaro_winkler", "nickname_level"),
    [
        ("duckdb", 'jaro_winkler_similarity("first_name_l", "first_name_r") >= 0.92', "list_intersect"),
        ("spark", "jaro_winkler(`first_name_l`, `first_name_r`) >= 0.92", "SIZE(ARRAY_INTERSECT("),
    ],
)
def test_the_committed_model_renders_each_engines_sql_with_the_same_numbers(
    dialect: str, jaro_winkler: str, nickname_level: str
) -> None:
    settings = model_settings(load_identity_config().model_path, dialect)

    assert settings["sql_dialect"] == dialect
    assert settings["probability_two_random_records_match"] == pytest.approx(4.081906943510175e-06)
    levels = settings["comparisons"][0]["comparison_levels"]
    assert levels[3]["sql_condition"] == jaro_winkler
    assert nickname_level in levels[2]["sql_condition"]
    assert [level.get("m_probability") for level in levels] == [
        level.get("m_probability") for level in _committed()["comparisons"][0]["comparison_levels"]
    ]
    assert len(settings["blocking_rules_to_generate_predictions"]) == 6


def test_a_splink_model_written_for_another_engine_is_refused_in_one_line(tmp_path: Path) -> None:
    duckdb_settings = model_settings(load_identity_config().model_path, "duckdb")
    path = tmp_path / "duckdb_model.json"
    path.write_text(json.dumps(duckdb_settings))

    with pytest.raises(UserError) as refused:
        model_settings(path, "spark")

    assert str(refused.value) == (
        f"{path} is Splink SQL for duckdb, not for engine spark: store it as parameters with `c360 identity train`"
    )
    assert model_settings(path, "duckdb") == duckdb_settings  # its own engine still loads it


def test_a_model_whose_levels_are_not_the_definitions_is_refused_in_one_line(tmp_path: Path) -> None:
    model = _committed()
    model["comparisons"][1]["comparison_levels"].pop(3)  # a level the definitions still have
    path = tmp_path / "stale_model.json"
    path.write_text(json.dumps(model))

    with pytest.raises(UserError) as refused:
        model_settings(path, "duckdb")

    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: last_name levels ['last_name is NULL', 'Exact match on last_name', ")
    assert message.endswith(
        "'All other comparisons'] are not identity/model.py's ['last_name is NULL', "
        "'Exact match on last_name', 'Jaro-Winkler distance of last_name >= 0.92', "
        "'Jaro-Winkler distance of last_name >= 0.88', 'Jaro-Winkler distance of last_name >= 0.7', "
        "'All other comparisons']: retrain it"
    )


def test_training_stores_parameters_that_render_for_both_engines(sample_run: Settings, tmp_path: Path) -> None:
    warehouse = tmp_path / "c360.duckdb"
    shutil.copy(sample_run.warehouse, warehouse)
    config = load_identity_config()
    with duckdb.connect(str(warehouse)) as con:
        saved = train_on_table(con, RECORDS, config, tmp_path / "model.json")

    model = json.loads(saved.read_text())
    assert model["format"] == MODEL_FORMAT and "sql_condition" not in saved.read_text()
    assert model["definition"] == model_definition()  # today's comparisons and blocking rules, swapped names too
    for dialect in ("duckdb", "spark"):
        settings = model_settings(saved, dialect)
        first_name = settings["comparisons"][0]["comparison_levels"]
        assert "first and last name swapped" in [level["label_for_charts"] for level in first_name]
        assert [level.get("m_probability") for level in first_name] == [
            level.get("m_probability") for level in model["comparisons"][0]["comparison_levels"]
        ]
