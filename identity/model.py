"""The Splink person model: comparisons and blocking rules shared by training and prediction."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from c360.errors import UserError
from identity.warehouse import is_spark

logger = logging.getLogger(__name__)

SPLINK_SCHEMA = "identity_splink"  # Splink's scratch tables; dropped after every run


# What the pipeline's sources carry; `c360 resolve` compares only the fields a mapping names.
PIPELINE_FIELDS = ("first_name", "last_name", "email", "phone", "dob", "street", "postcode")
PHONETIC_LAST_NAME = "last_name_phonetic"  # Soundex of last_name, when the records carry it


def _swapped(label: str) -> cll.CustomLevel:
    """First and last name written the other way round, each allowing a typo (nathan dunn / dunnn nathan)."""
    return cll.CustomLevel(
        "jaro_winkler_similarity(first_name_l, last_name_r) >= 0.8 "
        "AND jaro_winkler_similarity(last_name_l, first_name_r) >= 0.8",
        label_for_charts=label,
    )


def _name_comparison(column: str, swapped: bool, similar: list, differs: cll.ElseLevel) -> cl.CustomComparison:
    """A name: null, exact (term-frequency adjusted), swapped with the other name, then `similar`
    levels from closest, else `differs`."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=True),
            *([_swapped("first and last name swapped")] if swapped else []),
            *similar,
            differs,
        ],
    )


def _first_name_comparison(swapped: bool) -> cl.CustomComparison:
    # nickname or canonical form in common (bill / william) ranks above spelling similarity
    nickname = cll.ArrayIntersectLevel("first_name_variants", min_intersection=1)
    similar = [nickname, cll.JaroWinklerLevel("first_name", 0.92), cll.JaroWinklerLevel("first_name", 0.8)]
    return _name_comparison("first_name", swapped, similar, cll.ElseLevel())


# m of "differs" for values a person changes over the years a CRM keeps records. Fixed, not
# estimated: EM learns them from training data, and where nobody moved or married it drives
# them to ~0, a veto on every true pair with an old address or a maiden name.
MOVED_HOUSE_M = 0.1  # 8-12% of US residents move each year
CHANGED_SURNAME_M = 0.02  # marriage or divorce between two records of one person


def _differs(m_probability: float) -> cll.ElseLevel:
    return cll.ElseLevel().configure(m_probability=m_probability, fix_m_probability=True)


def _last_name_comparison(swapped: bool) -> cl.CustomComparison:
    """Splink's NameComparison levels, with a fixed m for a surname that differs outright."""
    similar = [cll.JaroWinklerLevel("last_name", threshold) for threshold in (0.92, 0.88, 0.7)]
    return _name_comparison("last_name", swapped, similar, _differs(CHANGED_SURNAME_M))


_PLACE_COLUMNS = ("street", "postcode", "city", "state")


def _address_comparison(fields: set[str]) -> cl.CustomComparison:
    """Where someone lives, as one comparison from the finest shared place to the coarsest: street,
    postcode, city and state move together, so separate comparisons would count one address up to
    four times. With only street and postcode (the pipeline), its levels are the committed model's."""
    places = [column for column in _PLACE_COLUMNS if column in fields]
    street_and_postcode = {"street", "postcode"} <= fields
    missing = " AND ".join(f"({column}_l IS NULL OR {column}_r IS NULL)" for column in places)
    levels = [
        cll.CustomLevel(missing, label_for_charts="address missing").configure(is_null_level=True),
        *(
            [
                cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postcode")).configure(m_probability=0.85),
                cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("postcode")).configure(
                    m_probability=0.02
                ),
            ]
            if street_and_postcode
            else []
        ),
        *(
            [cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("city")).configure(m_probability=0.05)]
            if {"street", "city"} <= fields
            else []
        ),
        *([cll.ExactMatchLevel("postcode").configure(m_probability=0.03)] if "postcode" in fields else []),
        *(
            [cll.JaroWinklerLevel("street", 0.9).configure(m_probability=0.03)]
            if "street" in fields and not street_and_postcode
            else []
        ),
        *(
            [
                cll.ExactMatchLevel(column).configure(m_probability=0.01)
                for column in ("city", "state")
                if column in fields
            ]
        ),
        _differs(MOVED_HOUSE_M),
    ]
    return cl.CustomComparison(output_column_name="address", comparison_levels=levels)


def _email_comparison() -> cl.CustomComparison:
    """Exact or not: a near-identical address (jsmith@ vs jsmith2@) is as often another person,
    and a username repeats the name, which is compared already."""
    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email", term_frequency_adjustments=True),
            cll.ElseLevel(),
        ],
    )


def _dob_comparison() -> cl.DateOfBirthComparison:
    # Starting m values matter (here and for the address): near-miss levels are rare among
    # matches, so EM may never observe them and Splink would fall back to generic defaults.
    return cl.DateOfBirthComparison("dob", input_is_string=False).configure(
        m_probabilities=[0.95, 0.02, 0.01, 0.01, 0.005, 0.005]
    )


def _country_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="country",
        comparison_levels=[cll.NullLevel("country"), cll.ExactMatchLevel("country"), _differs(MOVED_HOUSE_M)],
    )


def id_column(name: str) -> str:
    return f"id_{name}"


def _id_comparison(name: str) -> cl.CustomComparison:
    """An id copied by hand: equal, one edit or two adjacent digits swapped, two edits, or not.
    Starting m values, because a mistyped id may never fall in an EM block and keep Splink's default."""
    column = id_column(name)
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.DamerauLevenshteinLevel(column, 1),
            cll.LevenshteinLevel(column, 2),
            cll.ElseLevel(),
        ],
    ).configure(m_probabilities=[0.9, 0.05, 0.02, 0.03])


def _comparisons(fields: set[str], ids: tuple[str, ...], swapped_names: bool | None = None) -> list:
    both_names = {"first_name", "last_name"} <= fields if swapped_names is None else swapped_names
    comparisons = [
        *([_first_name_comparison(both_names)] if "first_name" in fields else []),
        *([_last_name_comparison(both_names)] if "last_name" in fields else []),
        *([_email_comparison()] if "email" in fields else []),
        *([cl.ExactMatch("phone")] if "phone" in fields else []),
        *([_dob_comparison()] if "dob" in fields else []),
        *([_address_comparison(fields)] if fields & set(_PLACE_COLUMNS) else []),
        *([_country_comparison()] if "country" in fields else []),
        *[_id_comparison(name) for name in ids],
    ]
    if not comparisons:
        raise ValueError("map at least one field to compare (names, email, phone, dob, address or an id)")
    return comparisons


def _transposed_id_rules(column: str) -> list:
    """Two adjacent characters swapped keep the id's characters (in sorted order) and, in an id of four
    or more, its first two or its last two: two rules find every such pair, comparing a quarter of the
    pairs the sorted characters alone would (100k records: 210k instead of 873k)."""
    same_characters = f"array_to_string(list_sort(string_split({column}, '')), '')"
    return [[same_characters, f"left({column}, 2)"], [same_characters, f"right({column}, 2)"]]


BlockingRule = list[str] | str  # expressions equal on both sides (Splink's block_on), or a condition over l and r


def blocking_rules(fields: set[str], ids: tuple[str, ...] = ()) -> list[BlockingRule]:
    """Candidate pairs: rules over the mapped fields, built to survive one corrupted value each
    (a typo'd surname still sounds alike, swapped names, a wrong birth date keeps postcode and initial,
    an id with two digits swapped keeps its digits). Kept engine-free, as a stored model keeps them."""
    names = {"first_name", "last_name"} <= fields
    rules = [
        *[[column] for column in ("email", "phone") if column in fields],
        *[[id_column(name)] for name in ids],
        *[rule for name in ids for rule in _transposed_id_rules(id_column(name))],
        *([["first_name", "last_name"], "l.first_name = r.last_name AND l.last_name = r.first_name"] if names else []),
        *([[PHONETIC_LAST_NAME, "year(dob)"]] if {PHONETIC_LAST_NAME, "dob"} <= fields else []),
        *([["dob"]] if "dob" in fields else []),
        *([["postcode", "substr(first_name, 1, 1)"]] if {"postcode", "first_name"} <= fields else []),
        *([["street", "postcode"]] if {"street", "postcode"} <= fields else []),
        *([["city", "last_name"]] if {"city", "last_name"} <= fields else []),
    ]
    if not rules:
        raise ValueError("map names, email, phone, dob, postcode or an id: nothing else can find candidate pairs")
    return rules


def _block(rule: BlockingRule):
    return block_on(*rule) if isinstance(rule, list) else rule


def person_settings(
    fields: tuple[str, ...] = PIPELINE_FIELDS,
    ids: tuple[str, ...] = (),
    link_type: str = "dedupe_only",
    swapped_names: bool | None = None,
    rules: list[BlockingRule] | None = None,
) -> SettingsCreator:
    """The model for records carrying `fields` (plus PHONETIC_LAST_NAME for phonetic blocking) and `ids`.

    `swapped_names` (default: when both names are compared) adds the swapped-names level; `rules`
    replace the default blocking rules (a stored model keeps those it was trained with)."""
    available = set(fields)
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=_comparisons(available, ids, swapped_names),
        blocking_rules_to_generate_predictions=[
            _block(rule) for rule in (blocking_rules(available, ids) if rules is None else rules)
        ],
        retain_intermediate_calculation_columns=True,
        # link_only tells files apart by this column; otherwise it only rides along for charts
        **(
            {"source_dataset_column_name": "source"}
            if link_type == "link_only"
            else {"additional_columns_to_retain": ["source"]}
        ),
    )


MODEL_FORMAT = "c360 person model parameters 1"


def model_definition(
    fields: tuple[str, ...] = PIPELINE_FIELDS, ids: tuple[str, ...] = (), link_type: str = "dedupe_only"
) -> dict:
    """What names a model's comparisons and blocking rules in this module, stored beside its numbers."""
    return {
        "fields": list(fields),
        "ids": list(ids),
        "link_type": link_type,
        "swapped_names": {"first_name", "last_name"} <= set(fields),
        "blocking_rules": blocking_rules(set(fields), ids),
    }


def definition_settings(definition: dict) -> SettingsCreator:
    return person_settings(
        tuple(definition["fields"]),
        tuple(definition["ids"]),
        definition["link_type"],
        definition["swapped_names"],
        definition["blocking_rules"],
    )


def model_parameters(settings: dict, definition: dict) -> dict:
    """A trained model as the numbers Splink estimated (λ, m and u per level, each level named by its
    label) and its definition, without SQL: every engine renders its own (`render_model`)."""
    return {
        "format": MODEL_FORMAT,
        "definition": definition,
        "probability_two_random_records_match": settings["probability_two_random_records_match"],
        "comparisons": [
            {
                "output_column_name": comparison["output_column_name"],
                "comparison_levels": [
                    {
                        "label_for_charts": level["label_for_charts"],
                        **{
                            key: level[key]
                            for key in ("is_null_level", "m_probability", "u_probability")
                            if key in level
                        },
                    }
                    for level in comparison["comparison_levels"]
                ],
            }
            for comparison in settings["comparisons"]
        ],
    }


def _labels(comparison: dict) -> list[str]:
    return [level["label_for_charts"] for level in comparison["comparison_levels"]]


def render_model(model: dict, dialect: str, source: str = "the model") -> dict:
    """Splink settings for `dialect` (duckdb or spark): the definitions rendered by Splink for that
    engine, with the stored m and u copied level by level and the stored λ.

    A Splink settings file (it carries SQL) is accepted only in the engine's own dialect; stored
    levels that are not the definitions' (renamed, added, removed) are refused rather than guessed."""
    if "sql_dialect" in model:
        if model["sql_dialect"] != dialect:
            raise UserError(
                f"{source} is Splink SQL for {model['sql_dialect']}, not for engine {dialect}: "
                "store it as parameters with `c360 identity train`"
            )
        return model
    if model.get("format") != MODEL_FORMAT:
        raise UserError(f"{source} is not a c360 person model ({MODEL_FORMAT!r}): run `c360 identity train`")
    settings = definition_settings(model["definition"]).get_settings(dialect).as_dict()
    stored = {comparison["output_column_name"]: comparison for comparison in model["comparisons"]}
    defined = [comparison["output_column_name"] for comparison in settings["comparisons"]]
    if list(stored) != defined:
        raise UserError(f"{source} compares {list(stored)} but identity/model.py defines {defined}: retrain it")
    for comparison in settings["comparisons"]:
        trained = stored[comparison["output_column_name"]]
        if _labels(trained) != _labels(comparison):
            raise UserError(
                f"{source}: {comparison['output_column_name']} levels {_labels(trained)} are not "
                f"identity/model.py's {_labels(comparison)}: retrain it"
            )
        for level, numbers in zip(comparison["comparison_levels"], trained["comparison_levels"], strict=True):
            level.update({key: numbers[key] for key in ("m_probability", "u_probability") if key in numbers})
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return settings


def model_settings(model: Path | dict, dialect: str) -> dict:
    """A stored model file (or one just estimated) as Splink settings for `dialect`."""
    if isinstance(model, dict):
        return render_model(model, dialect)
    if not model.exists():
        raise FileNotFoundError(f"no trained identity model at {model}; run `c360 identity train`")
    return render_model(json.loads(model.read_text()), dialect, str(model))


@contextmanager
def splink_session(con) -> Iterator[DatabaseAPI]:
    """The engine's Splink API for a warehouse connection (c360.engine.connect), its scratch cleared
    on the way out whether the work succeeded or failed.

    DuckDB: on its own cursor, so its `SET schema` never leaks into our connection; scratch tables in
    SPLINK_SCHEMA. Spark: Splink's intermediate tables are session views, their lineage broken by
    caching (no checkpoint folder to keep), the cache dropped afterwards.
    """
    if is_spark(con):
        from identity.spark_splink import SparkSplinkAPI

        try:
            yield SparkSplinkAPI(spark_session=con.session, break_lineage_method="persist")
        finally:
            con.session.catalog.clearCache()
        return
    try:
        yield DuckDBAPI(con.cursor(), output_schema=SPLINK_SCHEMA)
    finally:
        con.execute(f"DROP SCHEMA IF EXISTS {SPLINK_SCHEMA} CASCADE")


def splink_relation(frame: SplinkDataFrame) -> str:
    """How the warehouse connection names a table Splink wrote (DuckDB: in SPLINK_SCHEMA; Spark: a view)."""
    if frame.db_api.sql_dialect.sql_dialect_str == "spark":
        return frame.physical_name
    return f"{SPLINK_SCHEMA}.{frame.physical_name}"


def register_table(db_api: DatabaseAPI, table: str, alias: str) -> SplinkDataFrame:
    """Expose a schema-qualified table (or a parenthesised query) to Splink under a unique bare name.

    Splink looks columns up by bare table name in information_schema, so a qualified name
    (or a bare name repeated in two schemas) would lose or double its columns.
    """
    bare = f"c360_{alias}"
    if db_api.sql_dialect.sql_dialect_str == "spark":
        db_api.spark.sql(f"SELECT * FROM {table}").createOrReplaceTempView(bare)
    else:
        db_api.duckdb_con.execute(f"CREATE OR REPLACE VIEW {SPLINK_SCHEMA}.{bare} AS SELECT * FROM {table}")
    return db_api.register(bare, table_name=alias)


def load_linker(records: SplinkDataFrame, model: Path | dict) -> Linker:
    """A stored model (or one just estimated), rendered for the records' engine; predictions pass
    warning_mode="never" because the levels EM cannot observe keep the deliberate starting m values
    set in this module."""
    settings = model_settings(model, records.db_api.sql_dialect.sql_dialect_str)
    return Linker(records, settings, log_level=logging.WARNING)


MIN_M = 1e-3


def order_levels(model: dict, u_sample_pairs: int) -> list[str]:
    """Make every comparison's match weight fall from its strongest level to its weakest, in place.

    EM and random sampling estimate each level alone, so a rare level can come out above a
    stricter one (a near-miss outscoring an exact match). Adjacent violators are pooled (the
    pool-adjacent-violators fit), which keeps each comparison's total m. A level never seen among
    the `u_sample_pairs` sampled non-matches gets the rule-of-three bound u = 3 / pairs instead
    of Splink's generic default. Returns one line per change.
    """
    changes: list[str] = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and level.get("m_probability") is not None
        ]
        for level in levels:
            if level["m_probability"] < MIN_M:
                changes.append(
                    f"{name}: {level['label_for_charts']!r} m {level['m_probability']:.2g} raised to {MIN_M}"
                )
                level["m_probability"] = MIN_M
            if level.get("u_probability") is None:
                level["u_probability"] = 3 / u_sample_pairs
                changes.append(
                    f"{name}: {level['label_for_charts']!r} never seen among sampled non-matches, "
                    f"u set to 3/{u_sample_pairs}"
                )
        blocks: list[list[dict]] = []
        for level in levels:
            blocks.append([level])
            while len(blocks) > 1 and _pooled(blocks[-2]) < _pooled(blocks[-1]):
                blocks[-2:] = [blocks[-2] + blocks[-1]]
        for block in blocks:
            if len(block) > 1:
                ratio = sum(lv["m_probability"] for lv in block) / sum(lv["u_probability"] for lv in block)
                for level in block:
                    level["m_probability"] = level["u_probability"] * ratio
                changes.append(
                    f"{name}: pooled {[lv['label_for_charts'] for lv in block]} at "
                    f"{math.log2(ratio):.2f} bits, a weaker level outweighed a stronger one"
                )
    return changes


def _pooled(block: list[dict]) -> float:
    return sum(lv["m_probability"] for lv in block) / sum(lv["u_probability"] for lv in block)
